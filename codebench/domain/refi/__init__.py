"""REFI-QDA (QDA-XML 1.0) exchange: read and write ``.qdc`` codebooks and ``.qdpx`` projects.

Reading is defensive (see ``safety``) and lenient about known exporter quirks, reporting each as a
warning on the returned value; writing produces files valid against the REFI-QDA schemas.
"""

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
from codebench.domain.refi.reader import LEGACY_CODEBOOK_NS, read_qdc, read_qde, read_qdpx
from codebench.domain.refi.safety import DEFAULT_MAX_TOTAL_BYTES
from codebench.domain.refi.writer import write_qdc, write_qdpx

__all__ = [
    "CODEBOOK_NS",
    "DEFAULT_MAX_TOTAL_BYTES",
    "LEGACY_CODEBOOK_NS",
    "PROJECT_NS",
    "QdaCode",
    "QdaCodebook",
    "QdaNote",
    "QdaProject",
    "QdaSelection",
    "QdaSource",
    "QdaUser",
    "is_guid",
    "read_qdc",
    "read_qde",
    "read_qdpx",
    "stable_guid",
    "walk_codes",
    "write_qdc",
    "write_qdpx",
]
