"""Fast read queries for the analyses and the exports.

These run Core selects on the session's connection and return plain tuples or small dataclasses: the
analyses read every coding of a project (100,000 in a large study), where building ORM rows or one
object per coding costs more than the arithmetic. Work that only needs a few columns asks for those.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select

from codebench.domain.model import AnalysisCoding
from codebench.store import models as m
from codebench.store.repo_base import RepoBase

_IN_CHUNK = 500  # ids per IN (...) list, well under every backend's parameter limit


@dataclass(frozen=True, slots=True)
class CodePlacement:
    """A raw code with the harmonised code, theme and category it reaches (None where not placed yet).

    ``rank`` is the code's place in the project's code order (coder name, then case-folded label), the
    order the database sorts codings of the same span in.
    """

    id: int
    coder: str
    raw: str
    harmonised: str | None
    theme: str | None
    category: str | None
    rank: int

    def key(self, level: str) -> str | None:
        """The code at ``level``, as ``AnalysisCoding.key`` gives it for the code's codings."""
        if level == "raw":
            return self.raw.casefold()
        return {"harmonised": self.harmonised, "theme": self.theme, "category": self.category}[level]


@dataclass(frozen=True, slots=True)
class CodeUsage:
    """How one raw code is used: how often, in which transcripts, by whom, and its first coding in text order.

    ``first`` is the first coding's place in text order (transcript position, start, end, code rank),
    comparable across codes; ``first_quote`` its quote as stored.
    """

    codings: int
    transcripts: frozenset[str]
    coders: frozenset[str]
    first: tuple[int, int, int, int]
    first_quote: str


# (coder, raw label, transcript, start, end, quote, memo, code id) of one coding
QuoteRecord = tuple[str, str, str, int, int, str, str | None, int]
# (start, index, speaker) of one turn
TurnMark = tuple[int, int, str]
# (coder, transcript, start, end, code id) of one coding
SpanRecord = tuple[str, str, int, int, int]


def _analysis_query() -> Select[Any]:
    return (
        select(m.Coder.name, m.Transcript.name, m.Coding.start, m.Coding.end, m.Code.label,
               m.HarmonisedCode.name, m.Theme.name, m.Category.name)
        .select_from(m.Coding)
        .join(m.Coder, m.Coder.id == m.Coding.coder_id)
        .join(m.Transcript, m.Transcript.id == m.Coding.transcript_id)
        .join(m.Code, m.Code.id == m.Coding.code_id)
        .outerjoin(m.HarmonisedCode, m.HarmonisedCode.id == m.Code.harmonised_code_id)
        .outerjoin(m.Theme, m.Theme.id == m.HarmonisedCode.theme_id)
        .outerjoin(m.Category, m.Category.id == m.Theme.category_id)
        .order_by(m.Transcript.position, m.Coding.start, m.Coding.end)
    )


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for at in range(0, len(ids), _IN_CHUNK):
        yield ids[at:at + _IN_CHUNK]


