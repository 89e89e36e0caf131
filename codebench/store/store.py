"""The project store: one database, short transactions, retried when the database is busy."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from codebench.domain.errors import InputError, SchemaError
from codebench.store.engine import make_engine, sqlite_path
from codebench.store.schema import current_revision, ensure_current, has_tables, head_revision, upgrade
from codebench.store.tx import Tx

T = TypeVar("T")

RETRY_ATTEMPTS = 12
# Messages of transient errors: SQLite lock contention, PostgreSQL serialization/deadlock.
TRANSIENT = ("database is locked", "database is busy", "could not serialize", "deadlock detected")


def is_transient(exc: BaseException) -> bool:
    text = str(getattr(exc, "orig", exc)).lower()
    return any(marker in text for marker in TRANSIENT)


class Store:
    """A project database. ``write`` and ``read`` run one unit of work each."""

    def __init__(self, url: str, engine: Engine) -> None:
        self.url = url
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self.backup: Path | None = None

    @classmethod
    def create(cls, url: str) -> tuple[Store, bool]:
        """Create a project at the head revision; returns (store, created). An existing project is upgraded."""
        engine = make_engine(url)
        try:
            if current_revision(engine) is None:
                if has_tables(engine):
                    raise SchemaError(f"{url} already holds tables that are not a codebench project")
                upgrade(engine)
                return cls(url, engine), True
            store = cls(url, engine)
            store.backup = ensure_current(engine, url)
            return store, False
        except OperationalError as exc:
            engine.dispose()
            raise InputError(f"cannot open {url}: {exc.orig}") from exc

    @classmethod
    def open(cls, url: str) -> Store:
        """Open an existing project, upgrading an older schema after a backup copy."""
        path = sqlite_path(url)
        if path is not None and not path.exists():
            raise SchemaError(f"no project at {path}: run `codebench init` first (or pass --db)")
        engine = make_engine(url)
        try:
            store = cls(url, engine)
            store.backup = ensure_current(engine, url)
            return store
        except OperationalError as exc:
            engine.dispose()
            raise InputError(f"cannot open {url}: {exc.orig}") from exc
        except SchemaError:
            engine.dispose()
            raise

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _session(self) -> Iterator[Session]:
        with self._sessions() as session, session.begin():
            yield session

    def write(self, work: Callable[[Tx], T]) -> T:
        """Run ``work`` in one transaction; commit on success, roll back on any error.

        Busy or serialization failures are retried with jittered backoff, so they never reach a user.
        """
        delay = 0.01
        for attempt in range(RETRY_ATTEMPTS):
            try:
                with self._session() as session:
                    return work(Tx(session))
            except (OperationalError, DBAPIError) as exc:
                if not is_transient(exc) or attempt == RETRY_ATTEMPTS - 1:
                    raise
                time.sleep(delay * (1 + random.random()))
                delay = min(delay * 2, 1.0)
        raise AssertionError("unreachable")

    read = write

    def schema_head(self) -> str:
        return head_revision()
