"""Fast read queries for the analyses and the exports.

These run Core selects on the session's connection and return plain tuples or small dataclasses: the
analyses read every coding of a project (100,000 in a large study), where building ORM rows or one
object per coding costs more than the arithmetic. Work that only needs a few columns asks for those.
"""

from __future__ import annotations

from collections import defaultdict
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

    ``rank`` is the code's place in the database's order of codes (coder name, then case-folded label),
    which ``codings()`` uses to order codings of the same span.
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
    """How a code is used: its codings, in how many transcripts, by how many coders, and its first coding
    in text order: ``first`` is that coding's place (transcript position, start, end, code rank), comparable
    across codes, ``first_quote`` its quote as stored. Coders are counted as the coders owning the codes."""

    codings: int
    transcripts: int
    coders: int
    first: tuple[int, int, int, int]
    first_quote: str


# (coder id, code id, transcript id, start, end, quote, memo) of one coding
QuoteRecord = tuple[int, int, int, int, int, str, str | None]
# (start, index, speaker) of one turn
TurnMark = tuple[int, int, str]
# (coder, transcript, start, end, code id) of one coding
SpanRecord = tuple[str, str, int, int, int]
# (coder id, transcript id, start, end, code id) of one coding
CodingIds = tuple[int, int, int, int, int]
# (transcript id, index, speaker, start, speech start, end) of one turn
TurnRow = tuple[int, int, str, int, int, int]


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for at in range(0, len(ids), _IN_CHUNK):
        yield ids[at:at + _IN_CHUNK]


