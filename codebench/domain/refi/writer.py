"""Write REFI-QDA 1.0: a ``.qdc`` codebook and a ``.qdpx`` project archive, both valid against the
QDA-XML schemas. XML is built with the standard library (no lxml at run time).

GUIDs: a valid GUID is written as given; any other non-empty id (e.g. ``c001`` from an imported
file) is replaced by ``stable_guid("id", id)`` everywhere it occurs, so references stay intact; an
empty guid is derived from the item's names (codes: their path in the tree).
"""

from __future__ import annotations

import re
import zipfile
from collections import defaultdict
from collections.abc import Mapping, Sequence
from os import PathLike
from typing import BinaryIO
from xml.etree import ElementTree as ET
from xml.etree.ElementTree import Element, SubElement

from codebench.domain.errors import InputError
from codebench.domain.refi.model import (
    CODEBOOK_NS,
    PROJECT_NS,
    QdaCode,
    QdaNote,
    QdaProject,
    QdaSelection,
    is_guid,
    stable_guid,
    walk_codes,
)

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_RGB_RE = re.compile(r"#(?:[0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})")
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # fixed, so the same project gives the same bytes
_WHERE = "REFI-QDA export"


def _guid(given: str, *key: str) -> str:
    if is_guid(given):
        return given
    return stable_guid("id", given) if given else stable_guid(*key)


def _clean(value: str) -> str:
    """Characters XML 1.0 cannot carry become U+FFFD."""
    return _XML_ILLEGAL.sub("\ufffd", value)


def _el(parent: Element | None, tag: str, **attrs: str | None) -> Element:
    clean = {k: _clean(v) for k, v in attrs.items() if v is not None}
    return Element(tag, clean) if parent is None else SubElement(parent, tag, clean)


def _text_el(parent: Element, tag: str, text: str) -> None:
    _el(parent, tag).text = _clean(text)


def _serialise(root: Element) -> bytes:
    data = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    # ElementTree escapes CR in attributes but not in text, where a parser would turn it into LF.
    # A raw CR in the output can only come from text, so this keeps CRs exact.
    return data.replace(b"\r", b"&#13;")


def _code_el(
    parent: Element, code: QdaCode, path: tuple[str, ...], note_refs: Mapping[str, list[str]] | None
) -> None:
    if code.color is not None and not _RGB_RE.fullmatch(code.color):
        raise InputError(f"code {code.name!r}: colour {code.color!r} is not #RRGGBB", where=_WHERE)
    guid = _guid(code.guid, "code", *path, code.name)
    codable = "true" if code.is_codable else "false"
    el = _el(parent, "Code", guid=guid, name=code.name, isCodable=codable, color=code.color)
    if code.description:
        _text_el(el, "Description", code.description)
    if note_refs is not None:
        for note in note_refs.get(guid, ()):
            _el(el, "NoteRef", targetGUID=note)
    for child in code.children:
        _code_el(el, child, (*path, code.name), note_refs)


def _codes_el(parent: Element, codes: Sequence[QdaCode], note_refs: Mapping[str, list[str]] | None) -> None:
    if not codes:
        raise InputError("a REFI-QDA codebook needs at least one code", where=_WHERE)
    codes_el = _el(parent, "Codes")
    for code in codes:
        _code_el(codes_el, code, (), note_refs)
    guids = [el.get("guid") for el in codes_el.iter("Code")]
    if len(set(guids)) != len(guids):
        raise InputError("two codes share a GUID (same name under the same parent?)", where=_WHERE)


def write_qdc(codes: Sequence[QdaCode], *, origin: str = "codebench") -> bytes:
    """A ``.qdc`` codebook (``CodeBook`` in ``urn:QDA-XML:codebook:1.0``) for the code tree."""
    root = _el(None, "CodeBook", xmlns=CODEBOOK_NS, origin=origin)
    _codes_el(root, codes, None)
    return _serialise(root)


def _check_references(project: QdaProject) -> None:
    """Refuse a project whose selections or notes point at nothing (the file would be unusable).
    Users and sources need a guid; codes, selections and notes may leave it empty."""
    texts = {s.guid: s.text for s in project.sources if s.guid}
    codes = {c.guid for c in walk_codes(project.codes) if c.guid}
    users = {u.guid for u in project.users if u.guid}
    targets = texts.keys() | codes | {s.guid for s in project.selections if s.guid}
    unnamed = [("user", u.name) for u in project.users if not u.guid]
    unnamed += [("source", s.name) for s in project.sources if not s.guid]
    problems = [f"{kind} {name!r} has no guid" for kind, name in unnamed]
    for sel in project.selections:
        text = texts.get(sel.source_guid, "")
        if sel.source_guid not in texts:
            problems.append(f"selection {sel.guid!r}: unknown source {sel.source_guid!r}")
        elif not 0 <= sel.start <= sel.end or (text is not None and sel.end > len(text)):
            problems.append(f"selection {sel.guid!r}: span {sel.start}-{sel.end} outside its source")
        if sel.code_guid not in codes:
            problems.append(f"selection {sel.guid!r}: unknown code {sel.code_guid!r}")
        if sel.user_guid is not None and sel.user_guid not in users:
            problems.append(f"selection {sel.guid!r}: unknown user {sel.user_guid!r}")
    for note in project.notes:
        problems += [f"note {note.guid!r}: unknown target {t!r}" for t in note.target_guids if t not in targets]
    if problems:
        more = f" (+{len(problems) - 3} more)" if len(problems) > 3 else ""
        raise InputError("; ".join(problems[:3]) + more, where=_WHERE)


