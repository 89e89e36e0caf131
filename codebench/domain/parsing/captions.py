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
from itertools import groupby
from operator import itemgetter
from typing import NamedTuple

import webvtt
from webvtt.errors import MalformedCaptionError, MalformedFileError

from codebench.domain.errors import InputError
from codebench.domain.model import ParsedTurn
from codebench.domain.parsing.labels import find_labels

_FORMAT_NAMES = {"vtt": "WebVTT", "srt": "SubRip (.srt)"}
_PLAIN_TIME = r"(?:(\d{2,10}):)?([0-5]\d):([0-5]\d)\.(\d{3})"
# What webvtt-py removes from each line ("<.*?>") and its voice span on the first line, applied to a cue's
# whole payload (its lines joined by "\n") and kept within a line:
_PAYLOAD_TAG = re.compile(r"<[^>\n]*>")
_PAYLOAD_VOICE = re.compile(r"<v(?:\.\w+)*[^\S\n]+([^>\s][^>\n]*)>")
# A plain cue block (all of it, group 1): optional identifier line, timing line, text lines (payload starts
# with "\n"), separator.
_PLAIN_BLOCK = re.compile(rf"((?:[^\n]+\n)?{_PLAIN_TIME} --> {_PLAIN_TIME}((?:\n[^\n]+)*)(?:\n\n+|\Z))")
_BLANK_LOOKING_LINE = re.compile(r"^[^\S\n]+$", re.MULTILINE)  # a line of only whitespace
TURN_BREAK = "\n\n"


class _Cue(NamedTuple):
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
    for speaker, group in groupby(cues, key=itemgetter(0)):
        run = list(group)
        label = f"{speaker}: " if speaker else ""
        paragraph = label + " ".join([cue.speech for cue in run])
        end = position + len(paragraph)
        turns.append(ParsedTurn(speaker, position, position + len(label), end, run[0].start_time, run[-1].end_time))
        parts.append(paragraph)
        position = end + len(TURN_BREAK)
    return TURN_BREAK.join(parts), tuple(turns)


class _Caption(NamedTuple):
    """A caption as read: text without cue tags (lines joined by "\\n"), voice, times in seconds."""

    text: str
    voice: str
    start_time: float
    end_time: float


def _read_cues(text: str, caption_format: str, filename: str) -> list[_Cue]:
    captions = _plain_vtt(text) if caption_format == "vtt" else None
    if captions is None:
        captions = _webvtt_captions(text, caption_format, filename)
    unescape = caption_format == "vtt"
    lines = [_clean(caption.text, unescape=unescape) for caption in captions]
    voices = {voice: _clean(voice, unescape=True) for voice in {caption.voice for caption in captions}}
    if all(voices.values()):  # every cue has its speaker's voice tag: no label can apply
        return [_Cue(voices[voice], line, start, end)
                for (_, voice, start, end), line in zip(captions, lines, strict=True) if line]
    labels = {label.start: label for label in find_labels("\n".join(lines))}
    cues = []
    offset = 0
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

    One pattern reads every block at once; the blocks must follow each other without a gap, and
    the file must hold one ``-->`` per block (so no identifier or text line holds one).
    """
    header, _, body = text.partition("\n")
    if not header.startswith("WEBVTT") or "-->" in header or body[:1] not in ("", "\n"):
        return None
    body = body.strip("\n")
    if _BLANK_LOOKING_LINE.search(body):
        return None
    blocks = _PLAIN_BLOCK.findall(body)  # (whole block, 8 time fields, payload) each
    if sum(len(block[0]) for block in blocks) != len(body) or body.count("-->") != len(blocks):
        return None  # a gap between blocks (matches never overlap), or a "-->" outside a timing line
    captions = []
    for _, h1, m1, s1, f1, h2, m2, s2, f2, payload in blocks:
        voice = _PAYLOAD_VOICE.match(payload, 1)
        text = payload[voice.end():] if voice else payload[1:]  # a voice span is the first tag
        if "<" in text:
            text = _PAYLOAD_TAG.sub("", text)
        captions.append(_Caption(text, voice[1] if voice else "", _plain_seconds(h1, m1, s1, f1),
                                 _plain_seconds(h2, m2, s2, f2)))
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
