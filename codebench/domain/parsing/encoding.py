"""Bytes to normalised text: encoding detection, binary detection, normalisation."""

from __future__ import annotations

import codecs
import re
import unicodedata

from codebench.domain.errors import InputError

# Control characters that never occur in a text transcript (tab, LF, VT, FF, CR are allowed).
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_ASCII_CONTROL = bytes([*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F])  # the ASCII part of _CONTROL
# Above this share of control characters a decoded file is taken to be binary.
_MAX_CONTROL_SHARE = 0.02
_BINARY = "binary file, not a transcript"


def normalise_text(text: str) -> str:
    """Remove leading BOMs, turn CRLF and lone CR into LF, and compose to Unicode NFC."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def decode_bytes(data: bytes, filename: str) -> tuple[str, list[str]]:
    """Decode a text file's bytes; return ``(text, warnings)``.

    UTF-8 (with or without BOM) and UTF-16 with a BOM are read as such; anything else is read
    as Windows-1252 with a warning. The text is returned as decoded (not yet normalised).
    Raises ``InputError`` for an empty (or whitespace-only) file and for binary content.
    """
    if not data:
        raise InputError("empty file", where=filename)
    warnings: list[str] = []
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = _strict(data, "utf-16", filename)
    elif b"\x00" in data:
        raise InputError(_BINARY, where=filename)
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = _strict(data, "cp1252", filename)
            warnings.append(f"{filename}: not valid UTF-8, read as Windows-1252 (cp1252)")
    if not text.lstrip("\ufeff").strip():
        raise InputError("empty file", where=filename)
    if _control_count(text) > _MAX_CONTROL_SHARE * len(text):
        raise InputError(_BINARY, where=filename)
    return text, warnings


def _control_count(text: str) -> int:
    """How many characters of ``text`` match ``_CONTROL`` (counted on bytes for ASCII text)."""
    if text.isascii():
        data = text.encode("ascii")
        return len(data) - len(data.translate(None, _ASCII_CONTROL))
    return len(_CONTROL.findall(text))


def _strict(data: bytes, encoding: str, filename: str) -> str:
    """Decode strictly; bytes the encoding cannot hold mean the file is not text."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(_BINARY, where=filename) from exc