def _selection_guid(sel: QdaSelection) -> str:
    return _guid(sel.guid, "selection", sel.source_guid, str(sel.start), str(sel.end), sel.code_guid)


def _selection_el(parent: Element, sel: QdaSelection, note_refs: Mapping[str, list[str]]) -> None:
    guid = _selection_guid(sel)
    user = _guid(sel.user_guid) if sel.user_guid is not None else None
    when = sel.created.isoformat() if sel.created is not None else None
    el = _el(
        parent,
        "PlainTextSelection",
        guid=guid,
        startPosition=str(sel.start),
        endPosition=str(sel.end),
        creatingUser=user,
        creationDateTime=when,
    )
    if sel.memo:
        _text_el(el, "Description", sel.memo)
    coding = _el(el, "Coding", guid=stable_guid("coding", guid), creatingUser=user, creationDateTime=when)
    _el(coding, "CodeRef", targetGUID=_guid(sel.code_guid))
    for note in note_refs.get(guid, ()):
        _el(el, "NoteRef", targetGUID=note)


def _note_refs(project: QdaProject) -> dict[str, list[str]]:
    """Written target GUID -> written note GUIDs; project-wide notes under the key ``""``."""
    refs: defaultdict[str, list[str]] = defaultdict(list)
    for note in project.notes:
        guid = _note_guid(note)
        for target in note.target_guids or ("",):
            refs[_guid(target) if target else ""].append(guid)
    return refs


def _note_guid(note: QdaNote) -> str:
    return _guid(note.guid, "note", note.name or "", note.text or "")


def _sources_el(root: Element, project: QdaProject, refs: Mapping[str, list[str]]) -> dict[str, str]:
    """Add ``Sources`` with their selections; return the texts to store, by archive member name."""
    files: dict[str, str] = {}
    by_source: defaultdict[str, list[QdaSelection]] = defaultdict(list)
    for sel in project.selections:
        by_source[sel.source_guid].append(sel)
    sources = _el(root, "Sources")
    for source in project.sources:
        guid = _guid(source.guid)
        path = None
        if source.text is not None:
            path = f"internal://{guid}.txt"
            files[f"sources/{guid}.txt"] = source.text
        el = _el(sources, "TextSource", guid=guid, name=source.name, plainTextPath=path)
        for sel in by_source[source.guid]:
            _selection_el(el, sel, refs)
        for note in refs.get(guid, ()):
            _el(el, "NoteRef", targetGUID=note)
    return files


def _project_xml(project: QdaProject, origin: str) -> tuple[bytes, dict[str, str]]:
    """The ``project.qde`` bytes and the source texts to store, by archive member name."""
    _check_references(project)
    refs = _note_refs(project)
    root = _el(None, "Project", xmlns=PROJECT_NS, name=project.name, origin=origin)
    if project.users:
        users = _el(root, "Users")
        for user in project.users:
            _el(users, "User", guid=_guid(user.guid), name=user.name)
    if project.codes:
        _codes_el(_el(root, "CodeBook"), project.codes, refs)
    files = _sources_el(root, project, refs) if project.sources else {}
    if project.notes:
        notes = _el(root, "Notes")
        for note in project.notes:
            note_el = _el(notes, "Note", guid=_note_guid(note), name=note.name)
            if note.text is not None:
                _text_el(note_el, "PlainTextContent", note.text)
    for note in refs.get("", ()):
        _el(root, "NoteRef", targetGUID=note)
    return _serialise(root), files


def write_qdpx(
    project: QdaProject, dest: str | PathLike[str] | BinaryIO, *, origin: str = "codebench"
) -> None:
    """Write ``project`` as a ``.qdpx`` zip: ``project.qde`` plus ``sources/<guid>.txt`` (UTF-8)
    for every source whose text is known. Sources without text are listed without a text path.

    Raises ``InputError`` when a selection or note refers to something the project lacks.
    """
    xml, files = _project_xml(project, origin)
    members = {"project.qde": xml, **{name: text.encode("utf-8") for name, text in files.items()}}
    with zipfile.ZipFile(dest, "w") as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name, _ZIP_DATE), data, compress_type=zipfile.ZIP_DEFLATED)
