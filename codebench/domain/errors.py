"""Typed errors. Shells turn them into one line on stderr and exit code 2."""

from __future__ import annotations


class CodebenchError(Exception):
    """Base of every error codebench reports to a user.

    ``where`` names the file, row or line at fault when there is one.
    """

    def __init__(self, message: str, *, where: str | None = None) -> None:
        self.message = message
        self.where = where
        super().__init__(self.line())

    def line(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message

    def __reduce__(self) -> tuple[object, ...]:
        """Pickled whole (a worker process sends its error to the importing one)."""
        return _restored, (type(self), self.args, self.__dict__)


def _restored(cls: type[CodebenchError], args: tuple[object, ...], state: dict[str, object]) -> CodebenchError:
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class InputError(CodebenchError):
    """A file or value given by the user cannot be used (encoding, format, range)."""


class NotFoundError(CodebenchError):
    """A named coder, code, transcript or theme does not exist."""


class ConflictError(CodebenchError):
    """The action would contradict what is stored (duplicate name, content clash)."""


class SchemaError(CodebenchError):
    """The project database has a schema this code cannot use."""


class RowError(InputError):
    """One or more rows of a CSV file are bad; ``rows`` holds (row number, reason)."""

    def __init__(self, path: str, rows: list[tuple[int, str]]) -> None:
        self.rows = rows
        shown = "; ".join(f"row {n}: {reason}" for n, reason in rows[:5])
        more = f" (+{len(rows) - 5} more)" if len(rows) > 5 else ""
        super().__init__(f"{len(rows)} bad row(s), nothing stored: {shown}{more}", where=path)
