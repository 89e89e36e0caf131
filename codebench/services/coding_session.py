"""One coder's coding session: the only service the coding TUI calls.

A ``CodingSession`` is bound to one coder. Every method reads or changes that coder's codes and
codings only (blind coding): there is no parameter through which another coder's work could be
named. Each changing method runs in one transaction and journals what it did in ``coding_actions``
so that ``undo``/``redo`` work, also after a restart.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process, utils

from codebench.domain.errors import InputError, NotFoundError
from codebench.domain.model import STATUSES, Code, Coding, Turn
from codebench.store.repo_codings import label_key
from codebench.store.store import Store

FUZZY_CUTOFF = 60.0  # rapidfuzz WRatio below this is "no match"
RECENT = 9

State = dict[str, Any]


@dataclass(frozen=True, slots=True)
class MyTranscript:
    """A transcript as one coder sees it: their status and their number of codings."""

    name: str
    status: str
    codings: int
    turns: int
    length: int
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Document:
    """A transcript's stored text and its speaker turns (offsets index ``text``)."""

    name: str
    text: str
    turns: tuple[Turn, ...]


def rank_codes(codes: Iterable[Code], query: str, limit: int | None = None) -> list[Code]:
    """Codes matching ``query`` best first (rapidfuzz WRatio), ties by how often the code was used.

    An empty query lists every code, most used first.
    """
    pool = list(codes)
    if not query.strip():
        ranked = sorted(pool, key=lambda c: (-c.uses, c.label.casefold()))
    else:
        hits = process.extract(query, [c.label for c in pool], scorer=fuzz.WRatio, processor=utils.default_process,
                               score_cutoff=FUZZY_CUTOFF, limit=None)
        ranked = [pool[i] for _, _, i in sorted(
            hits, key=lambda h: (-round(h[1], 6), -pool[h[2]].uses, pool[h[2]].label.casefold()))]
    return ranked if limit is None else ranked[:limit]