class ReadsRepo(RepoBase):
    def _rows(self, query: Select[Any]) -> list[Any]:
        """All rows of a Core select, on the session's connection (no ORM row processing)."""
        return self.session.connection().execute(query).all()

    def analysis_codings(self) -> list[AnalysisCoding]:
        """Every coding with its raw label, harmonised code, theme and category, in text order (one query)."""
        return [AnalysisCoding(*row) for row in self._rows(_analysis_query())]

    def code_placements(self) -> dict[int, CodePlacement]:
        """Every raw code by id, with its harmonised code, theme, category and rank in code order."""
        q = (
            select(m.Code.id, m.Coder.name, m.Code.label, m.HarmonisedCode.name, m.Theme.name, m.Category.name)
            .join(m.Coder, m.Coder.id == m.Code.coder_id)
            .outerjoin(m.HarmonisedCode, m.HarmonisedCode.id == m.Code.harmonised_code_id)
            .outerjoin(m.Theme, m.Theme.id == m.HarmonisedCode.theme_id)
            .outerjoin(m.Category, m.Category.id == m.Theme.category_id)
            .order_by(m.Coder.name, m.Code.label_key)
        )
        return {row[0]: CodePlacement(*row, rank=rank) for rank, row in enumerate(self._rows(q))}

    def coding_counts(self) -> list[tuple[str, str, int, int]]:
        """(transcript, coder, code id, number of codings) for every code used in a transcript."""
        counts = (
            select(m.Coding.transcript_id, m.Coding.coder_id, m.Coding.code_id, func.count().label("n"))
            .group_by(m.Coding.transcript_id, m.Coding.coder_id, m.Coding.code_id)
            .subquery()
        )
        q = (
            select(m.Transcript.name, m.Coder.name, counts.c.code_id, counts.c.n)
            .join(m.Transcript, m.Transcript.id == counts.c.transcript_id)
            .join(m.Coder, m.Coder.id == counts.c.coder_id)
        )
        return [(t, coder, code_id, int(n)) for t, coder, code_id, n in self._rows(q)]

    def coding_spans(self) -> list[SpanRecord]:
        """(coder, transcript, start, end, code id) of every coding, in the text order of
        ``analysis_codings`` (transcript position, start, end)."""
        q = (
            select(m.Coder.name, m.Transcript.name, m.Coding.start, m.Coding.end, m.Coding.code_id)
            .select_from(m.Coding)
            .join(m.Coder, m.Coder.id == m.Coding.coder_id)
            .join(m.Transcript, m.Transcript.id == m.Coding.transcript_id)
            .order_by(m.Transcript.position, m.Coding.start, m.Coding.end)
        )
        return [tuple(row) for row in self._rows(q)]  # type: ignore[misc]

    def _positions(self) -> tuple[dict[int, tuple[str, int]], dict[int, str]]:
        """Transcript id -> (name, position) and coder id -> name."""
        transcripts = {i: (name, pos) for i, name, pos in self._rows(
            select(m.Transcript.id, m.Transcript.name, m.Transcript.position))}
        coders = {i: name for i, name in self._rows(select(m.Coder.id, m.Coder.name))}
        return transcripts, coders

    def code_usage(self, placements: dict[int, CodePlacement]) -> dict[int, CodeUsage]:
        """How each used raw code is used (codes without codings are left out); ``placements`` as
        ``code_placements`` gives them. Reads the codings' positions, then only the first quotes."""
        transcripts, coders = self._positions()
        codings: Counter[int] = Counter()
        where: dict[int, set[str]] = defaultdict(set)
        who: dict[int, set[str]] = defaultdict(set)
        first: dict[int, tuple[tuple[int, int, int, int], int]] = {}
        q = select(m.Coding.id, m.Coding.code_id, m.Coding.transcript_id, m.Coding.coder_id, m.Coding.start,
                   m.Coding.end)
        for coding_id, code_id, transcript_id, coder_id, start, end in self._rows(q):
            name, position = transcripts[transcript_id]
            codings[code_id] += 1
            where[code_id].add(name)
            who[code_id].add(coders[coder_id])
            place = (position, start, end, placements[code_id].rank)
            known = first.get(code_id)
            if known is None or place < known[0]:
                first[code_id] = (place, coding_id)
        quotes = self._quotes([coding_id for _, coding_id in first.values()])
        return {code_id: CodeUsage(codings[code_id], frozenset(where[code_id]), frozenset(who[code_id]), place,
                                   quotes[coding_id])
                for code_id, (place, coding_id) in first.items()}

    def _quotes(self, coding_ids: Sequence[int]) -> dict[int, str]:
        out: dict[int, str] = {}
        for chunk in _chunks(coding_ids):
            out.update(self._rows(select(m.Coding.id, m.Coding.quote).where(m.Coding.id.in_(chunk))))
        return out

    def quote_records(self, placements: dict[int, CodePlacement]) -> list[QuoteRecord]:
        """Every coding with its quote and memo, in text order (transcript position, start, end, coder,
        code label), the order ``codings()`` gives; ``placements`` as ``code_placements`` gives them."""
        transcripts, coders = self._positions()
        q = select(m.Coding.coder_id, m.Coding.code_id, m.Coding.transcript_id, m.Coding.start, m.Coding.end,
                   m.Coding.quote, m.Coding.memo)
        rows = self._rows(q)
        rows.sort(key=lambda r: (transcripts[r[2]][1], r[3], r[4], placements[r[1]].rank))
        return [(coders[coder_id], placements[code_id].raw, transcripts[transcript_id][0], start, end, quote, memo,
                 code_id)
                for coder_id, code_id, transcript_id, start, end, quote, memo in rows]

    def turn_marks(self) -> dict[str, list[TurnMark]]:
        """(start, index, speaker) of every turn, by transcript name, in turn order."""
        out: dict[str, list[TurnMark]] = defaultdict(list)
        q = (select(m.Transcript.name, m.Turn.start, m.Turn.idx, m.Turn.speaker)
             .join(m.Turn, m.Turn.transcript_id == m.Transcript.id).order_by(m.Transcript.position, m.Turn.idx))
        for name, start, idx, speaker in self._rows(q):
            out[name].append((start, idx, speaker))
        return dict(out)
