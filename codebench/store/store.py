"""The project store: one database, short transactions, retried when the database is busy."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DatabaseError, DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from codebench.domain.errors import CodebenchError, InputError, SchemaError
from codebench.store.engine import make_engine, parse_url, sqlite_path
from codebench.store.schema import current_revision, ensure_current, has_tables, head_revision, upgrade
from codebench.store.tx import Tx

T = TypeVar("T")

RETRY_ATTEMPTS = 8
BULK_CACHE_KIB = 64 * 1024  # SQLite's page cache during a bulk write (2 MB otherwise)
# Messages of transient errors: SQLite lock contention, PostgreSQL serialization/deadlock.
TRANSIENT = ("database is locked", "database is busy", "could not serialize", "deadlock detected")


class StoreError(CodebenchError):
    """The database itself failed (read-only, full, locked for too long, unreachable)."""


def is_transient(exc: BaseException) -> bool:
    text = str(getattr(exc, "orig", exc)).lower()
    return any(marker in text for marker in TRANSIENT)


def _reason(exc: DBAPIError) -> str:
    """The first line of the driver's message (PostgreSQL adds detail lines)."""
    lines = str(exc.orig).strip().splitlines()
    return lines[0] if lines else type(exc.orig).__name__


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
        except DatabaseError as exc:  # unreadable file, wrong server, not a database
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
        except DatabaseError as exc:  # unreadable file, wrong server, not a database
            engine.dispose()
            raise InputError(f"cannot open {url}: {exc.orig}") from exc
        except SchemaError:
            engine.dispose()
            raise

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _session(self, bulk: bool) -> Iterator[Session]:
        if not bulk or self.engine.dialect.name != "sqlite":
            with self._sessions() as session, session.begin():
                yield session
            return
        with self.engine.connect() as conn:
            cache = conn.exec_driver_sql("PRAGMA cache_size").scalar()
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")  # only takes effect outside a transaction
            conn.exec_driver_sql(f"PRAGMA cache_size=-{BULK_CACHE_KIB}")  # the indexes' pages stay in memory
            try:
                conn.exec_driver_sql("BEGIN IMMEDIATE")  # the write lock, from the first read on
                with Session(conn, expire_on_commit=False) as session:  # joins the connection's transaction
                    yield session
                    session.flush()
                conn.commit()
            finally:
                _restore_after_bulk(conn, int(cache))

    def write(self, work: Callable[[Tx], T], *, bulk: bool = False) -> T:
        """Run ``work`` in one transaction; commit on success, roll back on any error.

        Busy or serialization failures are retried with jittered backoff, so they never reach a user.

        ``bulk`` is for a large import whose inserted rows take every id they refer to from what
        ``work`` read in the same transaction. On SQLite that transaction then holds the write lock
        from its start (``BEGIN IMMEDIATE``), so those reads stay current until it commits, and the
        database does not look each inserted row's foreign keys up again, and its page cache is larger
        (``BULK_CACHE_KIB``) until it ends. PostgreSQL checks the foreign keys.
        """
        delay = 0.01
        for attempt in range(RETRY_ATTEMPTS):
            try:
                with self._session(bulk) as session:
                    return work(Tx(session))
            except (OperationalError, DBAPIError) as exc:
                transient = is_transient(exc)
                if transient and attempt < RETRY_ATTEMPTS - 1:
                    time.sleep(delay * (1 + random.random()))
                    delay = min(delay * 2, 1.0)
                    continue
                if transient:
                    raise StoreError(f"the project is busy (another program holds its lock: {_reason(exc)}); "
                                     "nothing was changed, try again", where=self.shown_url) from exc
                if isinstance(exc, OperationalError):  # read-only file, full disk, server gone, ...
                    raise StoreError(f"the database refused the change ({_reason(exc)}); nothing was changed",
                                     where=self.shown_url) from exc
                raise
        raise AssertionError("unreachable")

    read = write

    @property
    def shown_url(self) -> str:
        """The project URL with any password masked, for messages."""
        return parse_url(self.url).render_as_string(hide_password=True)

    def schema_head(self) -> str:
        return head_revision()


def _restore_after_bulk(conn: Connection, cache: int) -> None:
    """End what is left of a bulk transaction (a failed commit leaves it half open) and switch the
    foreign keys and the usual page cache back on. Never raises, so the error that ended the
    transaction is the one reported: a connection that cannot be restored is invalidated instead,
    never returned to the pool without its foreign keys."""
    try:
        conn.rollback()  # no-op after a commit
        conn.exec_driver_sql("PRAGMA foreign_keys=ON")
        conn.exec_driver_sql(f"PRAGMA cache_size={cache}")
        conn.commit()
    except SQLAlchemyError:
        conn.invalidate()
