"""What the lead's screens need beyond the harmonisation service: the quotes behind a raw code, a default
name for a merge, rejecting a whole suggestion, and a cheap number
that tells whether the project's codings or decisions changed.

The lead sees every coder's work; the coders' own screens never call this module.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

from codebench.domain.errors import InputError
from codebench.domain.model import Coding
from codebench.services.harmonise import parse_ref
from codebench.store.repo_codings import label_key
from codebench.store.store import Store

QUOTES_SHOWN = 20


@dataclass(frozen=True)
class RawCodeQuotes:
    """One raw code (a coder's label) with how many codings it has and the first of them in text order."""

    coder: str
    label: str
    harmonised: str | None
    total: int
    codings: tuple[Coding, ...]


def raw_code_quotes(store: Store, coder: str, label: str, limit: int = QUOTES_SHOWN) -> RawCodeQuotes:
    """The quotes ``coder`` tagged with ``label`` (at most ``limit``), for the lead to read side by side."""
    if limit < 1:
        raise InputError("show at least one quote")

    def read(tx) -> RawCodeQuotes:  # noqa: ANN001 - Tx
        code = tx.raw_code(coder, label)
        total, codings = tx.raw_code_codings(code.id, limit)
        return RawCodeQuotes(coder, code.label, tx.harmonised_name_of(code.id), total, tuple(codings))

    return store.read(read)


def suggested_name(codes: Sequence[tuple[str, str]]) -> str:
    """The default harmonised name for a group of (coder, label): its most common label.

    Labels count as equal case- and whitespace-insensitively; ties go to the one listed first,
    and the spelling shown is that of its first occurrence.
    """
    if not codes:
        raise InputError("a group needs at least one raw code")
    keys = [label_key(label) for _, label in codes]
    counts = Counter(keys)
    best = max(keys, key=lambda k: (counts[k], -keys.index(k)))
    return codes[keys.index(best)][1]


def reject_group(store: Store, refs: Sequence[str], *, by: str | None = None, note: str | None = None,
                 score: float | None = None) -> int:
    """Reject every pair of the raw codes ``CODER:LABEL`` in one transaction; one log entry per new pair.

    Returns how many pairs were newly remembered (pairs rejected before are skipped).
    """
    parsed = [parse_ref(r) for r in refs]
    if len(parsed) < 2:
        raise InputError("name at least two raw codes to reject")

    def apply(tx) -> int:  # noqa: ANN001 - Tx
        rows = [tx.raw_code(coder, label) for coder, label in parsed]
        added = 0
        for (a, (ca, _)), (b, (cb, _)) in combinations(zip(rows, parsed, strict=True), 2):
            if tx.add_never_merge(a.id, b.id):
                tx.log_decision("reject", {"codes": [[ca, a.label], [cb, b.label]]}, by=by, note=note, score=score)
                added += 1
        return added

    return store.write(apply)


def data_version(store: Store) -> tuple[int, ...]:
    """A cheap fingerprint of the codings, coding actions, done marks and merge log: equal means unchanged."""
    return store.read(lambda tx: tx.data_version())
