"""Commands for the project itself: init, coders, transcripts, attributes, codings, status."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from codebench.cli.common import DbOption, Format, FormatOption, command, err, out, progress_bar, project
from codebench.cli.exports import REFI_KINDS, import_refi
from codebench.cli.output import emit
from codebench.services import codings as codings_service
from codebench.services import coders as coders_service
from codebench.services import transcripts as transcripts_service
from codebench.services.project import init_project, resolve_url

coder_app = typer.Typer(help="Coders of the project.", no_args_is_help=True)
transcript_app = typer.Typer(help="Transcripts of the project.", no_args_is_help=True)
attributes_app = typer.Typer(help="Participant attributes.", no_args_is_help=True)
codings_app = typer.Typer(help="Codings in and out as CSV.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    command(app, "init")(init)
    command(app, "import")(import_files)
    command(app, "status")(status)
    app.add_typer(coder_app, name="coder")
    app.add_typer(transcript_app, name="transcript")
    app.add_typer(attributes_app, name="attributes")
    app.add_typer(codings_app, name="codings")


def init(db: DbOption = None) -> None:
    """Create a project database (or upgrade an existing one to this version's schema).

    Example: codebench init --db sqlite:///study.db
    """
    store, created = init_project(db)
    store.close()
    url = resolve_url(db)
    out.print(f"created project {url}" if created else f"{url} is already a project (schema up to date)")


@command(coder_app, "add")
def coder_add(names: Annotated[list[str], typer.Argument(help="Coder names.")], db: DbOption = None) -> None:
    """Add coders.

    Example: codebench coder add ana ben chloe
    """
    with project(db) as store:
        for name, added in coders_service.add_coders(store, names):
            out.print(f"added coder {name}" if added else f"coder {name} already exists")


@command(coder_app, "list")
def coder_list(db: DbOption = None, fmt: FormatOption = Format.table) -> None:
    """List coders.

    Example: codebench coder list --format json
    """
    with project(db) as store:
        rows = [{"coder": c.name} for c in coders_service.list_coders(store)]
    emit(rows, ["coder"], fmt, title="Coders")


def import_files(
    paths: Annotated[list[Path], typer.Argument(help="Transcript files or folders (.txt .md .docx .vtt .srt).")],
    name: Annotated[str | None, typer.Option(help="Transcript name (one file only; default: file stem).")] = None,
    replace: Annotated[bool, typer.Option(help="Replace a transcript of the same name that has no codings.")] = False,
    db: DbOption = None,
) -> None:
    """Import interview transcripts, split into speaker turns; or a REFI-QDA file: `import qdc|qdpx FILE`.

    Example: codebench import interviews/ extra/P21.docx  (or: codebench import qdpx study.qdpx)
    """
    if len(paths) == 2 and str(paths[0]) in REFI_KINDS and not paths[0].exists():
        import_refi(str(paths[0]), paths[1], db)
        return
    with project(db) as store, progress_bar("parsing") as update:
        outcomes = transcripts_service.import_transcripts(store, paths, name=name, replace=replace, progress=update)
    for o in outcomes:
        for warning in o.warnings:
            err.print(f"warning: {warning}", highlight=False)
        if o.status == "unchanged":
            twin = f" (same content as {o.same_as})" if o.same_as else ""
            out.print(f"{o.name}: already imported, nothing to do{twin}", highlight=False)
        else:
            out.print(f"{o.name}: {o.status}, {o.turns} turns", highlight=False)


@command(transcript_app, "list")
def transcript_list(db: DbOption = None, fmt: FormatOption = Format.table) -> None:
    """List transcripts in import order with their participant attributes.

    Example: codebench transcript list --format csv
    """
    with project(db) as store:
        infos = transcripts_service.list_transcripts(store)
    keys = sorted({k for t in infos for k in t.attributes})
    rows = [{"position": t.position, "transcript": t.name, "format": t.source_format, "turns": t.turns,
             "characters": t.length, **t.attributes} for t in infos]
    emit(rows, ["position", "transcript", "format", "turns", "characters", *keys], fmt, title="Transcripts")


@command(attributes_app, "import")
def attributes_import(file: Annotated[Path, typer.Argument(help="CSV: first column transcript.")],
                      db: DbOption = None) -> None:
    """Import participant attributes (first column `transcript`, other columns attributes).

    Example: codebench attributes import participants.csv
    """
    with project(db) as store:
        n = transcripts_service.import_attributes(store, file)
    out.print(f"attributes set for {n} transcript(s)")


@command(codings_app, "import")
def codings_import(
    file: Annotated[Path, typer.Argument(help="CSV: transcript,coder,code,quote[,start,end,memo].")],
    add_coders: Annotated[bool, typer.Option("--add-coders", help="Create coders that do not exist.")] = False,
    skip_bad: Annotated[bool, typer.Option("--skip-bad", help="Store the good rows, report the bad ones.")] = False,
    db: DbOption = None,
) -> None:
    """Import codings; all-or-nothing unless --skip-bad. Re-importing adds no duplicates.

    Example: codebench codings import codings/ana.csv --add-coders
    """
    with project(db) as store, progress_bar("codings") as update:
        result = codings_service.import_codings(store, file, add_coders=add_coders, skip_bad=skip_bad,
                                                progress=update)
    for n, reason in result.skipped:
        err.print(f"skipped row {n}: {reason}", highlight=False)
    if result.coders_added:
        out.print(f"added coder(s): {', '.join(result.coders_added)}")
    how = ", ".join(f"{k} {v}" for k, v in sorted(result.located.items()))
    out.print(f"{file}: {result.stored} codings stored, {result.duplicates} already present, "
              f"{result.codes_created} new codes, {len(result.skipped)} bad rows skipped ({how})", highlight=False)


@command(codings_app, "export")
def codings_export(
    file: Annotated[Path, typer.Argument(help="CSV file to write.")],
    coder: Annotated[str | None, typer.Option(help="Only this coder's codings.")] = None,
    db: DbOption = None,
) -> None:
    """Export codings with offsets (transcript,coder,code,quote,start,end,memo).

    Example: codebench codings export all-codings.csv --coder ana
    """
    with project(db) as store:
        n = codings_service.export_codings(store, file, coder=coder)
    out.print(f"{n} codings written to {file}")


def status(db: DbOption = None, fmt: FormatOption = Format.table) -> None:
    """Transcripts x coders: status and number of codings.

    Example: codebench status --format json
    """
    with project(db) as store:
        cells = codings_service.status(store)
    if fmt is Format.table:
        coders = sorted({c.coder for c in cells})
        rows: dict[str, dict] = {}
        for c in cells:
            mark = {"done": "✓ done", "in progress": "… in progress", "not started": "· not started"}[c.status]
            rows.setdefault(c.transcript, {"transcript": c.transcript})[c.coder] = f"{mark} ({c.codings})"
        emit(list(rows.values()), ["transcript", *coders], fmt, title="Coding status (codings in brackets)")
    else:
        emit([asdict(c) for c in cells], ["transcript", "coder", "status", "codings"], fmt)
