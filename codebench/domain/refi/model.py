"""Plain values for REFI-QDA exchange (QDA-XML 1.0): users, codes, sources, selections, notes.

These mirror the parts of a REFI-QDA project that codebench reads and writes. They carry the
GUIDs found in (or written to) the XML so that references between them stay intact.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

#: Namespace of a ``.qdc`` codebook (``CodeBook`` root).
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
#: Namespace of the ``project.qde`` inside a ``.qdpx`` (``Project`` root).
PROJECT_NS = "urn:QDA-XML:project:1.0"

_GUID_RE = re.compile(
    r"(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})"
    r"|(?:\{[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\})"
)
# Fixed namespace for codebench's name-based GUIDs; changing it changes every generated GUID.
_CODEBENCH_NS = uuid.uuid5(uuid.NAMESPACE_URL, "urn:codebench:refi-qda")


def is_guid(value: str) -> bool:
    """True when ``value`` matches the schema's GUIDType pattern (optionally in braces)."""
    return _GUID_RE.fullmatch(value) is not None


def stable_guid(*parts: str) -> str:
    """A deterministic uuid5 GUID for a key made of ``parts`` (same parts, same GUID).

    The parts are joined unambiguously (as a JSON list), so ``("a", "b")`` and ``("a b",)``
    give different GUIDs.
    """
    return str(uuid.uuid5(_CODEBENCH_NS, json.dumps(list(parts), ensure_ascii=False)))


@dataclass(frozen=True, slots=True)
class QdaUser:
    """A person who coded (REFI ``User``)."""

    guid: str
    name: str


@dataclass(frozen=True, slots=True)
class QdaCode:
    """A code of the codebook tree. An empty ``guid`` asks the writer to derive one from the names."""

    guid: str
    name: str
    description: str | None = None
    color: str | None = None
    children: tuple[QdaCode, ...] = ()
    is_codable: bool = True


@dataclass(frozen=True, slots=True)
class QdaSource:
    """A text source (transcript). ``text`` is None when the file referred to text it did not carry;
    ``path`` is the ``plainTextPath`` as read (ignored by the writer)."""

    guid: str
    name: str
    text: str | None
    path: str | None = None


@dataclass(frozen=True, slots=True)
class QdaSelection:
    """One coding of a text span: ``start``/``end`` are character offsets into the source text
    (end exclusive). ``memo`` travels as the selection's ``Description``."""

    guid: str
    source_guid: str
    start: int
    end: int
    code_guid: str
    user_guid: str | None = None
    created: datetime | None = None
    memo: str | None = None


@dataclass(frozen=True, slots=True)
class QdaNote:
    """A memo (REFI ``Note``) attached to codes, sources or selections by GUID;
    no targets means it applies to the project as a whole."""

    guid: str
    text: str | None
    target_guids: tuple[str, ...] = ()
    name: str | None = None


@dataclass(frozen=True, slots=True)
class QdaCodebook:
    """What a ``.qdc`` file holds, plus what the reader had to tolerate."""

    codes: tuple[QdaCode, ...]
    origin: str | None = None
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class QdaProject:
    """What a ``.qdpx``/``.qde`` holds as far as codebench uses it, plus reader warnings."""

    name: str
    users: tuple[QdaUser, ...] = ()
    codes: tuple[QdaCode, ...] = ()
    sources: tuple[QdaSource, ...] = ()
    selections: tuple[QdaSelection, ...] = ()
    notes: tuple[QdaNote, ...] = ()
    warnings: tuple[str, ...] = ()
    origin: str | None = None


def walk_codes(codes: Sequence[QdaCode]) -> Iterator[QdaCode]:
    """Every code of the tree, parents before their children."""
    for code in codes:
        yield code
        yield from walk_codes(code.children)
