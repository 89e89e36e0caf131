"""`codebench tui`: the coding app in the terminal."""

from __future__ import annotations

from typing import Annotated

import typer

from codebench.cli.common import DbOption, command, project
from codebench.domain.errors import InputError
from codebench.services.coding_session import CodingSession


def register(app: typer.Typer) -> None:
    command(app, "tui")(tui)


def tui(
    db: DbOption = None,
    coder: Annotated[str | None, typer.Option("--coder", help="Sign in as this coder (else pick one).")] = None,
    lead: Annotated[bool, typer.Option("--lead", help="Open the lead view: harmonisation, themes, funnel, "
                                                      "agreement, saturation (sees every coder's work).")] = False,
    by: Annotated[str | None, typer.Option("--by", help="With --lead: your name for the merge log "
                                                        "(else asked at the first decision).")] = None,
) -> None:
    """Code transcripts in the terminal, blind to the other coders; or, with --lead, harmonise and review.

    Example: codebench tui --db sqlite:///study.db --coder ana
    Example: codebench tui --db sqlite:///study.db --lead --by lena
    """
    from codebench.tui.app import make_app  # Textual loads for `codebench tui` alone

    if lead and coder is not None:
        raise InputError("--lead and --coder exclude each other: the lead view is not a coding session")
    with project(db) as store:
        if coder is not None:
            CodingSession(store, coder)  # an unknown coder is one clear error line, before the screen opens
        make_app(store, coder, lead=lead, by=by).run()