def has_label(codes: Iterable[Code], label: str) -> bool:
    """Whether one of ``codes`` has this label (case- and whitespace-insensitively)."""
    key = label_key(label)
    return any(label_key(c.label) == key for c in codes)


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The span clamped to the text, without leading or trailing whitespace; refuses an empty span."""
    start, end = max(0, min(start, end)), min(len(text), max(start, end))
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start >= end:
        raise InputError("select some text first")
    return start, end


def _step(table: str, before: State | None, after: State | None) -> State:
    return {"table": table, "before": before, "after": after}


class CodingSession:
    """Everything one coder does while coding; see the module docstring."""

    def __init__(self, store: Store, coder: str) -> None:
        self.store = store
        self.coder = coder
        self.coder_id: int = store.read(lambda tx: tx.coder_id(coder))

    # -- reading ------------------------------------------------------------------------------
    def transcripts(self) -> list[MyTranscript]:
        """Every transcript in import order with my status and my number of codings."""
        def read(tx) -> list[MyTranscript]:  # noqa: ANN001 - Tx
            cells = {c.transcript: c for c in tx.status_cells(self.coder)}
            return [MyTranscript(t.name, cells[t.name].status, cells[t.name].codings, t.turns, t.length,
                                 dict(t.attributes)) for t in tx.transcripts()]
        return self.store.read(read)

    def document(self, transcript: str) -> Document:
        text, turns = self.store.read(lambda tx: tx.transcript_text(transcript))
        return Document(transcript, text, tuple(turns))

    def codings(self, transcript: str) -> list[Coding]:
        """My codings of one transcript in text order."""
        return self.store.read(lambda tx: tx.codings(coder=self.coder, transcript=transcript))

    def codes(self) -> list[Code]:
        """My codes with their number of codings, by label."""
        return self.store.read(lambda tx: tx.codes(self.coder))

    def workspace(self, transcript: str, recent: int = RECENT) -> tuple[list[Coding], list[Code], list[Code]]:
        """My codings of a transcript, my codes and my recent codes, read in one transaction."""
        def read(tx) -> tuple[list[Coding], list[Code], list[Code]]:  # noqa: ANN001 - Tx
            codes = tx.codes(self.coder)
            by_id = {c.id: c for c in codes}
            return (tx.codings(coder=self.coder, transcript=transcript), codes,
                    [by_id[i] for i in tx.recent_code_ids(self.coder_id, recent)])
        return self.store.read(read)

    def ranked_codes(self, query: str, limit: int | None = None) -> list[Code]:
        return rank_codes(self.codes(), query, limit)

    def recent_codes(self, limit: int = RECENT) -> list[Code]:
        """My codes, the one I used last first."""
        def read(tx) -> list[Code]:  # noqa: ANN001 - Tx
            by_id = {c.id: c for c in tx.codes(self.coder)}
            return [by_id[i] for i in tx.recent_code_ids(self.coder_id, limit)]
        return self.store.read(read)

    # -- coding actions (each one transaction, journaled) --------------------------------------
    def add_coding(self, transcript: str, start: int, end: int, *, code_id: int | None = None,
                   label: str | None = None, memo: str | None = None) -> Coding:
        """Tag a quote with one of my codes (by id) or with a label (a new code when I have none so named)."""
        if (code_id is None) == (label is None):
            raise InputError("give a code or a label")

        def work(tx) -> Coding:  # noqa: ANN001 - Tx
            tid, text = tx.transcript_ref(transcript)
            a, b = trim_span(text, start, end)
            cid, created = self._code(tx, code_id, label)
            after = {"code_id": cid, "transcript_id": tid, "start": a, "end": b, "quote": text[a:b],
                     "memo": memo or None}
            existing = tx.find_coding_id(self.coder_id, after)
            if existing is not None:
                return tx.coding(self.coder, existing)
            return self._commit(tx, "add coding", [_step("coding", None, after)], created)
        return self.store.write(work)

    def change_code(self, coding_id: int, *, code_id: int | None = None, label: str | None = None) -> Coding:
        """Give a coding another of my codes (by id, or by label, creating the code if new)."""
        if (code_id is None) == (label is None):
            raise InputError("give a code or a label")

        def work(tx) -> Coding:  # noqa: ANN001 - Tx
            before = tx.coding_state(self.coder_id, coding_id)
            cid, created = self._code(tx, code_id, label)
            return self._commit(tx, "change code", [_step("coding", before, {**before, "code_id": cid})], created)
        return self.store.write(work)

    def change_span(self, coding_id: int, start: int, end: int) -> Coding:
        def work(tx) -> Coding:  # noqa: ANN001 - Tx
            before = tx.coding_state(self.coder_id, coding_id)
            text = tx.transcript_ref(self._transcript_name(tx, coding_id))[1]
            a, b = trim_span(text, start, end)
            after = {**before, "start": a, "end": b, "quote": text[a:b]}
            return self._commit(tx, "change span", [_step("coding", before, after)])
        return self.store.write(work)

    def set_coding_memo(self, coding_id: int, memo: str | None) -> Coding:
        def work(tx) -> Coding:  # noqa: ANN001 - Tx
            before = tx.coding_state(self.coder_id, coding_id)
            after = {**before, "memo": (memo or "").strip() or None}
            return self._commit(tx, "coding memo", [_step("coding", before, after)])
        return self.store.write(work)

    def delete_coding(self, coding_id: int) -> Coding:
        """Delete one of my codings; returns it as it was."""
        def work(tx) -> Coding:  # noqa: ANN001 - Tx
            gone = tx.coding(self.coder, coding_id)
            self._commit(tx, "delete coding", [_step("coding", tx.coding_state(self.coder_id, coding_id), None)])
            return gone
        return self.store.write(work)

    def rename_code(self, code_id: int, label: str) -> None:
        def work(tx) -> None:  # noqa: ANN001 - Tx
            before = tx.code_state(self.coder_id, code_id)
            if not label_key(label):
                raise InputError("a code label cannot be empty")
            self._commit(tx, "rename code", [_step("code", before, {**before, "label": " ".join(label.split())})])
        self.store.write(work)

    def set_code_memo(self, code_id: int, memo: str | None) -> None:
        def work(tx) -> None:  # noqa: ANN001 - Tx
            before = tx.code_state(self.coder_id, code_id)
            self._commit(tx, "code memo", [_step("code", before, {**before, "memo": (memo or "").strip() or None})])
        self.store.write(work)

    def merge_codes(self, source_id: int, target_id: int) -> None:
        """Move every coding of my code ``source_id`` to my code ``target_id`` and drop the source."""
        if source_id == target_id:
            raise InputError("cannot merge a code into itself")

        def work(tx) -> None:  # noqa: ANN001 - Tx
            source = tx.code_state(self.coder_id, source_id)
            tx.code_state(self.coder_id, target_id)
            target_spans = {(s["transcript_id"], s["start"], s["end"])
                            for s in tx.codings_of_code(self.coder_id, target_id)}
            steps = [
                _step("coding", s, None if (s["transcript_id"], s["start"], s["end"]) in target_spans
                      else {**s, "code_id": target_id})
                for s in tx.codings_of_code(self.coder_id, source_id)
            ]
            steps.append(_step("code", source, None))
            self._commit(tx, "merge codes", steps)
        self.store.write(work)

    def set_done(self, transcript: str, done: bool) -> str:
        """Mark a transcript done, or reopen it (in progress); returns the new status."""
        status = STATUSES[2] if done else STATUSES[1]
        self.store.write(lambda tx: tx.set_status(self.coder, transcript, status))
        return status

    # -- undo / redo ----------------------------------------------------------------------------
    def undo(self) -> str | None:
        """Undo my last action; returns what it was, or None when there is nothing to undo."""
        return self._replay(undo=True)

    def redo(self) -> str | None:
        """Redo my last undone action; returns what it was, or None when there is nothing to redo."""
        return self._replay(undo=False)

    def _replay(self, *, undo: bool) -> str | None:
        def work(tx) -> str | None:  # noqa: ANN001 - Tx
            entry = tx.journal_next(self.coder_id, undone=not undo)
            if entry is None:
                return None
            action_id, kind, steps = entry
            if undo:
                steps = [_step(s["table"], s["after"], s["before"]) for s in reversed(steps)]
            self._apply(tx, steps)
            tx.journal_mark(self.coder_id, action_id, undone=undo)
            return kind
        return self.store.write(work)

    # -- internals -----------------------------------------------------------------------------
    def _commit(self, tx, kind: str, steps: list[State],  # noqa: ANN001 - Tx
                done: list[State] | None = None) -> Coding | None:
        """Apply an action's steps and journal them after the ``done`` ones (already applied).

        Returns the coding the last step left, if any.
        """
        coding_id = self._apply(tx, steps)
        tx.journal_record(self.coder_id, kind, [*(done or []), *steps])
        return None if coding_id is None else tx.coding(self.coder, coding_id)

    def _code(self, tx, code_id: int | None, label: str | None) -> tuple[int, list[State]]:  # noqa: ANN001
        """The id of my code given by id or label, and the step that created it (for a new label)."""
        if label is None:
            tx.code_state(self.coder_id, code_id)  # refuses a code that is not mine
            return code_id, []
        clean = " ".join(label.split())
        if not clean:
            raise InputError("a code label cannot be empty")
        known = tx.find_code_id(self.coder_id, clean)
        if known is not None:
            return known, []
        new_id = tx.apply_code(self.coder_id, None, {"id": None, "label": clean, "memo": None})
        return new_id, [_step("code", None, tx.code_state(self.coder_id, new_id))]

    def _apply(self, tx, steps: list[State]) -> int | None:  # noqa: ANN001 - Tx
        """Apply transitions in order; a re-created code that got a new id is remapped everywhere."""
        remap: dict[int, int] = {}
        last: int | None = None
        for step in steps:
            before, after = (self._remapped(step["table"], s, remap) for s in (step["before"], step["after"]))
            if step["table"] == "code":
                new_id = tx.apply_code(self.coder_id, before, after)
                if after is not None and new_id != after["id"]:
                    remap[after["id"]] = new_id
            else:
                last = tx.apply_coding(self.coder_id, before, after)
        for old, new in remap.items():
            tx.journal_remap_code(self.coder_id, old, new)
        return last

    @staticmethod
    def _remapped(table: str, state: State | None, remap: dict[int, int]) -> State | None:
        key = "id" if table == "code" else "code_id"
        if state is None or state[key] not in remap:
            return state
        return {**state, key: remap[state[key]]}

    def _transcript_name(self, tx, coding_id: int) -> str:  # noqa: ANN001 - Tx
        try:
            return tx.coding(self.coder, coding_id).transcript
        except NotFoundError:
            raise NotFoundError(f"you have no coding #{coding_id}") from None
