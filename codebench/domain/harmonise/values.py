"""Value types of harmonisation: raw codes, their codings, and suggested groups."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RawCode:
    """One coder's label before harmonisation, e.g. coder ``"ana"``, label ``"grid search"``."""

    id: int
    coder: str
    label: str


@dataclass(frozen=True, slots=True)
class RawCoding:
    """One application of a raw code to a quote: characters ``start:end`` of a transcript.

    ``turn`` is the index of the speaker turn the quote lies in, when known.
    """

    code_id: int
    transcript: str
    start: int
    end: int
    turn: int | None = None


@dataclass(frozen=True, slots=True)
class SuggestionGroup:
    """Raw codes the engine proposes to merge into one harmonised code.

    ``score`` is the mean combined similarity over the group's pairs; ``label_similarity``,
    ``overlap`` and ``semantic`` are the means of each evidence column (``overlap`` over pairs of
    different coders only, ``semantic`` is None without an embedder). ``shared_quotes`` counts
    quote units coded with the group's codes by at least two different coders, and
    ``example_quote`` is one of them as ``(transcript, start, end)``. ``vetoed_pairs`` counts
    pairs one coder applied to the same text (evidence that the two mean different things).
    """

    code_ids: tuple[int, ...]
    score: float
    label_similarity: float
    overlap: float
    shared_quotes: int
    example_quote: tuple[str, int, int] | None
    semantic: float | None
    vetoed_pairs: int
