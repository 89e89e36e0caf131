"""What the lead's screens read and change beyond the harmonisation repository."""

from __future__ import annotations

from sqlalchemy import func, select

from codebench.domain import model as d
from codebench.store import models as m
from codebench.store.repo_base import RepoBase


class LeadRepo(RepoBase):
    def raw_code_codings(self, code_id: int, limit: int) -> tuple[int, list[d.Coding]]:
        """How many codings a raw code has, and the first ``limit`` of them in text order."""
        total = self.session.scalar(select(func.count()).where(m.Coding.code_id == code_id)) or 0
        rows = self.session.execute(
            select(m.Coding.id, m.Coder.name, m.Code.label, m.Transcript.name, m.Coding.start, m.Coding.end,
                   m.Coding.quote, m.Coding.memo, m.Coding.code_id)
            .join(m.Code, m.Code.id == m.Coding.code_id)
            .join(m.Coder, m.Coder.id == m.Coding.coder_id)
            .join(m.Transcript, m.Transcript.id == m.Coding.transcript_id)
            .where(m.Coding.code_id == code_id)
            .order_by(m.Transcript.position, m.Coding.start, m.Coding.end)
            .limit(limit))
        return int(total), [d.Coding(*row) for row in rows]

    def harmonised_name_of(self, code_id: int) -> str | None:
        """The harmonised code a raw code is mapped to, if any."""
        return self.session.scalar(select(m.HarmonisedCode.name).join(
            m.Code, m.Code.harmonised_code_id == m.HarmonisedCode.id).where(m.Code.id == code_id))

    def data_version(self) -> tuple[int, ...]:
        """Numbers that change whenever codings, coding actions, statuses or harmonisation decisions change.

        Codings: count, highest id and the sum of code ids and offsets (an edit changes it); the coding
        journal and the merge log: highest id and how many entries are undone (undo flips a flag);
        how many transcripts are marked done.
        """
        codings = self.session.execute(select(
            func.count(), func.coalesce(func.max(m.Coding.id), 0),
            func.coalesce(func.sum(m.Coding.code_id + m.Coding.start + m.Coding.end), 0))).one()
        journal = self.session.execute(select(
            func.coalesce(func.max(m.CodingAction.id), 0),
            func.count().filter(m.CodingAction.undone.is_(True)))).one()
        log = self.session.execute(select(
            func.coalesce(func.max(m.MergeDecision.id), 0),
            func.count().filter(m.MergeDecision.undone.is_(True)))).one()
        done = self.session.scalar(select(func.count()).where(m.CodingStatus.status == d.STATUSES[2]))
        return tuple(int(x) for x in (*codings, *journal, *log, done or 0))
