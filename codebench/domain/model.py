"""Plain value types shared by the domain modules, the store and the services."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple


class ParsedTurn(NamedTuple):
    """One speaker turn of a parsed transcript.

    Offsets index the normalised transcript text: ``start`` is where the turn begins
    (its speaker label, if the text has one), ``speech_start`` where the spoken words begin,
    ``end`` where the turn's text ends (exclusive). Times are seconds, when the source had them.
    A named tuple rather than a dataclass: a long transcript has thousands of turns, and a
    tuple is several times cheaper to make, store and send between processes.
    """

    speaker: str
    start: int
    speech_start: int
    end: int
    start_time: float | None = None
    end_time: float | None = None


@dataclass(frozen=True, slots=True)
class ParsedTranscript:
    text: str
    turns: tuple[ParsedTurn, ...]
    source_format: str
    warnings: tuple[str, ...] = ()

    def __reduce__(self) -> tuple[object, ...]:
        """Pickle the turns as plain tuples: several times faster for workers that send transcripts back."""
        return _parsed_transcript, (self.text, tuple(map(tuple, self.turns)), self.source_format, self.warnings)


def _parsed_transcript(text: str, turns: tuple[tuple, ...], source_format: str,
                       warnings: tuple[str, ...]) -> ParsedTranscript:
    return ParsedTranscript(text, tuple(map(ParsedTurn._make, turns)), source_format, warnings)


@dataclass(frozen=True, slots=True)
class CodedSpan:
    """A coder's coding: ``code`` is whatever key the analysis works at (raw label or harmonised name)."""

    coder: str
    transcript: str
    start: int
    end: int
    code: str


@dataclass(frozen=True, slots=True)
class TranscriptInfo:
    id: int
    name: str
    position: int
    source_format: str
    content_hash: str
    length: int
    turns: int
    attributes: dict[str, str] = field(default_factory=dict)


STATUSES = ("not started", "in progress", "done")


@dataclass(frozen=True, slots=True)
class Coder:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class Turn:
    idx: int
    speaker: str
    start: int
    speech_start: int
    end: int
    start_time: float | None = None
    end_time: float | None = None


@dataclass(frozen=True, slots=True)
class Code:
    """A raw code: one coder's label."""

    id: int
    coder: str
    label: str
    memo: str | None = None
    harmonised: str | None = None
    uses: int = 0


@dataclass(frozen=True, slots=True)
class Coding:
    id: int
    coder: str
    code: str
    transcript: str
    start: int
    end: int
    quote: str
    memo: str | None = None
    code_id: int = 0


@dataclass(frozen=True, slots=True)
class StatusCell:
    transcript: str
    coder: str
    status: str
    codings: int


@dataclass(frozen=True, slots=True)
class AnalysisCoding:
    """A coding with every level it can be analysed at (None where not yet harmonised)."""

    coder: str
    transcript: str
    start: int
    end: int
    raw: str
    harmonised: str | None
    theme: str | None
    category: str | None

    def key(self, level: str) -> str | None:
        """The code at ``level``: raw (the label, case-folded), harmonised, theme or category."""
        if level == "raw":
            return self.raw.casefold()
        return {"harmonised": self.harmonised, "theme": self.theme, "category": self.category}[level]
