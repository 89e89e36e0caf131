"""Shared base of the repositories that make up a transaction (``Tx``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import Column, Connection, Table, select
from sqlalchemy.orm import Session

from codebench.domain.errors import NotFoundError
from codebench.store import models as m

Named = TypeVar("Named", bound=Any)  # a model with a unique ``name`` column
RETURNING_VALUES = 999  # values in one multi-row insert (the limit of SQLite before 3.32)


class RepoBase:
    def __init__(self, session: Session) -> None:
        self.session = session

    def _named(self, model: type[Named], name: str, missing: str | None = None) -> Named:
        """The ``model`` row called ``name``: None when ``missing`` is None, else ``NotFoundError(missing)``."""
        row = self.session.scalar(select(model).where(model.name == name))
        if row is None and missing is not None:
            raise NotFoundError(missing)
        return row

    def _coder(self, name: str) -> m.Coder:
        return self._named(m.Coder, name, f"unknown coder {name!r} (codebench coder add {name})")

    def _transcript(self, name: str) -> m.Transcript:
        return self._named(m.Transcript, name, f"unknown transcript {name!r}")


def _insert_sql(connection: Connection, table: Table, columns: Sequence[str], *, skip_conflicts: bool = False) -> str:
    """``INSERT INTO table (columns) VALUES (...)`` in the driver's parameter style (qmark or (py)format);
    with ``skip_conflicts``, a row that would break a unique key is left out instead."""
    dialect = connection.dialect
    quote = dialect.identifier_preparer.quote
    mark = {"qmark": "?", "format": "%s", "pyformat": "%s"}[dialect.paramstyle]
    names, marks = ", ".join(map(quote, columns)), ", ".join([mark] * len(columns))
    sql = f"INSERT INTO {quote(table.name)} ({names}) VALUES ({marks})"
    if not skip_conflicts:
        return sql
    if dialect.name == "sqlite":
        return sql.replace("INSERT INTO", "INSERT OR IGNORE INTO", 1)
    return f"{sql} ON CONFLICT DO NOTHING"


def insert_rows(connection: Connection, table: Table, columns: Sequence[str], rows: list[tuple], *,
                skip_conflicts: bool = False) -> int:
    """Insert ``rows`` (tuples of values for ``columns``) with the driver's own ``executemany``; returns
    how many were stored. With ``skip_conflicts`` a row that repeats a unique key is left out.

    SQLAlchemy's per-row parameter handling costs more than the insert itself on tens of
    thousands of rows, so the values must already be what the driver takes (ints, floats, text,
    None; see ``driver_value``).
    """
    if not rows:
        return 0
    result = connection.exec_driver_sql(_insert_sql(connection, table, columns, skip_conflicts=skip_conflicts), rows)
    return result.rowcount if skip_conflicts else len(rows)


def insert_returning(connection: Connection, table: Table, columns: Sequence[str], rows: list[tuple],
                     returning: Sequence[str]) -> list[tuple]:
    """Insert ``rows`` (as ``insert_rows``) with multi-row ``INSERT ... RETURNING`` statements; the
    ``returning`` columns of the new rows, in no particular order."""
    sql = _insert_sql(connection, table, columns)
    head, marks = sql.split(" VALUES ")
    quote = connection.dialect.identifier_preparer.quote
    tail = f" RETURNING {', '.join(map(quote, returning))}"
    per = max(1, RETURNING_VALUES // len(columns))
    out: list[tuple] = []
    for i in range(0, len(rows), per):
        chunk = rows[i : i + per]
        values = [value for row in chunk for value in row]
        out.extend(connection.exec_driver_sql(f"{head} VALUES {', '.join([marks] * len(chunk))}{tail}",
                                              tuple(values)).all())
    return out


def driver_value(connection: Connection, column: Column, value: object) -> object:
    """``value`` as SQLAlchemy would hand it to the driver for ``column`` (e.g. a SQLite datetime)."""
    process = column.type.dialect_impl(connection.dialect).bind_processor(connection.dialect)
    return process(value) if process else value
