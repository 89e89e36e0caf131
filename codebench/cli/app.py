"""The `codebench` command."""

from __future__ import annotations

import typer

from codebench.cli import demo, harmonise, project
from codebench.cli import saturation
from codebench.cli import team
from codebench.cli import tui
from codebench.cli import exports
from codebench.cli import agreement

app = typer.Typer(
    name="codebench",
    help="Qualitative coding of interview transcripts: blind coding, harmonisation, agreement, saturation.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
project.register(app)
demo.register(app)
harmonise.register(app)
saturation.register(app)
team.register(app)
tui.register(app)
exports.register(app, harmonise.codebook_app)
agreement.register(app)


def main() -> None:
    app()
