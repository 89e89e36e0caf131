"""Read REFI-QDA codebooks (``.qdc``) and projects (``.qdpx`` zip or bare ``project.qde``).

Readers are lenient about what real exporters get wrong (non-standard namespaces, ``Project.qde``,
non-GUID ids, empty ``<Sets/>``, text left out of the archive) and record each tolerance as a
warning; they are strict about safety (see ``safety``). Positions are character offsets.
"""

from __future__ import annotations

import os
import re
from collections import Counter, defaultdict
from datetime import datetime
from xml.etree.ElementTree import Element

from codebench.domain.errors import InputError
from codebench.domain.refi.model import (
    CODEBOOK_NS,
    PROJECT_NS,
    QdaCode,
    QdaCodebook,
    QdaNote,
    QdaProject,
    QdaSelection,
    QdaSource,
    QdaUser,
    is_guid,
    stable_guid,
    walk_codes,
)
from codebench.domain.refi.safety import (
    DEFAULT_MAX_TOTAL_BYTES,
    ArchiveSource,
    SafeArchive,
    open_archive,
    parse_xml,
)

#: Namespace that newer ATLAS.ti versions write for codebooks; read like ``CODEBOOK_NS``.
LEGACY_CODEBOOK_NS = "urn:QDA-XML:codebook:0:4"
_ACCEPTED_NS = frozenset({PROJECT_NS, CODEBOOK_NS, LEGACY_CODEBOOK_NS, ""})
_MAX_CODE_DEPTH = 200
_IGNORED_SECTIONS = ("Variables", "Cases", "Links", "Sets", "Graphs")
_OTHER_SOURCES = ("PictureSource", "PDFSource", "AudioSource", "VideoSource")
_INTERNAL = "internal://"
_RGB_RE = re.compile(r"#(?:[0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})")


class _Reading:
    """Warnings and id bookkeeping for one file being read."""

    def __init__(self, where: str, archive: SafeArchive | None = None) -> None:
        self.where = where
        self.archive = archive
        self.warnings: list[str] = []
        self._odd_ids: list[str] = []
        self._missing_ids = 0

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def guid(self, el: Element, what: str) -> str:
        """The element's ``guid``; a missing one is derived, a non-GUID one kept (both noted)."""
        value = (el.get("guid") or "").strip()
        if not value:
            self._missing_ids += 1
            return stable_guid("missing-guid", self.where, what, str(self._missing_ids))
        if not is_guid(value):
            self._odd_ids.append(value)
        return value

    def finish(self) -> tuple[str, ...]:
        if self._odd_ids:
            shown = ", ".join(repr(v) for v in self._odd_ids[:3])
            self.warn(f"{len(self._odd_ids)} id(s) are not GUIDs (e.g. {shown}); kept as given")
        if self._missing_ids:
            self.warn(f"{self._missing_ids} element(s) had no guid; codebench derived one")
        return tuple(self.warnings)


