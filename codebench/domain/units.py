"""Units of analysis for agreement: turns, sentences or paragraphs as character spans [start, end)."""

from __future__ import annotations

import re

from codebench.domain.errors import InputError

UNIT_KINDS = ("turn", "sentence", "paragraph")

_SENTENCE_END = re.compile(r"[.?!…]+(?=\s)")
_BLANK_LINE = re.compile(r"\n[ \t]*\n\s*")


def _trimmed(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The span without surrounding whitespace, or None if nothing is left."""
    piece = text[start:end]
    stripped = piece.lstrip()
    start += len(piece) - len(stripped)
    end = start + len(stripped.rstrip())
    return (start, end) if end > start else None


def _split(text: str, start: int, end: int, separator: re.Pattern[str], keep_separator: bool) -> list[tuple[int, int]]:
    """Cut ``text[start:end]`` after (or around) each separator match; trimmed, non-empty pieces."""
    pieces, cursor = [], start
    for match in separator.finditer(text, start, end):
        pieces.append((cursor, match.end() if keep_separator else match.start()))
        cursor = match.end()
    pieces.append((cursor, end))
    return [span for piece in pieces if (span := _trimmed(text, *piece)) is not None]


def units_for(text: str, turns: list[tuple[int, int]], kind: str) -> list[tuple[int, int]]:
    """Character spans of the units of ``kind`` in a transcript, in text order.

    - ``turn``: the given turn spans;
    - ``sentence``: each turn cut after ``.``, ``?``, ``!`` or ``…`` followed by whitespace;
    - ``paragraph``: each turn cut at blank lines, so a transcript without blank lines has one
      paragraph per turn.

    Sentences and paragraphs never cross a turn boundary, are trimmed of whitespace and non-empty.
    A transcript without turns is treated as one turn covering the whole text.
    """
    if kind not in UNIT_KINDS:
        raise InputError(f"unknown unit {kind!r}; use one of {', '.join(UNIT_KINDS)}")
    for start, end in turns:
        if not 0 <= start <= end <= len(text):
            raise InputError(f"turn span [{start}, {end}) lies outside the text of length {len(text)}")
    if kind == "turn":
        return list(turns)
    blocks = turns or [(0, len(text))]
    separator, keep = (_SENTENCE_END, True) if kind == "sentence" else (_BLANK_LINE, False)
    return [unit for start, end in blocks for unit in _split(text, start, end, separator, keep)]
