"""``codebench backup FILE``: a consistent copy of the whole project."""

from __future__ import annotations

from pathlib import Path

from codebench.store.backup import backup
from codebench.store.store import Store


def backup_project(store: Store, dest: Path) -> str:
    """Copy the project to ``dest`` (a new file); returns how it was copied.

    SQLite: the online backup API, safe while coders keep working. PostgreSQL: pg_dump in its
    custom format when pg_dump is installed, otherwise an error that says which command to run.
    """
    return backup(store.engine, store.url, dest.expanduser())
