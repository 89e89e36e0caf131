"""Harmonisation: raw codes -> harmonised codes -> themes -> categories, and the merge log."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from codebench.domain.errors import ConflictError, InputError, NotFoundError
from codebench.store import models as m
from codebench.store.repo_base import RepoBase
from codebench.store.repo_codings import label_key


@dataclass(frozen=True, slots=True)
class Decision:
    id: int
    at: datetime
    by: str | None
    action: str
    payload: dict
    score: float | None
    note: str | None
    undone: bool


@dataclass(frozen=True, slots=True)
class HarmonisedInfo:
    name: str
    definition: str | None
    theme: str | None
    category: str | None
    raw_codes: tuple[tuple[str, str], ...]  # (coder, label)


class HarmoniseRepo(RepoBase):
    # -- raw codes by reference -------------------------------------------------------------
    def raw_code(self, coder: str, label: str) -> m.Code:
        row = self.session.scalar(select(m.Code).where(
            m.Code.coder_id == self._coder(coder).id, m.Code.label_key == label_key(label)))
        if row is None:
            raise NotFoundError(f"coder {coder!r} has no code {label!r}")
        return row

    def raw_code_ref(self, code_id: int) -> tuple[str, str]:
        row = self.session.get(m.Code, code_id)
        if row is None:
            raise NotFoundError(f"no raw code #{code_id}")
        return self.session.get(m.Coder, row.coder_id).name, row.label

    # -- harmonised codes ---------------------------------------------------------------------
    def harmonised(self, name: str) -> m.HarmonisedCode:
        return self._named(m.HarmonisedCode, name, f"unknown harmonised code {name!r}")

    def find_harmonised(self, name: str) -> m.HarmonisedCode | None:
        return self._named(m.HarmonisedCode, name)

    def create_harmonised(self, name: str, definition: str | None = None) -> m.HarmonisedCode:
        if not name.strip():
            raise InputError("a harmonised code needs a name")
        row = m.HarmonisedCode(name=name.strip(), definition=definition)
        self.session.add(row)
        self.session.flush()
        return row

    def delete_harmonised_if_unused(self, hc_id: int) -> bool:
        used = self.session.scalar(select(func.count()).where(m.Code.harmonised_code_id == hc_id))
        if used:
            return False
        self.session.delete(self.session.get(m.HarmonisedCode, hc_id))
        self.session.flush()
        return True

    def harmonised_codes(self) -> list[HarmonisedInfo]:
        members: dict[int, list[tuple[str, str]]] = {}
        for hc_id, coder, label in self.session.execute(
            select(m.Code.harmonised_code_id, m.Coder.name, m.Code.label)
            .join(m.Coder, m.Coder.id == m.Code.coder_id)
            .where(m.Code.harmonised_code_id.is_not(None))
            .order_by(m.Coder.name, m.Code.label_key)
        ):
            members.setdefault(hc_id, []).append((coder, label))
        rows = self.session.execute(
            select(m.HarmonisedCode.id, m.HarmonisedCode.name, m.HarmonisedCode.definition, m.Theme.name,
                   m.Category.name)
            .outerjoin(m.Theme, m.Theme.id == m.HarmonisedCode.theme_id)
            .outerjoin(m.Category, m.Category.id == m.Theme.category_id)
            .order_by(m.HarmonisedCode.name)
        )
        return [HarmonisedInfo(n, d, t, c, tuple(members.get(i, ()))) for i, n, d, t, c in rows]

    # -- themes and categories ------------------------------------------------------------------
    def category(self, name: str) -> m.Category:
        row = self._named(m.Category, name)
        if row is None:
            known = ", ".join(self.categories()) or "none"
            raise NotFoundError(f"unknown category {name!r} (known: {known}; codebench category add)")
        return row

    def theme(self, name: str) -> m.Theme:
        return self._named(m.Theme, name, f"unknown theme {name!r} (codebench theme add)")

    def find_theme(self, name: str) -> m.Theme | None:
        return self._named(m.Theme, name)

    def add_theme(self, name: str, category: str | None, definition: str | None) -> m.Theme:
        if self.find_theme(name) is not None:
            raise ConflictError(f"theme {name!r} already exists")
        row = m.Theme(name=name, definition=definition,
                      category_id=self.category(category).id if category else None)
        self.session.add(row)
        self.session.flush()
        return row

    def themes(self) -> list[tuple[str, str | None, str | None, int]]:
        """(theme, category, definition, number of harmonised codes)."""
        n = select(m.HarmonisedCode.theme_id, func.count().label("n")).group_by(m.HarmonisedCode.theme_id).subquery()
        return [(t, c, d, int(k or 0)) for t, c, d, k in self.session.execute(
            select(m.Theme.name, m.Category.name, m.Theme.definition, n.c.n)
            .outerjoin(m.Category, m.Category.id == m.Theme.category_id)
            .outerjoin(n, n.c.theme_id == m.Theme.id)
            .order_by(m.Category.position, m.Theme.name))]

    # -- never-merge constraints ------------------------------------------------------------------
    def add_never_merge(self, a: int, b: int) -> bool:
        lo, hi = sorted((a, b))
        if lo == hi:
            raise InputError("a code cannot be rejected against itself")
        exists = self.session.scalar(select(m.NeverMerge.id).where(
            m.NeverMerge.code_a_id == lo, m.NeverMerge.code_b_id == hi))
        if exists is not None:
            return False
        self.session.add(m.NeverMerge(code_a_id=lo, code_b_id=hi))
        self.session.flush()
        return True

    def remove_never_merge(self, a: int, b: int) -> None:
        lo, hi = sorted((a, b))
        row = self.session.scalar(select(m.NeverMerge).where(m.NeverMerge.code_a_id == lo, m.NeverMerge.code_b_id == hi))
        if row is not None:
            self.session.delete(row)

    def never_merge_pairs(self) -> list[tuple[int, int]]:
        return [tuple(r) for r in self.session.execute(select(m.NeverMerge.code_a_id, m.NeverMerge.code_b_id))]

    def merged_groups(self) -> list[list[int]]:
        groups: dict[int, list[int]] = {}
        for code_id, hc_id in self.session.execute(
            select(m.Code.id, m.Code.harmonised_code_id).where(m.Code.harmonised_code_id.is_not(None))
        ):
            groups.setdefault(hc_id, []).append(code_id)
        return list(groups.values())

    # -- the merge log --------------------------------------------------------------------------
    def log_decision(self, action: str, payload: dict, *, by: str | None, note: str | None = None,
                     score: float | None = None) -> int:
        row = m.MergeDecision(action=action, payload=json.dumps(payload, ensure_ascii=False), by=by, note=note,
                              score=score)
        self.session.add(row)
        self.session.flush()
        return row.id

    def decisions(self) -> list[Decision]:
        rows = self.session.scalars(select(m.MergeDecision).order_by(m.MergeDecision.id))
        return [Decision(r.id, r.at, r.by, r.action, json.loads(r.payload), r.score, r.note, r.undone) for r in rows]

    def last_undoable(self) -> Decision | None:
        row = self.session.scalar(select(m.MergeDecision).where(
            m.MergeDecision.undone.is_(False), m.MergeDecision.action != "undo").order_by(m.MergeDecision.id.desc()))
        if row is None:
            return None
        return Decision(row.id, row.at, row.by, row.action, json.loads(row.payload), row.score, row.note, row.undone)

    def mark_undone(self, decision_id: int) -> None:
        self.session.get(m.MergeDecision, decision_id).undone = True

    # -- settings ---------------------------------------------------------------------------------
    def setting(self, key: str, default: object = None) -> object:
        row = self.session.get(m.Setting, key)
        return default if row is None else json.loads(row.value)

    def set_setting(self, key: str, value: object) -> None:
        self.session.merge(m.Setting(key=key, value=json.dumps(value, ensure_ascii=False)))

    # -- decisions: each returns the payload to log (enough to revert it), or None if nothing changed
    def map_raw_codes(self, refs: list[tuple[str, str]], into: str, definition: str | None) -> dict | None:
        hc = self.find_harmonised(into)
        created = hc is None
        if hc is None:
            hc = self.create_harmonised(into, definition)
        definition_before = None if created else hc.definition
        if definition is not None:
            hc.definition = definition
        moved = []
        for coder, label in refs:
            code = self.raw_code(coder, label)
            if code.harmonised_code_id == hc.id:
                continue
            previous = self.session.get(m.HarmonisedCode, code.harmonised_code_id) if code.harmonised_code_id else None
            code.harmonised_code_id = hc.id
            moved.append([coder, code.label, previous.name if previous else None])
        self.session.flush()
        if not moved and not created and definition_before == hc.definition:
            return None
        return {"into": hc.name, "created": created, "codes": moved,
                "definition_before": definition_before, "definition_after": hc.definition}

    def unmap_raw_codes(self, refs: list[tuple[str, str]]) -> dict:
        moved = []
        for coder, label in refs:
            code = self.raw_code(coder, label)
            if code.harmonised_code_id is None:
                raise ConflictError(f"{coder}:{code.label} is not harmonised")
            moved.append([coder, code.label, self.session.get(m.HarmonisedCode, code.harmonised_code_id).name])
            code.harmonised_code_id = None
        self.session.flush()
        return {"codes": moved}

    def rename_harmonised(self, old: str, new: str) -> dict:
        hc = self.harmonised(old)
        if not new.strip():
            raise InputError("a harmonised code needs a name")
        if self.find_harmonised(new.strip()) is not None:
            raise ConflictError(f"a harmonised code {new!r} exists already (merge into it instead)")
        hc.name = new.strip()
        self.session.flush()
        return {"from": old, "to": hc.name}

    def assign_to_theme(self, codes: list[str], theme: str) -> dict | None:
        target = self.theme(theme)
        changed = []
        for name in codes:
            hc = self.harmonised(name)
            if hc.theme_id == target.id:
                continue
            previous = self.session.get(m.Theme, hc.theme_id) if hc.theme_id else None
            hc.theme_id = target.id
            changed.append([hc.name, previous.name if previous else None])
        self.session.flush()
        return {"theme": theme, "codes": changed} if changed else None

    def set_theme_category(self, theme: str, category: str | None) -> dict | None:
        """Move a theme to another category (None: none); the payload to log, or None if nothing changed."""
        row = self.session.scalar(select(m.Theme).where(m.Theme.name == theme))
        if row is None:
            raise NotFoundError(f"unknown theme {theme!r} (codebench theme add)")
        target = None
        if category is not None:
            target = self.session.scalar(select(m.Category).where(m.Category.name == category))
            if target is None:
                raise NotFoundError(f"unknown category {category!r} (codebench category add)")
        before = self.session.get(m.Category, row.category_id).name if row.category_id else None
        if before == category:
            return None
        row.category_id = None if target is None else target.id
        self.session.flush()
        return {"theme": row.name, "from": before, "to": category}

    def revert(self, action: str, p: dict) -> None:
        """Invert a logged decision."""
        if action == "merge":
            for coder, label, previous in p["codes"]:
                self.raw_code(coder, label).harmonised_code_id = self.harmonised(previous).id if previous else None
            hc = self.harmonised(p["into"])
            hc.definition = p["definition_before"]
            self.session.flush()
            if p["created"]:
                self.delete_harmonised_if_unused(hc.id)
        elif action == "reject":
            (ca, la), (cb, lb) = p["codes"]
            self.remove_never_merge(self.raw_code(ca, la).id, self.raw_code(cb, lb).id)
        elif action == "split":
            for coder, label, previous in p["codes"]:
                self.raw_code(coder, label).harmonised_code_id = self.harmonised(previous).id
        elif action == "rename":
            self.harmonised(p["to"]).name = p["from"]
        elif action == "theme_add":
            theme = self.theme(p["theme"])
            if self.session.scalar(select(func.count()).where(m.HarmonisedCode.theme_id == theme.id)):
                raise ConflictError(f"theme {p['theme']!r} has codes assigned; undo those first")
            self.session.delete(theme)
        elif action == "theme_assign":
            for name, previous in p["codes"]:
                self.harmonised(name).theme_id = self.theme(previous).id if previous else None
        elif action == "theme_move":
            self.set_theme_category(p["theme"], p["from"])
        else:
            raise ConflictError(f"a {action!r} decision cannot be undone")
        self.session.flush()
