"""A coder's journal of coding actions (the ``coding_actions`` table), for undo/redo across restarts.

An action is a list of *transitions*: ``{"table": "coding" | "code", "before": state | None,
"after": state | None}``. Applying a transition turns the row matching ``before`` into ``after``
(``None`` = absent), so undo applies the reversed list with ``before`` and ``after`` swapped.

A coding state is its natural key (``code_id, transcript_id, start, end``, unique by schema) plus
``quote`` and ``memo``; a code state is ``id, label, memo``. Every lookup is filtered by the coder,
so a journal entry can never reach another coder's rows.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import delete, func, select

from codebench.domain.errors import ConflictError, NotFoundError
from codebench.store import models as m
from codebench.store.repo_base import RepoBase
from codebench.store.repo_codings import label_key

JOURNAL_KEEP = 200  # actions kept per coder; older ones can no longer be undone

State = dict[str, Any]


class JournalRepo(RepoBase):
    # -- lookups a coding session needs -----------------------------------------------------
    def coder_id(self, name: str) -> int:
        return self._coder(name).id

    def transcript_ref(self, name: str) -> tuple[int, str]:
        """(id, stored text) of a transcript."""
        row = self._transcript(name)
        return row.id, row.text

    def recent_code_ids(self, coder_id: int, limit: int) -> list[int]:
        """A coder's codes, most recently used (by their latest coding) first."""
        last = func.max(m.Coding.id)
        rows = self.session.execute(
            select(m.Coding.code_id, last).where(m.Coding.coder_id == coder_id)
            .group_by(m.Coding.code_id).order_by(last.desc()).limit(limit))
        return [code_id for code_id, _ in rows]

    def coding_state(self, coder_id: int, coding_id: int) -> State:
        row = self.session.get(m.Coding, coding_id)
        if row is None or row.coder_id != coder_id:
            raise NotFoundError(f"no coding #{coding_id} of this coder")
        return _coding_state(row)

    def code_state(self, coder_id: int, code_id: int) -> State:
        row = self._own(coder_id, code_id)
        return {"id": row.id, "label": row.label, "memo": row.memo}

    def codings_of_code(self, coder_id: int, code_id: int) -> list[State]:
        rows = self.session.scalars(select(m.Coding).where(
            m.Coding.coder_id == coder_id, m.Coding.code_id == code_id).order_by(m.Coding.id))
        return [_coding_state(r) for r in rows]

    def find_coding_id(self, coder_id: int, state: State) -> int | None:
        row = self._find(coder_id, state)
        return None if row is None else row.id

    # -- applying transitions ---------------------------------------------------------------
    def apply_coding(self, coder_id: int, before: State | None, after: State | None) -> int | None:
        """Turn the coding matching ``before`` into ``after``; returns the coding's id (None if deleted)."""
        row = None
        if before is not None:
            row = self._find(coder_id, before)
            if row is None:
                raise ConflictError("the coding changed since this action; it cannot be undone or redone")
        if after is None:
            if row is not None:
                self.session.delete(row)
                self.session.flush()
            return None
        self._own(coder_id, after["code_id"])
        clash = self._find(coder_id, after)
        if clash is not None and clash is not row:
            raise ConflictError("that code is already on exactly this quote")
        values = {key: after[key] for key in ("code_id", "transcript_id", "start", "end", "quote", "memo")}
        if row is None:
            row = m.Coding(coder_id=coder_id, **values)
            self.session.add(row)
            self.mark_in_progress({(coder_id, after["transcript_id"])})
        else:
            for key, value in values.items():
                setattr(row, key, value)
        self.session.flush()
        return row.id

    def apply_code(self, coder_id: int, before: State | None, after: State | None) -> int | None:
        """Turn the code ``before`` into ``after``; returns its id.

        A (re-)created code keeps the id in ``after`` when that is free (``None``: a new id).
        """
        if after is None:
            if before is not None:
                if self.codings_of_code(coder_id, before["id"]):
                    raise ConflictError(f"code {before['label']!r} still has codings; it cannot be removed")
                self.session.delete(self._own(coder_id, before["id"]))
                self.session.flush()
            return None
        key = label_key(after["label"])
        clash = self.session.scalar(select(m.Code.id).where(
            m.Code.coder_id == coder_id, m.Code.label_key == key, m.Code.id != after["id"]))
        if clash is not None:
            raise ConflictError(f"there is already a code {after['label']!r}")
        if before is None:
            free = after["id"] is not None and self.session.get(m.Code, after["id"]) is None
            row = m.Code(coder_id=coder_id, **({"id": after["id"]} if free else {}))
            self.session.add(row)
        else:
            row = self._own(coder_id, before["id"])
        row.label, row.label_key, row.memo = after["label"], key, after["memo"]
        self.session.flush()
        return row.id

    # -- the journal itself -------------------------------------------------------------------
    def journal_record(self, coder_id: int, kind: str, transitions: list[State]) -> None:
        """Append an action, dropping the redo tail and all but the last JOURNAL_KEEP actions."""
        self.session.execute(delete(m.CodingAction).where(
            m.CodingAction.coder_id == coder_id, m.CodingAction.undone.is_(True)))
        self.session.add(m.CodingAction(coder_id=coder_id, kind=kind, payload=json.dumps(transitions)))
        self.session.flush()
        oldest_dropped = self.session.scalar(select(m.CodingAction.id).where(
            m.CodingAction.coder_id == coder_id).order_by(m.CodingAction.id.desc()).offset(JOURNAL_KEEP).limit(1))
        if oldest_dropped is not None:
            self.session.execute(delete(m.CodingAction).where(
                m.CodingAction.coder_id == coder_id, m.CodingAction.id <= oldest_dropped))

    def journal_next(self, coder_id: int, undone: bool) -> tuple[int, str, list[State]] | None:
        """The action to undo (last one done) or to redo (first one undone)."""
        order = m.CodingAction.id.asc() if undone else m.CodingAction.id.desc()
        row = self.session.scalar(select(m.CodingAction).where(
            m.CodingAction.coder_id == coder_id, m.CodingAction.undone.is_(undone)).order_by(order).limit(1))
        return None if row is None else (row.id, row.kind, json.loads(row.payload))

    def journal_mark(self, coder_id: int, action_id: int, undone: bool) -> None:
        row = self.session.get(m.CodingAction, action_id)
        if row is None or row.coder_id != coder_id:
            raise NotFoundError(f"no action #{action_id} of this coder")
        row.undone = undone

    def journal_remap_code(self, coder_id: int, old: int, new: int) -> None:
        """Point every journal entry of the coder at code ``new`` instead of ``old`` (a re-created code)."""
        for row in self.session.scalars(select(m.CodingAction).where(m.CodingAction.coder_id == coder_id)):
            transitions = json.loads(row.payload)
            for t in transitions:
                for state in (t["before"], t["after"]):
                    if state is not None and state.get("code_id" if t["table"] == "coding" else "id") == old:
                        state["code_id" if t["table"] == "coding" else "id"] = new
            row.payload = json.dumps(transitions)

    # -- helpers ------------------------------------------------------------------------------
    def _own(self, coder_id: int, code_id: int) -> m.Code:
        row = self.session.get(m.Code, code_id)
        if row is None or row.coder_id != coder_id:
            raise NotFoundError(f"no code #{code_id} of this coder")
        return row

    def _find(self, coder_id: int, state: State) -> m.Coding | None:
        return self.session.scalar(select(m.Coding).where(
            m.Coding.coder_id == coder_id, m.Coding.code_id == state["code_id"],
            m.Coding.transcript_id == state["transcript_id"], m.Coding.start == state["start"],
            m.Coding.end == state["end"]))


def _coding_state(row: m.Coding) -> State:
    return {"code_id": row.code_id, "transcript_id": row.transcript_id, "start": row.start, "end": row.end,
            "quote": row.quote, "memo": row.memo}
