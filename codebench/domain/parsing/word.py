"""The text of a Word (.docx) file: its body paragraphs, one per line.

A plain file (the main part found through the package relationships, with the Word document
content type, no DOCTYPE, no blank ``w:t`` without ``xml:space``, only known break types) is read
directly from its XML with defusedxml; any other file goes through python-docx. Both give
python-docx's ``paragraph.text`` for every ``w:p`` directly under ``w:body``.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
import zlib
from xml.etree.ElementTree import Element, ParseError

import docx
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from docx.opc.exceptions import OpcError
from lxml import etree

from codebench.domain.errors import InputError

# What python-docx lets escape on a damaged, truncated or foreign file.
_UNREADABLE = (
    zipfile.BadZipFile,
    zlib.error,
    KeyError,
    ValueError,
    EOFError,
    NotImplementedError,
    OpcError,
    etree.XMLSyntaxError,
)
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_PACKAGE_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
_CONTENT_TYPES = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
# Text of the run elements python-docx reads (w:t and w:br are handled apart).
_RUN_TEXT = {f"{_W}tab": "\t", f"{_W}ptab": "\t", f"{_W}cr": "\n", f"{_W}noBreakHyphen": "-"}
_BREAKS = {None: "\n", "textWrapping": "\n", "page": "", "column": ""}


class _NotPlain(Exception):
    """The file needs python-docx."""


def docx_text(data: bytes, filename: str) -> str:
    """Return the body paragraphs' texts joined by "\\n" (not yet normalised)."""
    try:
        text = _plain_docx_text(data)
    except (_NotPlain, zipfile.BadZipFile, zlib.error, KeyError, EOFError, ParseError, DefusedXmlException,
            UnicodeDecodeError, ValueError, NotImplementedError):
        text = _python_docx_text(data, filename)
    if not text.strip():
        raise InputError("empty file", where=filename)
    return text


def _python_docx_text(data: bytes, filename: str) -> str:
    try:
        return "\n".join(paragraph.text for paragraph in docx.Document(io.BytesIO(data)).paragraphs)
    except _UNREADABLE as exc:
        raise InputError(f"cannot read .docx: {exc}", where=filename) from exc


def _plain_docx_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        main = _main_part(package)
        xml = package.read(main)
    if b"<!DOCTYPE" in xml:
        raise _NotPlain
    body = fromstring(xml).find(f"{_W}body")
    if body is None:
        raise _NotPlain
    return "\n".join(_paragraph_text(p) for p in body.iterfind(f"{_W}p"))


def _main_part(package: zipfile.ZipFile) -> str:
    """The zip member of the main document part, when it is a Word document."""
    relations = [r for r in fromstring(package.read("_rels/.rels")).iter(_PACKAGE_RELS)
                 if r.get("Type") == _OFFICE_DOCUMENT and r.get("TargetMode") != "External"]
    if len(relations) != 1:
        raise _NotPlain
    name = posixpath.normpath(relations[0].get("Target", "").lstrip("/"))
    overrides = {o.get("PartName"): o.get("ContentType")
                 for o in fromstring(package.read("[Content_Types].xml")).iter(f"{_CONTENT_TYPES}Override")}
    if overrides.get(f"/{name}") != _MAIN:
        raise _NotPlain
    return name


def _paragraph_text(paragraph: Element) -> str:
    parts: list[str] = []
    for child in paragraph:
        if child.tag == f"{_W}r":
            _run_text(child, parts)
        elif child.tag == f"{_W}hyperlink":
            for run in child.iterfind(f"{_W}r"):
                _run_text(run, parts)
    return "".join(parts)


def _run_text(run: Element, parts: list[str]) -> None:
    for item in run:
        if item.tag == f"{_W}t":
            text = item.text or ""
            if text and not text.strip() and item.get(_XML_SPACE) != "preserve":
                raise _NotPlain  # lxml may drop such blank text, as python-docx reads it
            parts.append(text)
        elif item.tag == f"{_W}br":
            kind = item.get(f"{_W}type")
            if kind not in _BREAKS:
                raise _NotPlain
            parts.append(_BREAKS[kind])
        elif item.tag in _RUN_TEXT:
            parts.append(_RUN_TEXT[item.tag])
