"""Coders, transcripts, turns and participant attributes."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, select

from codebench.domain import model as d
from codebench.domain.errors import ConflictError
from codebench.store import models as m
from codebench.store.repo_base import RepoBase, driver_value, insert_returning, insert_rows

TRANSCRIPT_COLUMNS = ("name", "position", "content_hash", "text", "source_format", "source_path", "imported_at")
TURN_COLUMNS = ("transcript_id", "idx", "speaker", "start", "speech_start", "end", "start_time", "end_time")


class TranscriptsRepo(RepoBase):
    # -- coders -------------------------------------------------------------------------
    def add_coder(self, name: str) -> bool:
        """Add a coder; False when the name already exists."""
        if self.session.scalar(select(m.Coder.id).where(m.Coder.name == name)) is not None:
            return False
        self.session.add(m.Coder(name=name))
        self.session.flush()
        return True

    def coders(self) -> list[d.Coder]:
        rows = self.session.execute(select(m.Coder.id, m.Coder.name).order_by(m.Coder.name))
        return [d.Coder(id=i, name=n) for i, n in rows]

    def coder_ids(self) -> dict[str, int]:
        return {c.name: c.id for c in self.coders()}

    # -- transcripts ----------------------------------------------------------------------
    def transcript_by_name(self, name: str) -> tuple[str, int] | None:
        """(content hash, number of codings) of a transcript, or None."""
        row = self.session.execute(
            select(m.Transcript.content_hash, m.Transcript.id).where(m.Transcript.name == name)
        ).first()
        if row is None:
            return None
        n = self.session.scalar(select(func.count()).where(m.Coding.transcript_id == row[1]))
        return row[0], int(n or 0)

    def transcript_name_by_hash(self, content_hash: str) -> str | None:
        return self.session.scalar(
            select(m.Transcript.name).where(m.Transcript.content_hash == content_hash).limit(1)
        )

    def transcript_hashes(self) -> dict[str, str]:
        """Content hash by transcript name, in the order the transcripts were added."""
        return dict(self.session.execute(
            select(m.Transcript.name, m.Transcript.content_hash).order_by(m.Transcript.id)).all())

    def add_transcript(self, name: str, parsed: d.ParsedTranscript, content_hash: str,
                       source_path: str | None) -> None:
        """Store a new transcript after the others."""
        self.add_transcripts([(name, parsed, content_hash, source_path)])

    def add_transcripts(self, items: Sequence[tuple[str, d.ParsedTranscript, str, str | None]]) -> None:
        """Store new transcripts after the others, in order: (name, parsed, content hash, source path)
        each. A few driver-level statements for the lot: imports add hundreds."""
        if not items:
            return
        connection = self.session.connection()
        table = m.Transcript.__table__
        position = connection.execute(select(func.max(table.c.position))).scalar() or 0
        imported_at = driver_value(connection, table.c.imported_at, m.utcnow())
        rows = [(name, position + k, content_hash, parsed.text, parsed.source_format, source_path, imported_at)
                for k, (name, parsed, content_hash, source_path) in enumerate(items, start=1)]
        ids = dict(insert_returning(connection, table, TRANSCRIPT_COLUMNS, rows, ("name", "id")))
        insert_rows(connection, m.Turn.__table__, TURN_COLUMNS,
                    [row for name, parsed, _, _ in items for row in _turn_rows(ids[name], parsed.turns)])

    def replace_transcript(self, name: str, parsed: d.ParsedTranscript, content_hash: str,
                           source_path: str | None) -> None:
        row = self._transcript(name)
        if self.session.scalar(select(func.count()).where(m.Coding.transcript_id == row.id)):
            raise ConflictError(f"transcript {name!r} has codings; it cannot be replaced")
        self.session.execute(delete(m.Turn).where(m.Turn.transcript_id == row.id))
        row.text, row.content_hash = parsed.text, content_hash
        row.source_format, row.source_path = parsed.source_format, source_path
        self._add_turns(row.id, parsed.turns)

    def _add_turns(self, transcript_id: int, turns: tuple[d.ParsedTurn, ...]) -> None:
        insert_rows(self.session.connection(), m.Turn.__table__, TURN_COLUMNS, _turn_rows(transcript_id, turns))

    def transcripts(self) -> list[d.TranscriptInfo]:
        """Every transcript in import order, with its participant attributes."""
        turn_counts = dict(
            self.session.execute(select(m.Turn.transcript_id, func.count()).group_by(m.Turn.transcript_id)).all()
        )
        attrs: dict[int, dict[str, str]] = {}
        for tid, key, value in self.session.execute(
            select(m.TranscriptAttribute.transcript_id, m.TranscriptAttribute.key, m.TranscriptAttribute.value)
        ):
            attrs.setdefault(tid, {})[key] = value
        rows = self.session.execute(
            select(m.Transcript.id, m.Transcript.name, m.Transcript.position, m.Transcript.source_format,
                   m.Transcript.content_hash, func.length(m.Transcript.text)).order_by(m.Transcript.position)
        )
        return [
            d.TranscriptInfo(id=i, name=n, position=p, source_format=f, content_hash=h, length=int(length or 0),
                             turns=int(turn_counts.get(i, 0)), attributes=attrs.get(i, {}))
            for i, n, p, f, h, length in rows
        ]

    def transcript_text(self, name: str) -> tuple[str, list[d.Turn]]:
        row = self._transcript(name)
        return row.text, self.turns_of(row.id)

    def turns_of(self, transcript_id: int) -> list[d.Turn]:
        rows = self.session.scalars(
            select(m.Turn).where(m.Turn.transcript_id == transcript_id).order_by(m.Turn.idx)
        )
        return [d.Turn(t.idx, t.speaker, t.start, t.speech_start, t.end, t.start_time, t.end_time) for t in rows]

    def all_texts(self) -> dict[str, str]:
        return dict(self.session.execute(select(m.Transcript.name, m.Transcript.text)).all())

    def all_turns(self) -> dict[str, list[d.Turn]]:
        """Turns of every transcript, by transcript name (one query)."""
        out: dict[str, list[d.Turn]] = {}
        rows = self.session.execute(
            select(m.Transcript.name, m.Turn.idx, m.Turn.speaker, m.Turn.start, m.Turn.speech_start, m.Turn.end,
                   m.Turn.start_time, m.Turn.end_time)
            .join(m.Turn, m.Turn.transcript_id == m.Transcript.id)
            .order_by(m.Transcript.position, m.Turn.idx)
        )
        for name, *values in rows:
            out.setdefault(name, []).append(d.Turn(*values))
        return out

    def set_attributes(self, values: dict[str, dict[str, str]]) -> None:
        """Set participant attributes: transcript name -> {attribute: value} (replaces those keys)."""
        for name, attrs in values.items():
            row = self._transcript(name)
            for key, value in attrs.items():
                self.session.merge(m.TranscriptAttribute(transcript_id=row.id, key=key, value=value))


def _turn_rows(transcript_id: int, turns: Sequence[d.ParsedTurn]) -> list[tuple]:
    return [(transcript_id, i, t.speaker, t.start, t.speech_start, t.end, t.start_time, t.end_time)
            for i, t in enumerate(turns)]
