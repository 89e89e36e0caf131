"""The text of a Word (.docx) file: its body paragraphs, one per line."""

from __future__ import annotations

import io
import zipfile
import zlib

import docx
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


def docx_text(data: bytes, filename: str) -> str:
    """Return the body paragraphs' texts joined by "\\n" (not yet normalised)."""
    try:
        paragraphs = docx.Document(io.BytesIO(data)).paragraphs
        text = "\n".join(paragraph.text for paragraph in paragraphs)
    except _UNREADABLE as exc:
        raise InputError(f"cannot read .docx: {exc}", where=filename) from exc
    if not text.strip():
        raise InputError("empty file", where=filename)
    return text
