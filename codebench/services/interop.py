"""REFI-QDA exchange of a project: export ``.qdc`` / ``.qdpx``, import what other tools wrote.

Mapping (both directions):

- coders <-> users; transcripts <-> text sources (imported text is normalised like a transcript
  file, and selection offsets are moved onto the normalised text);
- raw codes <-> codes: a selection's code becomes a raw code of the selection's creating user;
  codes no user applied (and codings without a user) go to the coder ``IMPORT_CODER``;
- exports nest raw codes under their harmonised code (definition as description), harmonised codes
  under their theme, themes under their category; those grouping codes are not codable, and import
  skips non-codable codes that nothing was coded with;
- coding memos <-> selection descriptions (or notes attached to a selection); raw code memos <->
  code descriptions (or notes attached to a code).

Import is one transaction: any error stores nothing; what could not be mapped is reported.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from codebench.domain.errors import ConflictError, InputError
from codebench.domain.model import ParsedTranscript
from codebench.domain.parsing.labels import split_turns
from codebench.domain.refi import (
    QdaCode,
    QdaProject,
    QdaSelection,
    QdaSource,
    QdaUser,
    read_qdc,
    read_qdpx,
    stable_guid,
    walk_codes,
    write_qdc,
    write_qdpx,
)
from codebench.domain.transcripts import content_hash, normalise_text
from codebench.store.repo_codings import label_key
from codebench.store.repo_harmonise import HarmonisedInfo
from codebench.store.store import Store

IMPORT_CODER = "imported"
SOURCE_FORMAT = "refi-qda"
MAX_QDC_BYTES = 50 * 1024 * 1024


# -- export -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ExportSummary:
    users: int
    sources: int
    codes: int
    selections: int


def _grouped(harmonised: Sequence[HarmonisedInfo], categories: Sequence[str],
             children: dict[str, tuple[QdaCode, ...]], *, codable: bool) -> tuple[QdaCode, ...]:
    """Categories -> themes -> harmonised codes (each with ``children[name]`` below it); codes without
    a theme and themes without a category at the top level."""
    def hc(h: HarmonisedInfo) -> QdaCode:
        return QdaCode(stable_guid("harmonised", h.name), h.name, h.definition, children=children.get(h.name, ()),
                       is_codable=codable)

    themes: dict[str | None, dict[str, list[QdaCode]]] = defaultdict(lambda: defaultdict(list))
    top: list[QdaCode] = []
    for h in sorted(harmonised, key=lambda h: h.name):
        if h.theme is None:
            top.append(hc(h))
        else:
            themes[h.category][h.theme].append(hc(h))

    def theme_codes(category: str | None) -> tuple[QdaCode, ...]:
        return tuple(QdaCode(stable_guid("theme", name), name, children=tuple(codes), is_codable=False)
                     for name, codes in sorted(themes[category].items()))

    grouped = [QdaCode(stable_guid("category", c), c, children=theme_codes(c), is_codable=False)
               for c in categories if themes.get(c)]
    return (*grouped, *(theme_codes(None) if None in themes else ()), *top)


def export_qdc(store: Store, dest: Path) -> ExportSummary:
    """Write the harmonised codebook as a ``.qdc``: categories and themes as parent codes,
    harmonised codes with their definitions as descriptions."""
    harmonised, categories = store.read(lambda tx: (tx.harmonised_codes(), tx.categories()))
    if not harmonised:
        raise InputError("no harmonised codes yet: harmonise first, or export the whole project as .qdpx")
    codes = _grouped(harmonised, categories, {}, codable=True)
    dest.write_bytes(write_qdc(codes))
    return ExportSummary(0, 0, sum(1 for _ in walk_codes(codes)), 0)


def _memo_of(memos: Iterable[tuple[str, str | None]]) -> str | None:
    """One description for a code several coders share: their memo, or ``coder: memo`` lines when they differ."""
    given = [(coder, memo) for coder, memo in memos if memo]
    if len({memo for _, memo in given}) <= 1:
        return given[0][1] if given else None
    return "\n".join(f"{coder}: {memo}" for coder, memo in given)


def _project(tx, name: str) -> QdaProject:  # noqa: ANN001 - Tx
    coders = [c.name for c in tx.coders()]
    users = tuple(QdaUser(stable_guid("coder", c), c) for c in coders)
    texts = tx.all_texts()
    sources = tuple(QdaSource(stable_guid("transcript", t.name), t.name, texts[t.name]) for t in tx.transcripts())
    # One code per (harmonised code or top level, label): coders sharing a label share the code.
    raw_guid: dict[int, str] = {}
    members: dict[tuple[str, str], list] = defaultdict(list)
    for code in tx.codes():
        key = (code.harmonised or "", label_key(code.label))
        members[key].append(code)
        raw_guid[code.id] = stable_guid("raw", *key)
    children: dict[str, list[QdaCode]] = defaultdict(list)
    for (parent, _), codes in sorted(members.items()):
        memo = _memo_of((c.coder, c.memo) for c in codes)
        children[parent].append(QdaCode(raw_guid[codes[0].id], codes[0].label, memo))
    grouped = _grouped(tx.harmonised_codes(), tx.categories(),
                       {k: tuple(v) for k, v in children.items() if k}, codable=False)
    selections = tuple(
        QdaSelection(stable_guid("coding", str(c.id)), stable_guid("transcript", c.transcript), c.start, c.end,
                     raw_guid[c.code_id], stable_guid("coder", c.coder), memo=c.memo)
        for c in tx.codings()
    )
    return QdaProject(name=name, users=users, codes=(*grouped, *children.get("", ())), sources=sources,
                      selections=selections)


def export_qdpx(store: Store, dest: Path) -> ExportSummary:
    """Write the whole project as a ``.qdpx``: coders, transcripts with their text, every coding
    with its creating coder, raw codes under the harmonised codebook."""
    project = store.read(lambda tx: _project(tx, dest.stem))
    if not project.codes:
        raise InputError("the project has no codes yet: nothing to exchange")
    write_qdpx(project, dest)
    return ExportSummary(len(project.users), len(project.sources), sum(1 for _ in walk_codes(project.codes)),
                         len(project.selections))


# -- import -------------------------------------------------------------------------------------------

@dataclass
class ImportSummary:
    """What an import stored, what it reused, and every sentence about what it could not map."""

    transcripts_added: list[str] = field(default_factory=list)
    transcripts_reused: list[str] = field(default_factory=list)
    coders_added: list[str] = field(default_factory=list)
    codes_created: int = 0
    codings_stored: int = 0
    codings_already_present: int = 0
    warnings: list[str] = field(default_factory=list)
    not_mapped: list[str] = field(default_factory=list)


class _Offsets:
    """Moves offsets into a source's text onto its normalised text (BOM dropped, CRLF joined, NFC):
    the new offset is the length of the normalised prefix."""

    def __init__(self, raw: str) -> None:
        self.raw = raw
        self.text = normalise_text(raw)
        self._cache: dict[int, int] = {}

    def __call__(self, position: int) -> int:
        if self.text == self.raw:
            return position
        if position not in self._cache:
            self._cache[position] = len(normalise_text(self.raw[:position]))
        return self._cache[position]


class _Importer:
    """Maps one read REFI-QDA project onto the store inside a transaction."""

    def __init__(self, tx, project: QdaProject) -> None:  # noqa: ANN001 - Tx
        self.tx = tx
        self.project = project
        self.summary = ImportSummary(warnings=list(project.warnings))
        self.tallies: Counter[str] = Counter()

    def note(self, what: str, n: int = 1) -> None:
        self.tallies[what] += n

    def run(self) -> ImportSummary:
        sources = self._sources()
        codes = {c.guid: c for c in walk_codes(self.project.codes)}
        applied = {s.code_guid for s in self.project.selections}
        unapplied = [c for c in codes.values() if c.guid not in applied]
        coders = self._coders(needs_import_coder=any(c.is_codable for c in unapplied) or any(
            s.user_guid not in {u.guid for u in self.project.users} for s in self.project.selections))
        notes = self._notes_by_target()
        plan: dict[str, list[tuple[QdaSelection, str]]] = defaultdict(list)  # coder -> selections
        used: set[tuple[str, str]] = set()  # (coder, code guid)
        for sel in self.project.selections:
            coder = coders.get(sel.user_guid or "", IMPORT_CODER)
            used.add((coder, sel.code_guid))
            if sel.source_guid in sources:
                plan[coder].append((sel, notes.get(sel.guid, "")))
            else:
                self.note("codings on sources without text skipped")
        for code in unapplied:
            if code.is_codable:
                used.add((IMPORT_CODER, code.guid))
            else:
                self.note("grouping codes (categories, themes, harmonised codes: not codable, never applied) "
                          "not imported as raw codes")
        code_ids = self._codes(used, codes, notes)
        self._codings(plan, sources, code_ids)
        for what, n in sorted(self.tallies.items()):
            self.summary.not_mapped.append(f"{what}: {n}")
        return self.summary

    def _sources(self) -> dict[str, tuple[str, _Offsets]]:
        """Source guid -> (transcript name, its text and offset mapping)."""
        out: dict[str, tuple[str, _Offsets]] = {}
        names: set[str] = set()
        for source in self.project.sources:
            if source.text is None or not source.text.strip():
                self.summary.not_mapped.append(f"source {source.name!r}: no text in the file; its codings skipped")
                continue
            offsets = _Offsets(source.text)
            text = offsets.text
            name = self._unique_name(source.name.strip() or "source", names)
            digest = content_hash(text)
            existing = self.tx.transcript_by_name(name)
            if existing is not None and existing[0] != digest:
                raise ConflictError(f"a transcript named {name!r} with other content exists; "
                                    f"rename it or import into a fresh project")
            twin = self.tx.transcript_name_by_hash(digest) if existing is None else name
            if twin is not None:
                self.summary.transcripts_reused.append(twin if twin == name else f"{name} (= {twin})")
                name = twin
            else:
                self.tx.add_transcript(name, ParsedTranscript(text, split_turns(text), SOURCE_FORMAT), digest, None)
                self.summary.transcripts_added.append(name)
            out[source.guid] = (name, offsets)
        return out

    def _unique_name(self, name: str, taken: set[str]) -> str:
        candidate, n = name, 1
        while candidate in taken:
            n += 1
            candidate = f"{name} ({n})"
        if candidate != name:
            self.summary.warnings.append(f"two sources are named {name!r}; the second is {candidate!r}")
        taken.add(candidate)
        return candidate

    def _coders(self, *, needs_import_coder: bool) -> dict[str, str]:
        """User guid -> coder name, adding coders that do not exist yet (and ``IMPORT_CODER`` if needed)."""
        out = {user.guid: " ".join(user.name.split()) or IMPORT_CODER for user in self.project.users}
        names = set(out.values()) | ({IMPORT_CODER} if needs_import_coder else set())
        known = self.tx.coder_ids()
        for name in sorted(names - set(known)):
            self.tx.add_coder(name)
            self.summary.coders_added.append(name)
        if needs_import_coder:
            self.summary.warnings.append(f"codes and codings without a known user belong to coder {IMPORT_CODER!r}")
        return out

    def _notes_by_target(self) -> dict[str, str]:
        out: dict[str, list[str]] = defaultdict(list)
        for note in self.project.notes:
            if not note.target_guids:
                self.note("project notes (no code or coding to attach them to) not imported")
            for target in note.target_guids:
                if note.text:
                    out[target].append(note.text)
        return {k: "\n\n".join(v) for k, v in out.items()}

    def _codes(self, used: set[tuple[str, str]], codes: dict[str, QdaCode],
               notes: dict[str, str]) -> dict[tuple[str, str], int]:
        """(coder, code guid) -> raw code id; codes of one coder with the same label become one raw code."""
        coder_ids = self.tx.coder_ids()
        out: dict[tuple[str, str], int] = {}
        by_coder: dict[str, list[str]] = defaultdict(list)
        for coder, guid in sorted(used):
            by_coder[coder].append(guid)
        for coder, guids in by_coder.items():
            labels = {g: " ".join(codes[g].name.split()) or "(unnamed code)" for g in guids}
            keys = Counter(label_key(lab) for lab in labels.values())
            if clashes := sum(n - 1 for n in keys.values() if n > 1):
                self.summary.warnings.append(f"coder {coder!r}: {clashes} code(s) share a label with another "
                                             f"code and were joined into one raw code")
            ids, new_keys = self.tx.add_missing_codes(coder_ids[coder], labels.values())
            self.summary.codes_created += len(new_keys)
            for guid, label in labels.items():
                out[(coder, guid)] = ids[label_key(label)]
                memo = codes[guid].description or notes.get(guid)
                if memo and label_key(label) in new_keys:
                    self.tx.set_code_memo(coder, ids[label_key(label)], memo)
        return out

    def _codings(self, plan: dict[str, list[tuple[QdaSelection, str]]],
                 sources: dict[str, tuple[str, _Offsets]],
                 code_ids: dict[tuple[str, str], int]) -> None:
        coder_ids, transcript_ids = self.tx.coder_ids(), self.tx.transcript_ids()
        existing = self.tx.existing_coding_keys()
        rows = []
        for coder, selections in plan.items():
            for sel, note in selections:
                name, offsets = sources[sel.source_guid]
                start, end = offsets(sel.start), offsets(sel.end)
                if start == end:
                    self.note("empty selections skipped")
                    continue
                key = (code_ids[(coder, sel.code_guid)], transcript_ids[name], start, end)
                if key in existing:
                    self.summary.codings_already_present += 1
                    continue
                existing.add(key)
                rows.append({"coder_id": coder_ids[coder], "code_id": key[0], "transcript_id": key[1], "start": start,
                             "end": end, "quote": offsets.text[start:end], "memo": sel.memo or note or None})
        self.tx.insert_codings(rows)
        self.summary.codings_stored = len(rows)


def _read(path: Path, kind: str) -> QdaProject:
    if kind == "qdpx":
        return read_qdpx(path)
    if kind == "qdc":
        size = path.stat().st_size
        if size > MAX_QDC_BYTES:
            raise InputError(f"file is {size // (1024 * 1024)} MB; codebooks over 50 MB are refused", where=str(path))
        book = read_qdc(path.read_bytes(), name=str(path))
        return QdaProject(name=path.stem, codes=book.codes, warnings=book.warnings, origin=book.origin)
    raise InputError(f"unknown REFI-QDA kind {kind!r}: use qdc or qdpx")


def import_refi(store: Store, path: Path, kind: str) -> ImportSummary:
    """Import a ``.qdc`` codebook (codes only, for coder ``IMPORT_CODER``) or a ``.qdpx`` project in one
    transaction; a malformed or unsafe file raises ``InputError`` and stores nothing."""
    if not path.is_file():
        raise InputError("no such file", where=str(path))
    project = _read(path, kind)
    return store.write(lambda tx: _Importer(tx, project).run())
