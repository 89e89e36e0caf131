"""Defensive parsing of untrusted REFI-QDA input: XML without DTDs or entities, zips without
path tricks or decompression bombs. Every refusal is one ``InputError`` naming the file."""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from os import PathLike
from typing import BinaryIO
from xml.etree.ElementTree import Element

import defusedxml
import defusedxml.ElementTree as safe_et

from codebench.domain.errors import InputError

#: Default cap on the total uncompressed size of a ``.qdpx`` archive.
DEFAULT_MAX_TOTAL_BYTES = 200 * 1024 * 1024

_CHUNK = 64 * 1024
_DRIVE_RE = re.compile(r"^[A-Za-z]:")

ArchiveSource = str | PathLike[str] | bytes | BinaryIO


def parse_xml(data: bytes, *, where: str) -> Element:
    """Parse ``data`` with defusedxml; DTDs (hence entity bombs and external entities) are refused."""
    try:
        return safe_et.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except defusedxml.DTDForbidden:
        raise InputError(
            "refused: the XML has a document type declaration (DTD); "
            "entity expansion and external entities are not allowed",
            where=where,
        ) from None
    except defusedxml.DefusedXmlException as exc:
        raise InputError(f"refused: unsafe XML ({type(exc).__name__})", where=where) from None
    except safe_et.ParseError as exc:
        raise InputError(f"malformed XML: {exc}", where=where) from None


def _unsafe_member_name(name: str) -> bool:
    normal = name.replace("\\", "/")
    return normal.startswith("/") or bool(_DRIVE_RE.match(normal)) or ".." in normal.split("/")


class SafeArchive:
    """Read access to a checked zip: case-insensitive member lookup and a byte budget shared by
    every read, enforced while decompressing (so a header that under-states sizes cannot help)."""

    def __init__(self, archive: zipfile.ZipFile, *, where: str, max_total_bytes: int) -> None:
        self._zip = archive
        self._where = where
        self._left = max_total_bytes
        self._members: dict[str, zipfile.ZipInfo] = {}
        for info in archive.infolist():
            if _unsafe_member_name(info.filename):
                raise InputError(
                    f"refused: archive member {info.filename!r} has an absolute path or '..'", where=where
                )
            key = info.filename.lower()
            if key in self._members:
                raise InputError(f"refused: archive member {info.filename!r} appears twice", where=where)
            self._members[key] = info
        declared = sum(info.file_size for info in self._members.values())
        if declared > max_total_bytes:
            raise InputError(
                f"refused: archive expands to {declared} bytes, more than the limit of {max_total_bytes}",
                where=where,
            )

    @property
    def names(self) -> tuple[str, ...]:
        """Member names as stored, in archive order."""
        return tuple(info.filename for info in self._members.values())

    def find(self, name: str) -> str | None:
        """The stored name of member ``name`` compared case-insensitively, or None."""
        info = self._members.get(name.replace("\\", "/").lower())
        return info.filename if info else None

    def read(self, name: str) -> bytes:
        """The member's bytes, counted against the archive's byte budget."""
        info = self._members[name.lower()]
        out = bytearray()
        try:
            with self._zip.open(info) as stream:
                while chunk := stream.read(_CHUNK):
                    self._left -= len(chunk)
                    if self._left < 0:
                        raise InputError(
                            f"refused: archive expands beyond the size limit while reading {name!r}",
                            where=self._where,
                        )
                    out += chunk
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError) as exc:
            raise InputError(f"damaged archive member {name!r}: {exc}", where=self._where) from None
        return bytes(out)


@contextmanager
def open_archive(source: ArchiveSource, *, where: str, max_total_bytes: int) -> Iterator[SafeArchive]:
    """Open ``source`` (a path, bytes or a binary file) as a checked zip archive."""
    target = io.BytesIO(source) if isinstance(source, bytes) else source
    try:
        archive = zipfile.ZipFile(target)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
        raise InputError(f"not a readable zip archive: {exc}", where=where) from None
    with archive:
        yield SafeArchive(archive, where=where, max_total_bytes=max_total_bytes)
