"""Transcript files to normalised text and speaker turns.

Supported: ``.txt``, ``.md``, ``.docx``, ``.vtt``, ``.srt`` (extension case-insensitive).
The text is normalised once (:func:`normalise_text`) and every turn offset indexes that
stored text.

- ``.txt`` / ``.md``: the stored text is the file's text, speaker labels included, so offsets
  computed by other tools on the same file stay valid. Turns come from speaker labels, or
  one per paragraph when there are none (rules in ``codebench.domain.parsing.labels``).
- ``.docx``: the body paragraphs joined by "\\n", then as ``.txt`` (one paragraph per line).
- ``.vtt`` / ``.srt``: cue texts without tags or times, one turn per paragraph
  (rules in ``codebench.domain.parsing.captions``).
"""

from __future__ import annotations

import hashlib
from pathlib import PurePath

from codebench.domain.errors import InputError
from codebench.domain.model import ParsedTranscript
from codebench.domain.parsing.captions import parse_captions
from codebench.domain.parsing.encoding import decode_bytes, normalise_text
from codebench.domain.parsing.labels import BLANK_LINES, LINE_BREAK, split_turns
from codebench.domain.parsing.word import docx_text

__all__ = [
    "SOURCE_FORMATS", "content_hash", "decode_bytes", "normalise_text", "normalised_hash", "parse_transcript",
]

SOURCE_FORMATS = ("txt", "md", "docx", "vtt", "srt")
_NO_LABELS = "no speaker labels found: one turn per paragraph, without speaker"


def parse_transcript(data: bytes, filename: str) -> ParsedTranscript:
    """Parse a transcript file's bytes; the format follows ``filename``'s extension.

    Raises ``InputError`` (naming the file) for an unknown extension, an empty or binary
    file, an unreadable .docx or malformed captions.
    """
    source_format = PurePath(filename).suffix.lower().removeprefix(".")
    if source_format not in SOURCE_FORMATS:
        expected = ", ".join(f".{name}" for name in SOURCE_FORMATS)
        raise InputError(f"unsupported file type {PurePath(filename).suffix!r}; expected {expected}", where=filename)
    if source_format == "docx":
        text, warnings = normalise_text(docx_text(data, filename)), []
        turns = split_turns(text, LINE_BREAK)
    else:
        raw, warnings = decode_bytes(data, filename)
        text = normalise_text(raw)
        if source_format in ("vtt", "srt"):
            text, turns = parse_captions(text, source_format, filename)
        else:
            turns = split_turns(text, BLANK_LINES)
    if source_format not in ("vtt", "srt") and turns and not any(turn.speaker for turn in turns):
        warnings.append(_NO_LABELS)
    return ParsedTranscript(text=text, turns=turns, source_format=source_format, warnings=tuple(warnings))


def content_hash(text: str) -> str:
    """SHA-256 hex digest of the normalised text (UTF-8)."""
    return normalised_hash(normalise_text(text))


def normalised_hash(text: str) -> str:
    """``content_hash`` of a text that is already normalised (as every parsed text is)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
