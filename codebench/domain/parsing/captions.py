"""WebVTT and SubRip captions to transcript text and turns (via webvtt-py).

Each cue's text loses its tags (and, for WebVTT, its character references) and its line
breaks. The speaker is the cue's voice tag ``<v Name>`` or a ``Name:`` label at the start of
the cue (accepted by the same rules as in plain text). Consecutive cues of one speaker (or
consecutive cues without one) form one turn, their speech joined by a space. A turn with a
speaker is written ``Name: speech`` so the stored text shows who speaks, ``speech_start``
pointing past ``Name: ``; turns are separated by a blank line. Cue times go on the turns
(start of the first cue, end of the last), never into the text. Cues without words are dropped.
"""

from __future__ import annotations

import html
import unicodedata
from dataclasses import dataclass
from itertools import groupby

import webvtt
from webvtt.errors import MalformedCaptionError, MalformedFileError

from codebench.domain.errors import InputError
from codebench.domain.model import ParsedTurn
from codebench.domain.parsing.labels import find_labels

_FORMAT_NAMES = {"vtt": "WebVTT", "srt": "SubRip (.srt)"}
TURN_BREAK = "\n\n"


@dataclass(frozen=True, slots=True)
class _Cue:
    speaker: str
    speech: str
    start_time: float
    end_time: float


def parse_captions(text: str, caption_format: str, filename: str) -> tuple[str, tuple[ParsedTurn, ...]]:
    """Read normalised caption text (``caption_format`` "vtt" or "srt"); return (text, turns)."""
    cues = _read_cues(text, caption_format, filename)
    if not cues:
        raise InputError(f"no captions with text in this {_FORMAT_NAMES[caption_format]} file", where=filename)
    parts: list[str] = []
    turns: list[ParsedTurn] = []
    position = 0
    for speaker, group in groupby(cues, key=lambda cue: cue.speaker):
        run = list(group)
        label = f"{speaker}: " if speaker else ""
        paragraph = label + " ".join(cue.speech for cue in run)
        turns.append(
            ParsedTurn(
                speaker=speaker,
                start=position,
                speech_start=position + len(label),
                end=position + len(paragraph),
                start_time=run[0].start_time,
                end_time=run[-1].end_time,
            )
        )
        parts.append(paragraph)
        position += len(paragraph) + len(TURN_BREAK)
    return TURN_BREAK.join(parts), tuple(turns)


def _read_cues(text: str, caption_format: str, filename: str) -> list[_Cue]:
    try:
        captions = webvtt.from_buffer(text.split("\n"), format=caption_format).captions
    except (MalformedFileError, MalformedCaptionError, ValueError) as exc:
        raise InputError(f"not a valid {_FORMAT_NAMES[caption_format]} file: {exc}", where=filename) from exc
    lines = [_clean(caption.text, unescape=caption_format == "vtt") for caption in captions]
    labels = {label.start: label for label in find_labels("\n".join(lines))}
    cues = []
    offset = 0
    for caption, line in zip(captions, lines, strict=True):
        speaker, speech = _clean(caption.voice or "", unescape=True), line
        label = labels.get(offset)
        if label is not None and not speaker:
            speaker, speech = label.speaker, line[label.end - offset :].strip()
        if speech:
            cues.append(_Cue(speaker, speech, _seconds(caption.start_time), _seconds(caption.end_time)))
        offset += len(line) + 1
    return cues


def _clean(text: str, *, unescape: bool) -> str:
    """One line of NFC text with single spaces (character references resolved if asked)."""
    if unescape:
        text = html.unescape(text)
    return unicodedata.normalize("NFC", " ".join(text.replace("\ufeff", " ").split()))


def _seconds(timestamp: webvtt.models.Timestamp) -> float:
    return timestamp.hours * 3600 + timestamp.minutes * 60 + timestamp.seconds + timestamp.milliseconds / 1000