def _local(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        ns, _, local = tag[1:].partition("}")
        return ns, local
    return "", tag


def _root(data: bytes, reading: _Reading, *, expected: str, standard_ns: str) -> Element:
    """Parse, check the root element, and strip the root's namespace from every tag."""
    root = parse_xml(data, where=reading.where)
    ns, local = _local(root.tag)
    if local != expected or ns not in _ACCEPTED_NS:
        raise InputError(
            f"not a REFI-QDA file: root element is <{local}> in {ns or 'no namespace'}, "
            f"expected <{expected}> in {standard_ns}",
            where=reading.where,
        )
    if ns != standard_ns:
        reading.warn(f"non-standard namespace {ns or '(none)'}; read as {standard_ns}")
    prefix = f"{{{ns}}}" if ns else ""
    if prefix:
        for el in root.iter():
            if isinstance(el.tag, str) and el.tag.startswith(prefix):
                el.tag = el.tag[len(prefix):]
    return root


def _text_of(el: Element | None) -> str | None:
    """An optional text element; empty ones (NVivo writes ``<Description />`` everywhere) are None."""
    return None if el is None or not el.text else el.text


def _bool(value: str | None) -> bool:
    return (value or "true").strip() not in ("false", "0")


def _color(value: str | None, code_name: str, reading: _Reading) -> str | None:
    if value is None:
        return None
    if _RGB_RE.fullmatch(value.strip()):
        return value.strip()
    reading.warn(f"code {code_name!r}: colour {value!r} is not #RRGGBB; dropped")
    return None


def _when(value: str | None, reading: _Reading) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError:
        reading.warn(f"date {value!r} is not an xsd:dateTime; dropped")
        return None


def _read_code(el: Element, reading: _Reading, depth: int) -> QdaCode:
    if depth > _MAX_CODE_DEPTH:
        raise InputError(f"codes nested deeper than {_MAX_CODE_DEPTH} levels", where=reading.where)
    name = el.get("name") or ""
    if not name:
        reading.warn("a code without a name was read with an empty name")
    return QdaCode(
        guid=reading.guid(el, "code"),
        name=name,
        description=_text_of(el.find("Description")),
        color=_color(el.get("color"), name, reading),
        children=tuple(_read_code(child, reading, depth + 1) for child in el.findall("Code")),
        is_codable=_bool(el.get("isCodable")),
    )


def _read_codes(parent: Element | None, reading: _Reading) -> tuple[QdaCode, ...]:
    codes = parent.find("Codes") if parent is not None else None
    if codes is None:
        return ()
    return tuple(_read_code(el, reading, 1) for el in codes.findall("Code"))


def _note_ignored(root: Element, reading: _Reading) -> None:
    present = {tag: el for tag in _IGNORED_SECTIONS if (el := root.find(tag)) is not None}
    empty = [tag for tag, el in present.items() if len(el) == 0]
    if empty:
        reading.warn(f"empty {', '.join(f'<{t}/>' for t in empty)} (invalid per the schema) ignored")
    if full := [tag for tag in present if tag not in empty]:
        reading.warn(f"not imported: {', '.join(full)}")


def read_qdc(data: bytes, *, name: str = "codebook.qdc") -> QdaCodebook:
    """Read a ``.qdc`` codebook: the code tree (names, descriptions, colours) and warnings."""
    reading = _Reading(name)
    root = _root(data, reading, expected="CodeBook", standard_ns=CODEBOOK_NS)
    if root.find("Codes") is None:
        raise InputError("the codebook has no <Codes> element", where=name)
    codes = _read_codes(root, reading)
    _note_ignored(root, reading)
    return QdaCodebook(codes=codes, origin=root.get("origin"), warnings=reading.finish())


def _decode(data: bytes) -> str | None:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def _plain_text(el: Element, label: str, reading: _Reading) -> tuple[str | None, str | None]:
    """(text, plainTextPath) of a TextSource or Note; missing text is warned about and None."""
    path = el.get("plainTextPath")
    inline = el.find("PlainTextContent")
    if inline is not None:
        return inline.text or "", path
    archive, member = reading.archive, None
    if path and archive is not None and path.lower().startswith(_INTERNAL):
        member = archive.find("sources/" + path[len(_INTERNAL):])
    if archive is None or member is None:
        reading.warn(f"{label}: text not included ({path or 'no plainTextPath'}); it could not be mapped")
        return None, path
    text = _decode(archive.read(member))
    if text is None:
        reading.warn(f"{label}: {member} is neither UTF-8 nor UTF-16; it could not be mapped")
    return text, path


class _ProjectReader:
    """Builds a QdaProject from a parsed ``Project`` root."""

    def __init__(self, root: Element, reading: _Reading) -> None:
        self.root = root
        self.reading = reading
        self.tallies: Counter[str] = Counter()  # what was skipped or replaced -> how often
        self.unknown_users: set[str] = set()
        self.aliases: dict[str, str] = {}  # Coding guid -> the QdaSelection guid that carries it
        self.user_guids: set[str] = set()
        self.code_guids: set[str] = set()

    def read(self) -> QdaProject:
        root, reading = self.root, self.reading
        users = tuple(
            QdaUser(guid=(g := reading.guid(el, "user")), name=el.get("name") or el.get("id") or g)
            for el in root.findall("Users/User")
        )
        self.user_guids = {u.guid for u in users}
        codes = _read_codes(root.find("CodeBook"), reading)
        self.code_guids = {c.guid for c in walk_codes(codes)}
        sources: list[QdaSource] = []
        selections: list[QdaSelection] = []
        for el in root.findall("Sources/*"):
            if el.tag == "TextSource":
                source = self._source(el)
                sources.append(source)
                selections.extend(self._selections(el, source))
            else:
                self.tallies[f"skipped {el.tag} elements (only text sources are read)"] += 1
        notes = self._notes()
        _note_ignored(root, reading)
        for what, count in sorted(self.tallies.items()):
            reading.warn(f"{what}: {count}")
        if self.unknown_users:
            reading.warn(f"codings by users not listed in <Users>: {', '.join(sorted(self.unknown_users))}")
        return QdaProject(
            name=root.get("name") or reading.where,
            users=users,
            codes=codes,
            sources=tuple(sources),
            selections=tuple(selections),
            notes=notes,
            warnings=reading.finish(),
            origin=root.get("origin"),
        )

    def _source(self, el: Element) -> QdaSource:
        guid = self.reading.guid(el, "source")
        name = el.get("name") or guid
        text, path = _plain_text(el, f"source {name!r}", self.reading)
        return QdaSource(guid=guid, name=name, text=text, path=path)

    def _selections(self, el: Element, source: QdaSource) -> list[QdaSelection]:
        if el.findall("Coding"):
            self.tallies["skipped whole-source codings"] += len(el.findall("Coding"))
        out: list[QdaSelection] = []
        for sel in el.findall("PlainTextSelection"):
            span = self._span(sel, source)
            if span is None:
                continue
            codings = sel.findall("Coding")
            if not codings:
                self.tallies["skipped selections without a coding"] += 1
            sel_guid = self.reading.guid(sel, "selection")
            for coding in codings:
                coding_guid = self.reading.guid(coding, "coding")
                guid = sel_guid if len(codings) == 1 else coding_guid
                selection = self._selection(sel, coding, guid, source, span)
                if selection is not None:
                    self.aliases[coding_guid] = selection.guid
                    out.append(selection)
        return out

    def _span(self, sel: Element, source: QdaSource) -> tuple[int, int] | None:
        try:
            start, end = int(sel.get("startPosition", "")), int(sel.get("endPosition", ""))
        except ValueError:
            self.tallies["skipped selections without integer positions"] += 1
            return None
        if not 0 <= start <= end or (source.text is not None and end > len(source.text)):
            self.reading.warn(f"source {source.name!r}: selection {start}-{end} lies outside the text; skipped")
            return None
        return start, end

    def _selection(
        self, sel: Element, coding: Element, guid: str, source: QdaSource, span: tuple[int, int]
    ) -> QdaSelection | None:
        ref = coding.find("CodeRef")
        code_guid = ref.get("targetGUID") if ref is not None else None
        if code_guid not in self.code_guids:
            self.reading.warn(f"source {source.name!r}: a coding refers to unknown code {code_guid!r}; skipped")
            return None
        user = coding.get("creatingUser") or sel.get("creatingUser")
        if sel.get("creatingUser") not in (None, user):
            self.tallies["selections whose creatingUser differs from their coding's (the coding's was used)"] += 1
        if user is not None and user not in self.user_guids:
            self.unknown_users.add(user)
        return QdaSelection(
            guid=guid,
            source_guid=source.guid,
            start=span[0],
            end=span[1],
            code_guid=code_guid,
            user_guid=user,
            created=_when(coding.get("creationDateTime") or sel.get("creationDateTime"), self.reading),
            memo=_text_of(sel.find("Description")),
        )

    def _notes(self) -> tuple[QdaNote, ...]:
        targets: defaultdict[str, list[str]] = defaultdict(list)
        for owner in self.root.iter():
            owner_guid = owner.get("guid")
            for ref in owner.findall("NoteRef"):
                if owner is not self.root and owner_guid:
                    targets[ref.get("targetGUID", "")].append(self.aliases.get(owner_guid, owner_guid))
        notes = []
        for el in self.root.findall("Notes/Note"):
            guid = self.reading.guid(el, "note")
            text, _ = _plain_text(el, f"note {el.get('name') or guid!r}", self.reading)
            notes.append(QdaNote(guid, text, tuple(targets.get(guid, ())), name=el.get("name")))
        return tuple(notes)


def _read_project(data: bytes, reading: _Reading) -> QdaProject:
    root = _root(data, reading, expected="Project", standard_ns=PROJECT_NS)
    return _ProjectReader(root, reading).read()


def read_qde(data: bytes, *, name: str = "project.qde") -> QdaProject:
    """Read a bare ``project.qde``; text kept in ``sources/`` is unavailable, so such sources have
    ``text=None`` (with a warning each)."""
    return _read_project(data, _Reading(name))


def read_qdpx(
    source: ArchiveSource, *, name: str | None = None, max_total_bytes: int = DEFAULT_MAX_TOTAL_BYTES
) -> QdaProject:
    """Read a ``.qdpx`` archive (path, bytes or binary file) with its ``project.qde`` in any case
    and source texts from ``sources/``; uncompressed content is capped at ``max_total_bytes``.
    Errors name ``name``, else the path, else ``<qdpx>``."""
    if name is not None:
        where = name
    else:
        where = os.fsdecode(source) if isinstance(source, (str, os.PathLike)) else "<qdpx>"
    with open_archive(source, where=where, max_total_bytes=max_total_bytes) as archive:
        reading = _Reading(where, archive)
        member = archive.find("project.qde")
        if member is None:
            candidates = [n for n in archive.names if n.lower().endswith(".qde")]
            if len(candidates) != 1:
                raise InputError("no project.qde in the archive", where=where)
            member = candidates[0]
            reading.warn(f"project read from {member!r} (expected project.qde)")
        return _read_project(archive.read(member), reading)
