"""WebVTT and SubRip captions to transcript text and turns (via webvtt-py, plain WebVTT read directly).

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
import re
import unicodedata
from dataclasses import dataclass
from itertools import groupby

import webvtt
from webvtt.errors import MalformedCaptionError, MalformedFileError

from codebench.domain.errors import InputError
from codebench.domain.model import ParsedTurn
from codebench.domain.parsing.labels import find_labels

_FORMAT_NAMES = {"vtt": "WebVTT", "srt": "SubRip (.srt)"}
_PLAIN_TIME = r"(?:(\d{2,10}):)?([0-5]\d):([0-5]\d)\.(\d{3})"
_PLAIN_TIMINGS = re.compile(f"{_PLAIN_TIME} --> {_PLAIN_TIME}")
_BLOCK_BREAK = re.compile("\n\n+")
_CUE_TAG = re.compile(r"<[^>]*>")  # what webvtt-py removes from a line: "<.*?>"
_VOICE = re.compile(r"<v(?:\.\w+)*\s+([^>\s][^>]*)>")  # webvtt-py's voice span, on the first line
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


@dataclass(frozen=True, slots=True)
class _Caption:
    """A caption as read: text without cue tags (lines joined by "\\n"), voice, times in seconds."""

    text: str
    voice: str
    start_time: float
    end_time: float


def _read_cues(text: str, caption_format: str, filename: str) -> list[_Cue]:
    captions = _plain_vtt(text) if caption_format == "vtt" else None
    if captions is None:
        captions = _webvtt_captions(text, caption_format, filename)
    lines = [_clean(caption.text, unescape=caption_format == "vtt") for caption in captions]
    labels = {label.start: label for label in find_labels("\n".join(lines))}
    cues = []
    offset = 0
    voices = {voice: _clean(voice, unescape=True) for voice in {caption.voice for caption in captions}}
    for caption, line in zip(captions, lines, strict=True):
        speaker, speech = voices[caption.voice], line
        label = labels.get(offset)
        if label is not None and not speaker:
            speaker, speech = label.speaker, line[label.end - offset :].strip()
        if speech:
            cues.append(_Cue(speaker, speech, caption.start_time, caption.end_time))
        offset += len(line) + 1
    return cues


def _webvtt_captions(text: str, caption_format: str, filename: str) -> list[_Caption]:
    """Captions read by webvtt-py: any file it accepts."""
    try:
        captions = webvtt.from_buffer(text.split("\n"), format=caption_format).captions
    except (MalformedFileError, MalformedCaptionError, ValueError) as exc:
        raise InputError(f"not a valid {_FORMAT_NAMES[caption_format]} file: {exc}", where=filename) from exc
    return [_Caption(c.text, c.voice or "", _seconds(c.start_time), _seconds(c.end_time)) for c in captions]


def _plain_vtt(text: str) -> list[_Caption] | None:
    """Captions of a plain WebVTT file, read as webvtt-py reads them; None for any other file.

    Plain: a one-line ``WEBVTT`` header, then blocks split by empty lines, each an optional
    identifier, a ``[hh:]mm:ss.ttt --> [hh:]mm:ss.ttt`` line without settings and text lines
    without ``-->``; no lines of only whitespace. Notes, styles, regions, cue settings and
    short timestamps are left to webvtt-py.
    """
    header, _, body = text.partition("\n")
    if not header.startswith("WEBVTT") or "-->" in header or body[:1] not in ("", "\n"):
        return None
    body = body.strip("\n")
    cues = [block.split("\n") for block in _BLOCK_BREAK.split(body)] if body else []
    captions = []
    for block in cues:
        timing = 1 if len(block) > 1 and "-->" not in block[0] else 0
        times = _PLAIN_TIMINGS.fullmatch(block[timing])
        payload = block[timing + 1 :]
        if times is None or any("-->" in line for line in payload) or not all(map(str.strip, block)):
            return None
        voice = _VOICE.match(payload[0]) if payload else None
        captions.append(_Caption("\n".join(_CUE_TAG.sub("", line) for line in payload),
                                 voice[1] if voice else "", _plain_seconds(*times.groups()[:4]),
                                 _plain_seconds(*times.groups()[4:])))
    return captions


def _clean(text: str, *, unescape: bool) -> str:
    """One line of NFC text with single spaces (character references resolved if asked)."""
    if unescape:
        text = html.unescape(text)
    return unicodedata.normalize("NFC", " ".join(text.replace("\ufeff", " ").split()))


def _seconds(timestamp: webvtt.models.Timestamp) -> float:
    return timestamp.hours * 3600 + timestamp.minutes * 60 + timestamp.seconds + timestamp.milliseconds / 1000


def _plain_seconds(hours: str | None, minutes: str, seconds: str, milliseconds: str) -> float:
    """Seconds of a plain timestamp's fields, computed as ``_seconds`` does."""
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(milliseconds) / 1000
