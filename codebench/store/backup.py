"""Copies of a whole project: SQLite through its online backup API, PostgreSQL through pg_dump."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from codebench.domain.errors import CodebenchError, ConflictError, InputError
from codebench.store.engine import sqlite_path


def backup_sqlite(engine: Engine, dest: Path) -> None:
    """Copy a live SQLite project page by page (consistent even while others write) to ``dest``.

    The copy is written next to ``dest`` first, checked with ``PRAGMA integrity_check``, switched
    to a self-contained rollback journal and only then renamed into place.
    """
    partial = dest.with_name(dest.name + ".partial")
    partial.unlink(missing_ok=True)
    raw = engine.raw_connection()
    try:
        target = sqlite3.connect(partial)
        try:
            raw.driver_connection.backup(target)
            target.execute("PRAGMA journal_mode=DELETE")
            verdict = target.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            target.close()
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise InputError(f"backup failed: {exc}", where=str(dest)) from exc
    finally:
        raw.close()
    if verdict != "ok":
        partial.unlink(missing_ok=True)
        raise CodebenchError(f"the copy failed its integrity check ({verdict}); nothing written", where=str(dest))
    os.replace(partial, dest)


def libpq_url(url: str) -> str:
    """The SQLAlchemy URL as a libpq connection URI (what pg_dump and psql accept)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def backup_postgres(url: str, dest: Path) -> None:
    """Run ``pg_dump --format=custom`` into ``dest``; refuse with a hint when pg_dump is missing."""
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise InputError("pg_dump is not installed; back up the server with: "
                         f"pg_dump --format=custom --file {dest} '{make_url(url).set(drivername='postgresql')}'")
    partial = dest.with_name(dest.name + ".partial")
    done = subprocess.run([pg_dump, "--format=custom", "--no-owner", "--file", str(partial), libpq_url(url)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        partial.unlink(missing_ok=True)
        reason = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit code {done.returncode}"
        raise InputError(f"pg_dump failed: {reason}", where=str(dest))
    os.replace(partial, dest)


def backup(engine: Engine, url: str, dest: Path) -> str:
    """Back up the project at ``url`` to ``dest`` (which must not exist); returns the method used."""
    if dest.exists():
        raise ConflictError("the backup file exists already; choose a new name", where=str(dest))
    if not dest.parent.is_dir():
        raise InputError("no such folder", where=str(dest.parent))
    if sqlite_path(url) is not None:
        backup_sqlite(engine, dest)
        return "sqlite online backup"
    if make_url(url).get_backend_name() == "postgresql":
        backup_postgres(url, dest)
        return "pg_dump (custom format; restore with pg_restore)"
    raise InputError(f"no backup method for {make_url(url).get_backend_name()} databases")
