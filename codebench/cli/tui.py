"""`codebench tui`: the coding app in the terminal."""

from __future__ import annotations

from typing import Annotated

import typer

from codebench.cli.common import DbOption, command, project
from codebench.services.coding_session import CodingSession


def register(app: typer.Typer) -> None:
    command(app, "tui")(tui)


def tui(
    db: DbOption = None,
    coder: Annotated[str | None, typer.Option("--coder", help="Sign in as this coder (else pick one).")] = None,
) -> None:
    """Code transcripts in the terminal, blind to the other coders.

    Example: codebench tui --db sqlite:///study.db --coder ana
    """
    from codebench.tui.app import make_app  # Textual loads for `codebench tui` alone

    with project(db) as store:
        if coder is not None:
            CodingSession(store, coder)  # an unknown coder is one clear error line, before the screen opens
        make_app(store, coder).run()
