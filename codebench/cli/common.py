"""What every command shares: --db, --format, error lines, progress bars."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from codebench.domain.errors import CodebenchError
from codebench.services.project import open_project
from codebench.store.store import Store

F = TypeVar("F", bound=Callable[..., Any])

out = Console()
err = Console(stderr=True)

DbOption = Annotated[
    str | None,
    typer.Option("--db", envvar="CODEBENCH_DB", help="Project database URL (default sqlite:///codebench.db).",
                 show_default=False),
]


class Format(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


class CodeLevel(str, Enum):
    """Which codes an analysis or export counts: the team's harmonised codes or each coder's raw codes."""

    harmonised = "harmonised"
    raw = "raw"


FormatOption = Annotated[Format, typer.Option("--format", "-f", help="Output: rich table, csv or json.")]


def fail(message: str, code: int = 2) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", highlight=False, markup=True, soft_wrap=True)
    return typer.Exit(code)


def handles_errors(func: F) -> F:
    """Turn codebench's errors into one line on stderr and exit code 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except CodebenchError as exc:
            raise fail(exc.line().replace("[", r"\[")) from None

    return wrapper  # type: ignore[return-value]


def command(app: typer.Typer, name: str | None = None, **kwargs: Any) -> Callable[[F], F]:
    """``app.command`` with codebench's error handling."""

    def decorate(func: F) -> F:
        app.command(name, **kwargs)(handles_errors(func))
        return func

    return decorate


@contextmanager
def project(db: str | None) -> Iterator[Store]:
    store = open_project(db)
    if store.backup is not None:
        err.print(f"upgraded the project schema; backup saved as {store.backup}")
    try:
        yield store
    finally:
        store.close()


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int, str], None]]:
    """A rich progress bar on stderr; yields ``update(done, total, what)``.

    The bar is redrawn by each update rather than by a refresh thread, so the process stays
    single-threaded (transcript import forks parsing workers only then).
    """
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.fields[what]}"), TimeElapsedColumn(), console=err, transient=True,
                  disable=not err.is_terminal, auto_refresh=False) as bar:
        task = bar.add_task(label, total=None, what="")

        def update(done: int, total: int, what: str) -> None:
            bar.update(task, completed=done, total=total, what=what, refresh=True)

        yield update