class ReadsRepo(RepoBase):
    def _rows(self, query: Select[Any]) -> list[Any]:
        """All rows of a Core select, on the session's connection (no ORM row processing)."""
        return self.session.connection().execute(query).all()

    def _driver_rows(self, query: Select[Any]) -> list[tuple]:
        """All rows of a Core select without parameters, as the driver's own tuples, on the session's connection.

        SQLAlchemy's row objects cost as much as the query on 100,000 rows; this skips them, so it suits
        columns the driver already returns as the Python values wanted (integers, text).
        """
        connection = self.session.connection()
        cursor = connection.connection.cursor()
        try:
            cursor.execute(query.compile(dialect=connection.dialect).string)
            return cursor.fetchall()
        finally:
            cursor.close()

    def analysis_codings(self) -> list[AnalysisCoding]:
        """Every coding with its raw label, harmonised code, theme and category, in text order (one query)."""
        q = (
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
        return [AnalysisCoding(*row) for row in self._rows(q)]

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
        return self._rows(q)

    def coding_ids(self) -> list[CodingIds]:
        """(coder id, transcript id, start, end, code id) of every coding, in no particular order: the
        lean read of the agreement, which maps the ids to names and codes itself."""
        return self._driver_rows(select(m.Coding.coder_id, m.Coding.transcript_id, m.Coding.start, m.Coding.end,
                                        m.Coding.code_id))

    def transcript_texts(self) -> list[tuple[int, str, str]]:
        """(id, name, text) of every transcript, in transcript order."""
        return self._rows(select(m.Transcript.id, m.Transcript.name, m.Transcript.text).order_by(m.Transcript.position))

    def turn_rows(self) -> list[TurnRow]:
        """(transcript id, index, speaker, start, speech start, end) of every turn, by transcript id then index."""
        return self._driver_rows(select(m.Turn.transcript_id, m.Turn.idx, m.Turn.speaker, m.Turn.start,
                                        m.Turn.speech_start, m.Turn.end).order_by(m.Turn.transcript_id, m.Turn.idx))

    def code_usage(self, placements: dict[int, CodePlacement]) -> tuple[dict[int, CodeUsage], dict[str, CodeUsage]]:
        """How each used raw code (by id) and each used harmonised code (by name) is used; codes without
        codings are left out. ``placements`` as ``code_placements`` gives them. Counting is left to the
        database; of the quotes only the first of each code is read."""
        firsts = self._first_codings(placements)
        quotes = self._quotes([coding_id for _, coding_id in firsts.values()])
        raw = {code_id: CodeUsage(int(n), int(transcripts), 1, firsts[code_id][0], quotes[firsts[code_id][1]])
               for code_id, n, transcripts in self._rows(
                   select(m.Coding.code_id, func.count(), func.count(m.Coding.transcript_id.distinct()))
                   .group_by(m.Coding.code_id))}
        first_of: dict[str, tuple[tuple[int, int, int, int], int]] = {}
        for code_id, (place, coding_id) in firsts.items():
            name = placements[code_id].harmonised
            if name is not None and (name not in first_of or place < first_of[name][0]):
                first_of[name] = (place, coding_id)
        counts = (  # grouped by the codes' column first: the database then starts from the harmonised codes
            select(m.Code.harmonised_code_id.label("id"), func.count().label("n"),
                   func.count(m.Coding.transcript_id.distinct()).label("transcripts"),
                   func.count(m.Code.coder_id.distinct()).label("coders"))
            .join(m.Coding, m.Coding.code_id == m.Code.id)
            .where(m.Code.harmonised_code_id.is_not(None))
            .group_by(m.Code.harmonised_code_id)
            .subquery()
        )
        harmonised = (select(m.HarmonisedCode.name, counts.c.n, counts.c.transcripts, counts.c.coders)
                      .join(counts, counts.c.id == m.HarmonisedCode.id))
        by_name = {name: CodeUsage(int(n), int(transcripts), int(coders), first_of[name][0],
                                   quotes[first_of[name][1]])
                   for name, n, transcripts, coders in self._rows(harmonised)}
        return raw, by_name

    def _first_codings(self, placements: dict[int, CodePlacement]) -> dict[int, tuple[tuple[int, int, int, int], int]]:
        """Raw code id -> (place in text order, coding id) of its first coding: among the codings in the
        code's first transcript, the one with the lowest (start, end)."""
        first_position = (
            select(m.Coding.code_id, func.min(m.Transcript.position).label("position"))
            .join(m.Transcript, m.Transcript.id == m.Coding.transcript_id)
            .group_by(m.Coding.code_id)
            .subquery()
        )
        q = (
            select(m.Coding.code_id, m.Transcript.position, m.Coding.start, m.Coding.end, m.Coding.id)
            .join(m.Transcript, m.Transcript.id == m.Coding.transcript_id)
            .join(first_position, (first_position.c.code_id == m.Coding.code_id)
                  & (first_position.c.position == m.Transcript.position))
        )
        firsts: dict[int, tuple[tuple[int, int, int, int], int]] = {}
        for code_id, position, start, end, coding_id in self._rows(q):
            place = (position, start, end, placements[code_id].rank)
            if code_id not in firsts or place < firsts[code_id][0]:
                firsts[code_id] = (place, coding_id)
        return firsts

    def _quotes(self, coding_ids: Sequence[int]) -> dict[int, str]:
        out: dict[int, str] = {}
        for chunk in _chunks(coding_ids):
            out.update(self._rows(select(m.Coding.id, m.Coding.quote).where(m.Coding.id.in_(chunk))))
        return out

    def quote_records(self, placements: dict[int, CodePlacement]) -> list[QuoteRecord]:
        """Every coding with its quote and memo, in text order (transcript position, start, end, code
        label), the order ``codings()`` gives; ``placements`` as ``code_placements`` gives them. Coders
        and transcripts come as ids: names on 100,000 rows cost more than mapping them afterwards."""
        position = dict(self._driver_rows(select(m.Transcript.id, m.Transcript.position)))
        rank = {code_id: p.rank for code_id, p in placements.items()}
        rows = self._driver_rows(select(m.Coding.coder_id, m.Coding.code_id, m.Coding.transcript_id, m.Coding.start,
                                        m.Coding.end, m.Coding.quote, m.Coding.memo))
        rows.sort(key=lambda r: (position[r[2]], r[3], r[4], rank[r[1]]))
        return rows

    def turn_marks(self) -> dict[str, list[TurnMark]]:
        """(start, index, speaker) of every turn, by transcript name, in turn order."""
        out: dict[str, list[TurnMark]] = defaultdict(list)
        q = (select(m.Transcript.name, m.Turn.start, m.Turn.idx, m.Turn.speaker)
             .join(m.Turn, m.Turn.transcript_id == m.Transcript.id).order_by(m.Transcript.position, m.Turn.idx))
        for name, start, idx, speaker in self._driver_rows(q):
            out[name].append((start, idx, speaker))
        return dict(out)
