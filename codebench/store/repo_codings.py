"""Raw codes, codings and per-coder transcript status.

Every method that serves one coder takes that coder's name and filters by it, so a caller
holding one coder's name cannot read or change another coder's work.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import islice, repeat
from operator import itemgetter

from sqlalchemy import delete, func, select

from codebench.domain import model as d
from codebench.domain.errors import ConflictError, InputError, NotFoundError
from codebench.store import models as m
from codebench.store.models import utcnow
from codebench.store.repo_base import RepoBase, driver_value, insert_returning, insert_rows


# The values of a new coding, in the order ``insert_codings`` takes them as a tuple.
CODING_COLUMNS = ("coder_id", "code_id", "transcript_id", "start", "end", "quote", "memo")
INSERT_BATCH = 4096


def label_key(label: str) -> str:
    return " ".join(label.split()).casefold()


class CodingsRepo(RepoBase):
    # -- raw codes ------------------------------------------------------------------------
    def codes(self, coder: str | None = None) -> list[d.Code]:
        """Raw codes (of one coder, or all) with their number of codings and harmonised code."""
        counted = select(m.Coding.code_id, func.count().label("n"))
        if coder is not None:
            counted = counted.where(m.Coding.coder_id == self._coder(coder).id)
        uses = counted.group_by(m.Coding.code_id).subquery()
        q = (
            select(m.Code.id, m.Coder.name, m.Code.label, m.Code.memo, m.HarmonisedCode.name,
                   func.coalesce(uses.c.n, 0))
            .join(m.Coder, m.Coder.id == m.Code.coder_id)
            .outerjoin(m.HarmonisedCode, m.HarmonisedCode.id == m.Code.harmonised_code_id)
            .outerjoin(uses, uses.c.code_id == m.Code.id)
            .order_by(m.Coder.name, m.Code.label_key)
        )
        if coder is not None:
            q = q.where(m.Code.coder_id == self._coder(coder).id)
        return [d.Code(id=i, coder=c, label=lab, memo=memo, harmonised=h, uses=int(n))
                for i, c, lab, memo, h, n in self.session.execute(q)]

    def add_missing_codes(self, coder_id: int, labels: Iterable[str]) -> tuple[dict[str, int], set[str]]:
        """Ids of a coder's codes by label key, creating the missing ones (first spelling wins), and the
        label keys of the codes it created."""
        ids = self.code_ids(coder_id)
        missing: dict[str, str] = {}
        for label in dict.fromkeys(labels):  # each spelling once, in order of first use
            key = label_key(label)
            if key not in ids and key not in missing:
                missing[key] = " ".join(label.split())
        made = self.create_codes(coder_id, missing)
        return ids | made, set(made)

    def code_ids(self, coder_id: int) -> dict[str, int]:
        """A coder's code ids by label key."""
        return dict(self.session.execute(
            select(m.Code.label_key, m.Code.id).where(m.Code.coder_id == coder_id)).all())

    def create_codes(self, coder_id: int, labels: Mapping[str, str]) -> dict[str, int]:
        """Create codes of a coder (label key -> label, none of them taken yet); their ids by label key."""
        if not labels:
            return {}
        connection = self.session.connection()
        now = driver_value(connection, m.Code.__table__.c.created_at, utcnow())
        return dict(insert_returning(connection, m.Code.__table__, ("coder_id", "label", "label_key", "created_at"),
                                     [(coder_id, label, key, now) for key, label in labels.items()],
                                     ("label_key", "id")))

    def _own_code(self, coder: str, code_id: int) -> m.Code:
        row = self.session.get(m.Code, code_id)
        if row is None or row.coder_id != self._coder(coder).id:
            raise NotFoundError(f"coder {coder!r} has no code #{code_id}")
        return row

    def find_code_id(self, coder_id: int, label: str) -> int | None:
        """Id of a coder's code with this label (case-insensitively), or None."""
        return self.session.scalar(select(m.Code.id).where(
            m.Code.coder_id == coder_id, m.Code.label_key == label_key(label)))

    def code_id(self, coder: str, label: str) -> int:
        cid = self.find_code_id(self._coder(coder).id, label)
        if cid is None:
            raise NotFoundError(f"coder {coder!r} has no code {label!r}")
        return cid

    def rename_code(self, coder: str, code_id: int, label: str) -> None:
        row = self._own_code(coder, code_id)
        key = label_key(label)
        if not key:
            raise InputError("a code label cannot be empty")
        clash = self.session.scalar(select(m.Code.id).where(
            m.Code.coder_id == row.coder_id, m.Code.label_key == key, m.Code.id != code_id))
        if clash is not None:
            raise ConflictError(f"coder {coder!r} already has a code {label!r}")
        row.label, row.label_key = " ".join(label.split()), key

    def set_code_memo(self, coder: str, code_id: int, memo: str | None) -> None:
        self._own_code(coder, code_id).memo = memo or None

    def merge_own_codes(self, coder: str, source_id: int, target_id: int) -> None:
        """Move every coding of one of a coder's codes to another of their codes, then drop the source."""
        source, target = self._own_code(coder, source_id), self._own_code(coder, target_id)
        if source.id == target.id:
            raise InputError("cannot merge a code into itself")
        target_spans = set(self.session.execute(
            select(m.Coding.transcript_id, m.Coding.start, m.Coding.end).where(m.Coding.code_id == target.id)).all())
        for coding in self.session.scalars(select(m.Coding).where(m.Coding.code_id == source.id)):
            if (coding.transcript_id, coding.start, coding.end) in target_spans:
                self.session.delete(coding)
            else:
                coding.code_id = target.id
        self.session.flush()
        self.session.delete(source)

    # -- codings --------------------------------------------------------------------------
    def transcript_ids(self) -> dict[str, int]:
        return dict(self.session.execute(select(m.Transcript.name, m.Transcript.id)).all())

    def existing_coding_keys(self) -> set[tuple[int, int, int, int]]:
        """(code id, transcript id, start, end) of every coding."""
        return set(self.session.execute(select(m.Coding.code_id, m.Coding.transcript_id, m.Coding.start,
                                               m.Coding.end)).all())

    def insert_codings(self, rows: Iterable[tuple | Mapping[str, object]], *, skip_stored: bool = False) -> int:
        """Bulk insert codings: tuples of the ``CODING_COLUMNS`` values, or dicts by those names; returns how
        many were stored. With ``skip_stored`` a coding whose code already tags that span (stored before,
        or earlier in ``rows``) is left out; without, it is an error.

        ``rows`` is drawn in batches of ``INSERT_BATCH``, each inserted before the next is drawn, so
        a generator's work on later rows alternates with the inserts.
        """
        by_name = itemgetter(*CODING_COLUMNS)
        pending = iter(rows)

        def runs() -> Iterator[list[tuple]]:
            while batch := [r if isinstance(r, tuple) else by_name(r) for r in islice(pending, INSERT_BATCH)]:
                yield list(zip(*batch, strict=True))

        return self.insert_coding_runs(runs(), skip_stored=skip_stored)

    def insert_coding_runs(self, runs: Iterable[Sequence[Iterable]], *, skip_stored: bool = False) -> int:
        """``insert_codings`` of codings given in runs, each run as columns: one iterable of values per
        name in ``CODING_COLUMNS`` (the first ones sized, e.g. lists), each run inserted before the
        next is drawn.

        The rows go to the driver's ``executemany`` as tuples: SQLAlchemy's per-row parameter
        handling would cost more than the insert itself on a large import.
        """
        connection = self.session.connection()
        now = driver_value(connection, m.Coding.__table__.c.created_at, utcnow())
        pairs: set[tuple[int, int]] = set()
        count = 0
        for coder_ids, code_ids, transcript_ids, *rest in runs:
            rows = list(zip(coder_ids, code_ids, transcript_ids, *rest, repeat(now)))  # noqa: B905 - repeat
            count += insert_rows(connection, m.Coding.__table__, (*CODING_COLUMNS, "created_at"), rows,
                                 skip_conflicts=skip_stored)
            pairs.update(zip(coder_ids, transcript_ids))  # noqa: B905 - same lengths
        if pairs:
            self.mark_in_progress(pairs)
        return count

    def drop_unused(self, code_ids: Iterable[int], coder_ids: Iterable[int]) -> tuple[set[int], set[int]]:
        """Delete those of these codes that have no codings, then those of these coders left without
        codes; returns the ids deleted (codes, coders)."""
        code_ids, coder_ids = set(code_ids), set(coder_ids)
        used = select(m.Coding.code_id).where(m.Coding.code_id.in_(sorted(code_ids)))
        codes = code_ids - set(self.session.scalars(used))
        if codes:
            self.session.execute(delete(m.Code).where(m.Code.id.in_(sorted(codes))))
        kept = select(m.Code.coder_id).where(m.Code.coder_id.in_(sorted(coder_ids)))
        coders = coder_ids - set(self.session.scalars(kept))
        if coders:
            self.session.execute(delete(m.Coder).where(m.Coder.id.in_(sorted(coders))))
        return codes, coders

    def codings(self, coder: str | None = None, transcript: str | None = None) -> list[d.Coding]:
        """Codings in text order (transcripts in import order)."""
        q = (
            select(m.Coding.id, m.Coder.name, m.Code.label, m.Transcript.name, m.Coding.start, m.Coding.end,
                   m.Coding.quote, m.Coding.memo, m.Coding.code_id)
            .join(m.Coder, m.Coder.id == m.Coding.coder_id)
            .join(m.Code, m.Code.id == m.Coding.code_id)
            .join(m.Transcript, m.Transcript.id == m.Coding.transcript_id)
            .order_by(m.Transcript.position, m.Coding.start, m.Coding.end, m.Coder.name, m.Code.label_key)
        )
        if coder is not None:
            q = q.where(m.Coding.coder_id == self._coder(coder).id)
        if transcript is not None:
            q = q.where(m.Coding.transcript_id == self._transcript(transcript).id)
        return [d.Coding(*row) for row in self.session.execute(q)]

    def add_coding(self, coder: str, transcript: str, code_id: int, start: int, end: int,
                   quote: str, memo: str | None = None) -> int:
        code = self._own_code(coder, code_id)
        tid = self._transcript(transcript).id
        exists = self.session.scalar(select(m.Coding.id).where(
            m.Coding.code_id == code.id, m.Coding.transcript_id == tid, m.Coding.start == start,
            m.Coding.end == end))
        if exists is not None:
            return exists
        row = m.Coding(coder_id=code.coder_id, code_id=code.id, transcript_id=tid, start=start, end=end,
                       quote=quote, memo=memo)
        self.session.add(row)
        self.session.flush()
        self.mark_in_progress({(code.coder_id, tid)})
        return row.id

    def _own_coding(self, coder: str, coding_id: int) -> m.Coding:
        row = self.session.get(m.Coding, coding_id)
        if row is None or row.coder_id != self._coder(coder).id:
            raise NotFoundError(f"coder {coder!r} has no coding #{coding_id}")
        return row

    def coding(self, coder: str, coding_id: int) -> d.Coding:
        row = self._own_coding(coder, coding_id)
        code = self.session.get(m.Code, row.code_id)
        name = self.session.get(m.Transcript, row.transcript_id).name
        return d.Coding(row.id, coder, code.label, name, row.start, row.end, row.quote, row.memo, row.code_id)

    def update_coding(self, coder: str, coding_id: int, *, code_id: int | None = None,
                      span: tuple[int, int, str] | None = None, memo: str | None = None,
                      clear_memo: bool = False) -> None:
        row = self._own_coding(coder, coding_id)
        if code_id is not None:
            row.code_id = self._own_code(coder, code_id).id
        if span is not None:
            row.start, row.end, row.quote = span
        if memo is not None or clear_memo:
            row.memo = memo or None

    def delete_coding(self, coder: str, coding_id: int) -> d.Coding:
        gone = self.coding(coder, coding_id)
        self.session.execute(delete(m.Coding).where(m.Coding.id == coding_id))
        return gone

    # -- status ---------------------------------------------------------------------------
    def mark_in_progress(self, pairs: set[tuple[int, int]]) -> None:
        """Mark these (coder id, transcript id) pairs in progress where they have no status yet."""
        known = set(self.session.execute(select(m.CodingStatus.coder_id, m.CodingStatus.transcript_id)).all())
        new = [{"coder_id": c, "transcript_id": t, "status": "in progress"} for c, t in sorted(pairs - known)]
        if new:
            self.session.execute(m.CodingStatus.__table__.insert(), new)

    def set_status(self, coder: str, transcript: str, status: str) -> None:
        if status not in d.STATUSES:
            raise InputError(f"status must be one of {', '.join(d.STATUSES)}")
        cid, tid = self._coder(coder).id, self._transcript(transcript).id
        row = self.session.get(m.CodingStatus, (cid, tid))
        if row is None:
            self.session.add(m.CodingStatus(coder_id=cid, transcript_id=tid, status=status))
        else:
            row.status, row.updated_at = status, utcnow()

    def status_cells(self, coder: str | None = None) -> list[d.StatusCell]:
        """Status and number of codings for every transcript x coder (or one coder)."""
        coders = self.coders() if coder is None else [d.Coder(self._coder(coder).id, coder)]
        status = {(c, t): s for c, t, s in self.session.execute(
            select(m.CodingStatus.coder_id, m.CodingStatus.transcript_id, m.CodingStatus.status))}
        counts = {(c, t): n for c, t, n in self.session.execute(
            select(m.Coding.coder_id, m.Coding.transcript_id, func.count()).group_by(
                m.Coding.coder_id, m.Coding.transcript_id))}
        transcripts = self.session.execute(
            select(m.Transcript.id, m.Transcript.name).order_by(m.Transcript.position)).all()
        return [
            d.StatusCell(transcript=tname, coder=c.name, status=status.get((c.id, tid), "not started"),
                         codings=int(counts.get((c.id, tid), 0)))
            for tid, tname in transcripts for c in coders
        ]

    def observed(self) -> dict[str, frozenset[str]]:
        """Transcripts each coder observed: marked done or with at least one coding."""
        out: dict[str, set[str]] = {}
        for cell in self.status_cells():
            if cell.status == "done" or cell.codings > 0:
                out.setdefault(cell.coder, set()).add(cell.transcript)
        return {k: frozenset(v) for k, v in out.items()}


