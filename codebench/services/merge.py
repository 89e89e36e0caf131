"""``codebench merge OTHER``: fold an offline copy of the project into this one, in one transaction."""

from __future__ import annotations

from pathlib import Path

from codebench.domain.errors import InputError
from codebench.store.engine import sqlite_path
from codebench.store.repo_merge import MergeReport
from codebench.store.store import Store
from codebench.services.project import open_project


class _DryRun(Exception):
    """Raised inside the transaction of a dry run so that everything it did is rolled back."""

    def __init__(self, report: MergeReport) -> None:
        super().__init__("dry run")
        self.report = report


def other_url(other: str) -> str:
    """A database URL for OTHER: a URL as given, or a path to a SQLite project file."""
    return other if "://" in other else f"sqlite:///{Path(other).expanduser().resolve()}"


def _same_database(store: Store, url: str) -> bool:
    here, there = sqlite_path(store.url), sqlite_path(url)
    if here is not None and there is not None:
        return here.resolve() == there.resolve()
    return store.url == url


def merge_project(store: Store, other: str, *, dry_run: bool = False) -> MergeReport:
    """Add the other project's coders, codes, codings, memos, statuses and harmonisation decisions.

    Transcripts are matched by content hash; a transcript of the same name with other content is a
    conflict (reported; its codings are skipped). Running it twice adds nothing the second time.
    With ``dry_run`` the same transaction runs and is rolled back, so the report is exact.
    """
    url = other_url(other)
    if _same_database(store, url):
        raise InputError("cannot merge a project into itself", where=other)
    source = open_project(url)
    try:
        snapshot = source.read(lambda tx: tx.snapshot())
    finally:
        source.close()

    def apply(tx) -> MergeReport:  # noqa: ANN001 - Tx
        report = tx.merge_snapshot(snapshot, other)
        if dry_run:
            raise _DryRun(report)
        return report

    try:
        return store.write(apply)
    except _DryRun as rolled_back:
        return rolled_back.report
