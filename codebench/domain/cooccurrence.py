"""Co-occurrence of codes in units of text (turns or whole transcripts), and code frequencies.

A unit is a speaker turn or a transcript. A coding belongs to every turn its span overlaps (a
zero-length span to the turn it sits in). Two codes co-occur in a unit when both were applied to it,
by any coder. Counts come from a units x codes incidence matrix, so ``counts = R.T @ C``.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from codebench.domain.errors import InputError
from codebench.domain.model import AnalysisCoding

UNITS = ("turn", "transcript")
LEVELS = ("harmonised", "theme")

Unit = tuple[str, int]  # (transcript, turn index); the index is 0 for transcript units
Spans = Mapping[str, Sequence[tuple[int, int]]]  # transcript -> (start, end) of each turn, in text order


@dataclass(frozen=True, slots=True)
class Cooccurrence:
    """How often each row code shares a unit with each column code.

    ``counts[i][j]`` units hold both ``rows[i]`` and ``cols[j]``; ``row_units[i]`` / ``col_units[j]``
    units hold the code at all; ``units`` is the number of units analysed (coded or not).
    """

    unit: str
    level: str
    rows: tuple[str, ...]
    cols: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]
    row_units: tuple[int, ...]
    col_units: tuple[int, ...]
    units: int

    def share(self, i: int, j: int) -> float:
        """Share of all units in which ``rows[i]`` and ``cols[j]`` co-occur."""
        return self.counts[i][j] / self.units if self.units else 0.0

    def share_of_row(self, i: int, j: int) -> float:
        """Share of the units holding ``rows[i]`` that also hold ``cols[j]``."""
        return self.counts[i][j] / self.row_units[i] if self.row_units[i] else 0.0

    def cells(self) -> list[dict[str, object]]:
        """One dict per (row, col): counts and shares (rounded to 4 places)."""
        return [
            {"row": r, "col": c, "count": self.counts[i][j], "share": round(self.share(i, j), 4),
             "share_of_row": round(self.share_of_row(i, j), 4)}
            for i, r in enumerate(self.rows) for j, c in enumerate(self.cols)
        ]


def units_of(coding: AnalysisCoding, unit: str, turn_spans: Spans) -> list[Unit]:
    """The units a coding belongs to; a transcript without turns is one unit."""
    if unit == "transcript":
        return [(coding.transcript, 0)]
    spans = turn_spans.get(coding.transcript) or ()
    if not spans:
        return [(coding.transcript, 0)]
    hit = [(coding.transcript, i) for i, (start, end) in enumerate(spans) if start < coding.end and coding.start < end]
    if hit:
        return hit
    # A zero-length span, or one in the gap between turns: the turn that starts at or before it.
    return [(coding.transcript, max(bisect_right([s for s, _ in spans], coding.start) - 1, 0))]


def _all_units(transcripts: Sequence[str], unit: str, turn_spans: Spans) -> list[Unit]:
    if unit == "transcript":
        return [(t, 0) for t in transcripts]
    return [(t, i) for t in transcripts for i in range(max(len(turn_spans.get(t) or ()), 1))]


def cooccurrence(
    codings: Sequence[AnalysisCoding],
    transcripts: Sequence[str],
    turn_spans: Spans,
    *,
    level: str = "harmonised",
    unit: str = "turn",
    rows: Sequence[str] | None = None,
    cols: Sequence[str] | None = None,
) -> Cooccurrence:
    """Co-occurrence counts of ``rows`` x ``cols`` codes at ``level`` over every unit of ``transcripts``.

    ``rows``/``cols`` default to every code found at the level (sorted); codings without a code at
    the level (not harmonised, no theme) are ignored.
    """
    if unit not in UNITS:
        raise InputError(f"unit must be one of {', '.join(UNITS)} (got {unit!r})")
    if level not in LEVELS:
        raise InputError(f"level must be one of {', '.join(LEVELS)} (got {level!r})")
    found = sorted({k for c in codings if (k := c.key(level)) is not None})
    row_codes = tuple(found if rows is None else rows)
    col_codes = tuple(found if cols is None else cols)
    all_units = _all_units(transcripts, unit, turn_spans)
    index = {u: n for n, u in enumerate(all_units)}
    codes = sorted(set(row_codes) | set(col_codes))
    column = {code: n for n, code in enumerate(codes)}
    incidence = np.zeros((len(all_units), len(codes)), dtype=np.int64)
    for coding in codings:
        code = coding.key(level)
        if code not in column:
            continue
        for u in units_of(coding, unit, turn_spans):
            if u in index:
                incidence[index[u], column[code]] = 1
    r = incidence[:, [column[c] for c in row_codes]]
    c = incidence[:, [column[c] for c in col_codes]]
    counts = r.T @ c
    return Cooccurrence(
        unit=unit, level=level, rows=row_codes, cols=col_codes,
        counts=tuple(tuple(int(v) for v in line) for line in counts),
        row_units=tuple(int(v) for v in r.sum(axis=0)), col_units=tuple(int(v) for v in c.sum(axis=0)),
        units=len(all_units),
    )


@dataclass(frozen=True, slots=True)
class Frequency:
    """How widely one code was used: in how many interviews and codings, overall and per group."""

    code: str
    interviews: int
    codings: int
    coders: int
    by_group: Mapping[str, tuple[int, int]]  # group value -> (interviews, codings)


MISSING = "(missing)"


def frequencies(
    codings: Sequence[AnalysisCoding],
    level: str,
    groups: Mapping[str, str] | None = None,
) -> list[Frequency]:
    """Per code at ``level``: distinct interviews, codings and coders, most frequent first.

    ``groups`` maps a transcript to its group (e.g. a participant attribute's value); codings of
    transcripts outside it count under ``MISSING``.
    """
    per_code: dict[str, list[AnalysisCoding]] = {}
    for c in codings:
        key = c.key(level)
        if key is not None:
            per_code.setdefault(key, []).append(c)
    out = []
    for code, items in per_code.items():
        by_group: dict[str, tuple[int, int]] = {}
        if groups is not None:
            split: dict[str, list[AnalysisCoding]] = {}
            for c in items:
                split.setdefault(groups.get(c.transcript, MISSING), []).append(c)
            by_group = {g: (len({c.transcript for c in cs}), len(cs)) for g, cs in sorted(split.items())}
        out.append(Frequency(code, len({c.transcript for c in items}), len(items), len({c.coder for c in items}),
                             by_group))
    return sorted(out, key=lambda f: (-f.interviews, -f.codings, f.code))
