"""Speaker turns in plain transcript text (.txt, .md and the text of a .docx).

A speaker label sits at the start of a line (after optional indentation and an optional
timestamp) in one of these forms::

    Name: speech            **Name:** speech        **Name**: speech        [Name] speech
    Name:                   (label alone on its line, the speech on the next line(s))

A name is at most 40 characters and 5 words, starts with a letter and holds no sentence
punctuation (a period only in an abbreviation such as ``Dr.``). A bold or bracketed label is
always taken; a plain ``Name:`` label is taken when every word of the name is capitalised
(particles such as ``van`` or ``de`` aside) or when the same name labels at least two lines,
so a line such as ``I think the answer is: yes`` is speech, while ``int:`` used throughout is
a label. Bracketed stage notes such as ``[laughs]`` or ``[inaudible]`` are never labels.

A turn runs from its label to the next label. Text before the first label (a title, a
header) belongs to no turn. A label with no speech after it yields no turn. A text without
any label becomes one turn per paragraph, with speaker ``""``.

A timestamp such as ``[00:01:02]``, ``(00:01)`` or ``\\[04:21\\]`` right before a label, right
after it, or at the start of a paragraph turn stays in the text; its time becomes the turn's
``start_time`` and ``speech_start`` points past it.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections import Counter
from typing import NamedTuple

from codebench.domain.model import ParsedTurn

_TIME = r"\\?[\[(][ \t]*(?:(\d{1,2}):)?(\d{1,2}):(\d{2})(?:[.,](\d{1,3}))?[ \t]*\\?[\])]"
_NAME = r"[^\W\d_][\w'’.\-]*(?:[ \t]+[\w'’.\-()]+){0,4}"
_LABEL_BODY = (
    rf"[ \t]*(?P<label>(?P<lead>{_TIME}[ \t]+)?"
    rf"(?:\*\*(?P<bold>{_NAME})(?::\*\*|\*\*:)|\[(?P<bracket>{_NAME})\]:?|(?P<plain>{_NAME}):))"
    r"(?=\s|$)"
)
_LABEL = re.compile(_LABEL_BODY, re.MULTILINE)  # a label at the start of the text
_LABEL_AFTER_BREAK = re.compile("\n" + _LABEL_BODY, re.MULTILINE)  # the literal "\n" makes the search fast
_TIMESTAMP = re.compile(_TIME)
_TIMESTAMP_OPENERS = "\\[("  # a timestamp starts with one of these
_SPACE = re.compile(r"\s*")
_ABBREVIATION = re.compile(r"[^\W\d_]{1,3}\.")
_MAX_NAME_CHARS = 40
_PARTICLES = frozenset({"van", "von", "de", "der", "den", "da", "di", "du", "del", "la", "le", "bin", "al"})
_STAGE_NOTES = frozenset(
    {
        "applause", "coughs", "crosstalk", "inaudible", "laughs", "laughter", "music",
        "noise", "overlapping", "pause", "sighs", "silence", "unintelligible",
    }
)  # fmt: skip
BLANK_LINES = re.compile(r"\n\s*\n")
LINE_BREAK = re.compile(r"\n")


class Label(NamedTuple):
    """A speaker label found in a text: ``start``/``end`` delimit the label itself."""

    speaker: str
    start: int
    end: int
    start_time: float | None


def find_labels(text: str) -> list[Label]:
    """Return the accepted speaker labels of ``text`` in text order (see the module doc)."""
    candidates: list[tuple[Label, bool]] = []
    first = _LABEL.match(text)
    for match in itertools.chain([first] if first else [], _LABEL_AFTER_BREAK.finditer(text)):
        bold, bracket, plain, lead = match.group("bold", "bracket", "plain", "lead")
        name = bold or bracket or plain
        if not _plausible_name(name):
            continue
        speaker = _speaker(name)
        time = _seconds(_TIMESTAMP.match(lead)) if lead else None
        candidates.append((Label(speaker, match.start("label"), match.end(), time),
                           plain is None or _capitalised(speaker)))
    if all(strong for _, strong in candidates):
        return [label for label, _ in candidates]
    repeated = Counter(label.speaker.casefold() for label, _ in candidates)
    return [label for label, strong in candidates if strong or repeated[label.speaker.casefold()] > 1]


def split_turns(text: str, paragraph_break: re.Pattern[str] = BLANK_LINES) -> tuple[ParsedTurn, ...]:
    """Cut ``text`` into turns at its speaker labels, or into paragraphs when it has none.

    ``paragraph_break`` separates paragraphs in the label-less case: blank lines for .txt and
    .md, every line break for .docx (one paragraph per line).
    """
    labels = find_labels(text)
    if labels:
        return _labelled_turns(text, labels)
    return _paragraph_turns(text, paragraph_break)


def _labelled_turns(text: str, labels: list[Label]) -> tuple[ParsedTurn, ...]:
    limits = [label.start for label in labels[1:]]
    limits.append(len(text))
    turns = [_turn(text, speaker, start, after, limit, time)
             for (speaker, start, after, time), limit in zip(labels, limits, strict=True)]
    return tuple(turn for turn in turns if turn is not None)


def _paragraph_turns(text: str, paragraph_break: re.Pattern[str]) -> tuple[ParsedTurn, ...]:
    turns = []
    start = 0
    for limit in [m.start() for m in paragraph_break.finditer(text)] + [len(text)]:
        start = _SPACE.match(text, start, limit).end()  # type: ignore[union-attr]
        turn = _turn(text, "", start, start, limit, None)
        if turn is not None:
            turns.append(turn)
        start = limit
    return tuple(turns)


def _turn(text: str, speaker: str, start: int, after: int, limit: int, time: float | None) -> ParsedTurn | None:
    """The turn whose label spans ``start``..``after`` and whose text ends by ``limit``.

    Returns None when no speech follows. A timestamp opening the speech sets the start time
    (unless the label had one) and is skipped by ``speech_start`` when words follow it.
    """
    end = after + len(text[after:limit].rstrip())
    speech = _SPACE.match(text, after, end).end()  # type: ignore[union-attr]
    if speech >= end:
        return None
    stamp = _TIMESTAMP.match(text, speech, end) if text[speech] in _TIMESTAMP_OPENERS else None
    if stamp:
        following = _SPACE.match(text, stamp.end(), end).end()  # type: ignore[union-attr]
        if following < end:
            speech = following
            time = time if time is not None else _seconds(stamp)
    return ParsedTurn(speaker, start, speech, end, time)


@functools.lru_cache(maxsize=4096)
def _speaker(name: str) -> str:
    """A label's name with its inner whitespace made single spaces."""
    return " ".join(name.split())


@functools.lru_cache(maxsize=4096)
def _plausible_name(name: str) -> bool:
    return (
        len(name) <= _MAX_NAME_CHARS
        and name.casefold() not in _STAGE_NOTES
        and all("." not in word or _ABBREVIATION.fullmatch(word) for word in name.split())
    )


@functools.lru_cache(maxsize=4096)
def _capitalised(name: str) -> bool:
    """True when every word starts with a capital or digit (name particles excepted)."""
    initials = [word.lstrip("(")[:1] for word in name.split() if word.casefold() not in _PARTICLES]
    return bool(initials) and all(initial.isupper() or initial.isdigit() for initial in initials)


def _seconds(match: re.Match[str] | None) -> float | None:
    if match is None:
        return None
    hours, minutes, seconds, fraction = match.groups()
    total = int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)
    return total + (int(fraction) / 10 ** len(fraction) if fraction else 0.0)
