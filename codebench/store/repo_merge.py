"""A whole project as plain values (``snapshot``), and folding such a snapshot into this project.

Natural keys identify everything across two projects: coders, categories, themes and harmonised
codes by name; transcripts by content hash; codes by (coder, case-folded label); codings by
(code, transcript, start, end). Anything present on both sides with different values is a
conflict: this project's value is kept and the conflict is reported, never guessed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from codebench.domain import model as d
from codebench.store import models as m
from codebench.store.repo_base import RepoBase

STATUS_RANK = {status: rank for rank, status in enumerate(d.STATUSES)}


@dataclass(frozen=True, slots=True)
class TranscriptCopy:
    name: str
    content_hash: str
    text: str
    source_format: str
    source_path: str | None
    turns: tuple[d.Turn, ...]
    attributes: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class NamedCopy:
    """A theme (parent = category) or a harmonised code (parent = theme)."""

    name: str
    definition: str | None
    parent: str | None


@dataclass(frozen=True, slots=True)
class CodeCopy:
    coder: str
    label: str
    label_key: str
    memo: str | None
    harmonised: str | None


@dataclass(frozen=True, slots=True)
class CodingCopy:
    coder: str
    label_key: str
    transcript_hash: str
    start: int
    end: int
    quote: str
    memo: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ProjectSnapshot:
    """Everything ``codebench merge`` reads from the other project."""

    coders: tuple[str, ...]
    categories: tuple[str, ...]
    themes: tuple[NamedCopy, ...]
    harmonised: tuple[NamedCopy, ...]
    transcripts: tuple[TranscriptCopy, ...]
    codes: tuple[CodeCopy, ...]
    codings: tuple[CodingCopy, ...]
    statuses: tuple[tuple[str, str, str], ...]  # coder, transcript hash, status
    never_merge: tuple[tuple[tuple[str, str], tuple[str, str]], ...]  # (coder, label key) pairs
    settings: tuple[tuple[str, str], ...]
    merge_log_entries: int
    coding_actions: int


@dataclass
class MergeReport:
    """What a merge added, found already present, and could not reconcile."""

    added: Counter[str] = field(default_factory=Counter)
    present: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    conflicts: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return sum(self.added.values()) > 0


class MergeRepo(RepoBase):
    # -- reading the other project -------------------------------------------------------
    def snapshot(self) -> ProjectSnapshot:
        s = self.session
        coder = dict(s.execute(select(m.Coder.id, m.Coder.name)).all())
        category = dict(s.execute(select(m.Category.id, m.Category.name)).all())
        theme_rows = s.execute(select(m.Theme.id, m.Theme.name, m.Theme.definition, m.Theme.category_id)).all()
        theme = {i: n for i, n, _, _ in theme_rows}
        harm_rows = s.execute(select(m.HarmonisedCode.id, m.HarmonisedCode.name, m.HarmonisedCode.definition,
                                     m.HarmonisedCode.theme_id)).all()
        harmonised = {i: n for i, n, _, _ in harm_rows}
        turns: dict[int, list[d.Turn]] = {}
        for tid, *values in s.execute(select(m.Turn.transcript_id, m.Turn.idx, m.Turn.speaker, m.Turn.start,
                                             m.Turn.speech_start, m.Turn.end, m.Turn.start_time, m.Turn.end_time)
                                      .order_by(m.Turn.transcript_id, m.Turn.idx)):
            turns.setdefault(tid, []).append(d.Turn(*values))
        attrs: dict[int, list[tuple[str, str]]] = {}
        for tid, key, value in s.execute(select(m.TranscriptAttribute.transcript_id, m.TranscriptAttribute.key,
                                                m.TranscriptAttribute.value).order_by(m.TranscriptAttribute.key)):
            attrs.setdefault(tid, []).append((key, value))
        transcripts = s.execute(select(m.Transcript.id, m.Transcript.name, m.Transcript.content_hash,
                                       m.Transcript.text, m.Transcript.source_format, m.Transcript.source_path)
                                .order_by(m.Transcript.position)).all()
        digest = {tid: h for tid, _, h, *_ in transcripts}
        code_rows = s.execute(select(m.Code.id, m.Code.coder_id, m.Code.label, m.Code.label_key, m.Code.memo,
                                     m.Code.harmonised_code_id)).all()
        code_key = {i: (coder[c], key) for i, c, _, key, _, _ in code_rows}
        return ProjectSnapshot(
            coders=tuple(sorted(coder.values())),
            categories=tuple(s.scalars(select(m.Category.name).order_by(m.Category.position, m.Category.name))),
            themes=tuple(NamedCopy(n, dfn, category.get(c)) for _, n, dfn, c in theme_rows),
            harmonised=tuple(NamedCopy(n, dfn, theme.get(t)) for _, n, dfn, t in harm_rows),
            transcripts=tuple(TranscriptCopy(n, h, text, fmt, path, tuple(turns.get(i, ())), tuple(attrs.get(i, ())))
                              for i, n, h, text, fmt, path in transcripts),
            codes=tuple(CodeCopy(coder[c], label, key, memo, harmonised.get(h))
                        for _, c, label, key, memo, h in code_rows),
            codings=tuple(
                CodingCopy(coder[c], code_key[code][1], digest[t], start, end, quote, memo, at)
                for c, code, t, start, end, quote, memo, at in s.execute(
                    select(m.Coding.coder_id, m.Coding.code_id, m.Coding.transcript_id, m.Coding.start,
                           m.Coding.end, m.Coding.quote, m.Coding.memo, m.Coding.created_at))),
            statuses=tuple((coder[c], digest[t], st) for c, t, st in s.execute(
                select(m.CodingStatus.coder_id, m.CodingStatus.transcript_id, m.CodingStatus.status))),
            never_merge=tuple((code_key[a], code_key[b]) for a, b in s.execute(
                select(m.NeverMerge.code_a_id, m.NeverMerge.code_b_id))),
            settings=tuple((k, v) for k, v in s.execute(select(m.Setting.key, m.Setting.value).order_by(m.Setting.key))),
            merge_log_entries=int(s.scalar(select(func.count()).select_from(m.MergeDecision)) or 0),
            coding_actions=int(s.scalar(select(func.count()).select_from(m.CodingAction)) or 0),
        )

    # -- folding it into this project ----------------------------------------------------
    def merge_snapshot(self, other: ProjectSnapshot, source: str) -> MergeReport:
        """Add what ``other`` has and this project lacks; report conflicts instead of choosing."""
        report = MergeReport()
        coders = self._merge_coders(other, report)
        categories = self._merge_categories(other, report)
        themes = self._merge_named(m.Theme, "category_id", "theme", other.themes, categories, report, source)
        harmonised = self._merge_named(m.HarmonisedCode, "theme_id", "harmonised code", other.harmonised, themes,
                                       report, source)
        transcripts = self._merge_transcripts(other, report, source)
        codes = self._merge_codes(other, coders, harmonised, report, source)
        self._merge_codings(other, coders, codes, transcripts, report, source)
        self._merge_statuses(other, coders, transcripts, report)
        self._merge_never_merge(other, codes, report)
        self._merge_settings(other, report, source)
        if other.merge_log_entries:
            report.notes.append(
                f"{other.merge_log_entries} merge-log entries of {source} were not copied: the log is this "
                "project's undo history and undo entries refer to log ids of the other project; the decisions' "
                "results (harmonised codes, code mapping, themes, categories, never-merge pairs) were merged")
        if other.coding_actions:
            report.notes.append(f"{other.coding_actions} undo-journal entries of {source} were not copied "
                                "(undo history stays with the project it was recorded in)")
        self.session.flush()
        return report

    def _merge_coders(self, other: ProjectSnapshot, report: MergeReport) -> dict[str, int]:
        ids = dict(self.session.execute(select(m.Coder.name, m.Coder.id)).all())
        for name in other.coders:
            if name in ids:
                report.present["coders"] += 1
                continue
            row = m.Coder(name=name)
            self.session.add(row)
            self.session.flush()
            ids[name] = row.id
            report.added["coders"] += 1
        return ids

    def _merge_categories(self, other: ProjectSnapshot, report: MergeReport) -> dict[str, int]:
        ids = dict(self.session.execute(select(m.Category.name, m.Category.id)).all())
        position = self.session.scalar(select(func.max(m.Category.position))) or 0
        for name in other.categories:
            if name in ids:
                report.present["categories"] += 1
                continue
            position += 1
            row = m.Category(name=name, position=position)
            self.session.add(row)
            self.session.flush()
            ids[name] = row.id
            report.added["categories"] += 1
        return ids

    def _merge_named(self, model: type[m.Theme] | type[m.HarmonisedCode], parent_column: str, kind: str,
                     items: tuple[NamedCopy, ...], parents: dict[str, int], report: MergeReport,
                     source: str) -> dict[str, int]:
        """Themes (parent: category) or harmonised codes (parent: theme), matched by name."""
        rows = {row.name: row for row in self.session.scalars(select(model))}
        parent_names = {i: n for n, i in parents.items()}
        for item in items:
            parent_id = parents.get(item.parent) if item.parent is not None else None
            row = rows.get(item.name)
            if row is None:
                row = model(name=item.name, definition=item.definition, **{parent_column: parent_id})
                self.session.add(row)
                self.session.flush()
                rows[item.name] = row
                report.added[f"{kind}s"] += 1
                continue
            report.present[f"{kind}s"] += 1
            where = f"{kind} {item.name!r}"
            row.definition = _reconcile(report, where, "definition", row.definition, item.definition, source)
            here_parent = parent_names.get(getattr(row, parent_column))
            kept = _reconcile(report, where, "parent", here_parent, item.parent, source)
            setattr(row, parent_column, parents.get(kept) if kept is not None else None)
        self.session.flush()
        return {name: row.id for name, row in rows.items()}

    def _merge_transcripts(self, other: ProjectSnapshot, report: MergeReport, source: str) -> dict[str, int]:
        """Local transcript id by content hash, for every transcript of ``other`` that matches or was added."""
        local = self.session.execute(select(m.Transcript.id, m.Transcript.name, m.Transcript.content_hash)).all()
        by_hash = {h: (i, n) for i, n, h in local}
        by_name = {n: h for _, n, h in local}
        position = self.session.scalar(select(func.max(m.Transcript.position))) or 0
        mapped: dict[str, int] = {}
        for t in other.transcripts:
            if t.content_hash in by_hash:
                tid, name = by_hash[t.content_hash]
                report.present["transcripts"] += 1
                if name != t.name:
                    report.notes.append(f"transcript {t.name!r} of {source} is {name!r} here (same content)")
            elif t.name in by_name:
                report.conflicts.append(
                    f"transcript {t.name!r} has other content here than in {source}: "
                    "its codings and statuses were not merged")
                continue
            else:
                position += 1
                row = m.Transcript(name=t.name, position=position, content_hash=t.content_hash, text=t.text,
                                   source_format=t.source_format, source_path=t.source_path)
                self.session.add(row)
                self.session.flush()
                tid = row.id
                by_name[t.name] = t.content_hash
                if t.turns:
                    self.session.execute(m.Turn.__table__.insert(), [
                        {"transcript_id": tid, "idx": u.idx, "speaker": u.speaker, "start": u.start,
                         "speech_start": u.speech_start, "end": u.end, "start_time": u.start_time,
                         "end_time": u.end_time} for u in t.turns])
                report.added["transcripts"] += 1
            mapped[t.content_hash] = tid
            self._merge_attributes(tid, t, report, source)
        return mapped

    def _merge_attributes(self, tid: int, t: TranscriptCopy, report: MergeReport, source: str) -> None:
        have = {a.key: a for a in self.session.scalars(
            select(m.TranscriptAttribute).where(m.TranscriptAttribute.transcript_id == tid))}
        for key, value in t.attributes:
            row = have.get(key)
            if row is None:
                self.session.add(m.TranscriptAttribute(transcript_id=tid, key=key, value=value))
                report.added["attributes"] += 1
            elif row.value == value:
                report.present["attributes"] += 1
            else:
                report.conflicts.append(f"attribute {key!r} of transcript {t.name!r}: {row.value!r} here, "
                                        f"{value!r} in {source}; kept {row.value!r}")

    def _merge_codes(self, other: ProjectSnapshot, coders: dict[str, int], harmonised: dict[str, int],
                     report: MergeReport, source: str) -> dict[tuple[str, str], int]:
        names = {i: n for n, i in coders.items()}
        harm_names = {i: n for n, i in harmonised.items()}
        rows = {(names[r.coder_id], r.label_key): r for r in self.session.scalars(select(m.Code))}
        for code in other.codes:
            row = rows.get((code.coder, code.label_key))
            if row is None:
                row = m.Code(coder_id=coders[code.coder], label=code.label, label_key=code.label_key, memo=code.memo,
                             harmonised_code_id=harmonised.get(code.harmonised) if code.harmonised else None)
                self.session.add(row)
                self.session.flush()
                rows[(code.coder, code.label_key)] = row
                report.added["codes"] += 1
                continue
            report.present["codes"] += 1
            where = f"code {code.label!r} of {code.coder}"
            row.memo = _reconcile(report, where, "memo", row.memo, code.memo, source)
            kept = _reconcile(report, where, "harmonised code", harm_names.get(row.harmonised_code_id),
                              code.harmonised, source)
            row.harmonised_code_id = harmonised.get(kept) if kept is not None else None
        self.session.flush()
        return {key: row.id for key, row in rows.items()}

    def _merge_codings(self, other: ProjectSnapshot, coders: dict[str, int], codes: dict[tuple[str, str], int],
                       transcripts: dict[str, int], report: MergeReport, source: str) -> None:
        existing = {(r.code_id, r.transcript_id, r.start, r.end): r for r in self.session.scalars(select(m.Coding))}
        inserts = []
        for c in other.codings:
            tid = transcripts.get(c.transcript_hash)
            if tid is None:
                report.skipped["codings"] += 1
                continue
            key = (codes[(c.coder, c.label_key)], tid, c.start, c.end)
            row = existing.get(key)
            if row is not None:
                report.present["codings"] += 1
                row.memo = _reconcile(report, f"coding {c.start}-{c.end} of {c.coder}", "memo", row.memo, c.memo,
                                      source)
                continue
            inserts.append({"coder_id": coders[c.coder], "code_id": key[0], "transcript_id": tid, "start": c.start,
                            "end": c.end, "quote": c.quote, "memo": c.memo, "created_at": c.created_at})
        if inserts:
            self.session.execute(m.Coding.__table__.insert(), inserts)
        report.added["codings"] += len(inserts)

    def _merge_statuses(self, other: ProjectSnapshot, coders: dict[str, int], transcripts: dict[str, int],
                        report: MergeReport) -> None:
        """Per coder and transcript the status furthest along wins (not started < in progress < done)."""
        rows = {(r.coder_id, r.transcript_id): r for r in self.session.scalars(select(m.CodingStatus))}
        for coder, digest, status in other.statuses:
            tid = transcripts.get(digest)
            if tid is None:
                report.skipped["statuses"] += 1
                continue
            row = rows.get((coders[coder], tid))
            if row is None:
                row = m.CodingStatus(coder_id=coders[coder], transcript_id=tid, status=status)
                self.session.add(row)
                rows[(coders[coder], tid)] = row
                report.added["statuses"] += 1
            elif STATUS_RANK.get(status, -1) > STATUS_RANK.get(row.status, -1):
                row.status = status
                report.added["statuses advanced"] += 1
            else:
                report.present["statuses"] += 1

    def _merge_never_merge(self, other: ProjectSnapshot, codes: dict[tuple[str, str], int],
                           report: MergeReport) -> None:
        have = {(a, b) for a, b in self.session.execute(select(m.NeverMerge.code_a_id, m.NeverMerge.code_b_id))}
        for a, b in other.never_merge:
            pair = tuple(sorted((codes[a], codes[b])))
            if pair in have:
                report.present["never-merge pairs"] += 1
                continue
            have.add(pair)
            self.session.add(m.NeverMerge(code_a_id=pair[0], code_b_id=pair[1]))
            report.added["never-merge pairs"] += 1

    def _merge_settings(self, other: ProjectSnapshot, report: MergeReport, source: str) -> None:
        for key, value in other.settings:
            row = self.session.get(m.Setting, key)
            if row is None:
                self.session.add(m.Setting(key=key, value=value))
                report.added["settings"] += 1
            else:
                report.present["settings"] += 1
                _reconcile(report, f"setting {key!r}", "value", row.value, value, source)


def _reconcile(report: MergeReport, where: str, what: str, here: str | None, there: str | None,
               source: str) -> str | None:
    """The value to keep: this project's, filled in from the other when empty here; a clash is reported."""
    if here == there or there is None:
        return here
    if here is None:
        report.added[f"{what}s filled in"] += 1
        return there
    report.conflicts.append(f"{where}: {what} is {here!r} here, {there!r} in {source}; kept this project's")
    return here
