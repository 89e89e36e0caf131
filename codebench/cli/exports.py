"""Exports and analyses: codebook and quotes spreadsheets, REFI-QDA exchange, co-occurrence,
frequencies and the study report."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from codebench.cli.common import CodeLevel, DbOption, Format, FormatOption, command, err, out, project
from codebench.cli.output import emit
from codebench.domain.heatmap import heatmap_file
from codebench.services import analysis, exports, interop, report

export_app = typer.Typer(help="Export the project for other QDA tools (REFI-QDA).", no_args_is_help=True)
quotes_app = typer.Typer(help="The quotes sheet: one row per coding.", no_args_is_help=True)

REFI_KINDS = ("qdc", "qdpx")


class Level(str, Enum):
    harmonised = "harmonised"
    theme = "theme"


class Unit(str, Enum):
    turn = "turn"
    transcript = "transcript"


Excel = Annotated[bool, typer.Option("--excel", help="Write a byte-order mark so Excel shows accents.")]
LevelOption = Annotated[Level, typer.Option("--level", help="Analyse harmonised codes or themes.")]


def register(app: typer.Typer, codebook_app: typer.Typer) -> None:
    """Add the commands to ``app``; ``codebook export`` goes to the shared ``codebook`` sub-app."""
    command(codebook_app, "export")(codebook_export)
    command(quotes_app, "export")(quotes_export)
    app.add_typer(quotes_app, name="quotes")
    command(export_app, "qdc")(export_qdc)
    command(export_app, "qdpx")(export_qdpx)
    app.add_typer(export_app, name="export")
    command(app, "cooccurrence")(cooccurrence)
    command(app, "frequencies")(frequencies)
    command(app, "report")(write_report)


def codebook_export(
    file: Annotated[Path, typer.Argument(help="CSV file to write.")],
    level: Annotated[CodeLevel, typer.Option("--level", help="One row per harmonised code, or per raw code.")]
    = CodeLevel.harmonised,
    long: Annotated[bool, typer.Option("--long", help="One row per raw code in the format `codebook import` reads.")]
    = False,
    excel: Excel = False,
    db: DbOption = None,
) -> None:
    """Write the codebook as CSV (category,theme,code,definition,merged_from,coders,transcripts,quotes,example_quote).

    Raw codes not yet harmonised are listed with an empty category, theme and code.

    Example: codebench codebook export codebook.csv --excel
    """
    with project(db) as store:
        n = exports.export_codebook(store, file, level=level.value, long=long, excel=excel)
    out.print(f"{n} rows written to {file}", highlight=False)


def quotes_export(
    file: Annotated[Path, typer.Argument(help="CSV file to write.")],
    code: Annotated[list[str] | None, typer.Option("--code", help="Only this harmonised code or raw label "
                                                                  "(repeatable).")] = None,
    theme: Annotated[list[str] | None, typer.Option("--theme", help="Only codes of this theme (repeatable).")] = None,
    excel: Excel = False,
    db: DbOption = None,
) -> None:
    """Write the quotes sheet: one row per coding with transcript, turn, speaker, participant attributes,
    coder, raw code, harmonised code, theme, category and quote.

    Example: codebench quotes export quotes.csv --theme "search methods" --code "compute budget"
    """
    with project(db) as store:
        n = exports.export_quotes(store, file, codes=code or (), themes=theme or (), excel=excel)
    out.print(f"{n} quotes written to {file}", highlight=False)


def export_qdc(file: Annotated[Path, typer.Argument(help=".qdc file to write.")], db: DbOption = None) -> None:
    """Export the harmonised codebook as a REFI-QDA codebook (.qdc).

    Example: codebench export qdc codebook.qdc
    """
    with project(db) as store:
        summary = interop.export_qdc(store, file)
    out.print(f"{summary.codes} codes written to {file}", highlight=False)


def export_qdpx(file: Annotated[Path, typer.Argument(help=".qdpx file to write.")], db: DbOption = None) -> None:
    """Export the whole project as a REFI-QDA project (.qdpx) for ATLAS.ti, MAXQDA, NVivo, QualCoder.

    Example: codebench export qdpx study.qdpx
    """
    with project(db) as store:
        s = interop.export_qdpx(store, file)
    out.print(f"{file}: {s.users} coders, {s.sources} transcripts, {s.codes} codes, {s.selections} codings",
              highlight=False)


def import_refi(kind: str, file: Path, db: str | None) -> None:
    """``codebench import qdc|qdpx FILE`` (dispatched from the transcript ``import`` command)."""
    with project(db) as store:
        s = interop.import_refi(store, file, kind)
    for line in s.warnings:
        err.print(f"warning: {line}", highlight=False)
    for line in s.not_mapped:
        err.print(f"not imported: {line}", highlight=False)
    reused = f" ({len(s.transcripts_reused)} already present)" if s.transcripts_reused else ""
    coders = f"; new coders: {', '.join(s.coders_added)}" if s.coders_added else ""
    out.print(f"{file}: {len(s.transcripts_added)} transcripts imported{reused}, {s.codes_created} new codes, "
              f"{s.codings_stored} codings stored, {s.codings_already_present} already present{coders}",
              highlight=False)


def cooccurrence(
    level: LevelOption = Level.harmonised,
    rows: Annotated[str | None, typer.Option("--rows", help="Category whose codes are the rows.")] = None,
    cols: Annotated[str | None, typer.Option("--cols", help="Category whose codes are the columns.")] = None,
    unit: Annotated[Unit, typer.Option("--unit", help="Co-occur in the same turn or the same transcript.")]
    = Unit.turn,
    plot: Annotated[Path | None, typer.Option("--plot", help="Also draw a heatmap (.png or .svg).")] = None,
    db: DbOption = None, fmt: FormatOption = Format.table,
) -> None:
    """How often codes of one category co-occur with codes of another in the same unit (count and share).

    Example: codebench cooccurrence --rows methods --cols goals --unit transcript --plot methods-goals.png
    """
    with project(db) as store:
        result = analysis.cooccurrence_analysis(store, level=level.value, unit=unit.value, rows=rows, cols=cols)
    m = result.matrix
    if result.left_out:
        err.print(f"warning: {result.left_out} coding(s) have no {level.value} code and are not counted",
                  highlight=False)
    if plot is not None:
        heatmap_file(m, plot, title=f"{rows or 'all codes'} x {cols or 'all codes'} per {m.unit}")
        err.print(f"heatmap written to {plot}", highlight=False)
    if fmt is Format.table:
        table = [{"code": r, **{c: f"{m.counts[i][j]} ({m.share_of_row(i, j):.0%})" for j, c in enumerate(m.cols)}}
                 for i, r in enumerate(m.rows)]
        emit(table, ["code", *m.cols], fmt, title=f"Co-occurrence per {m.unit} ({m.units} {m.unit}s); "
                                                   "count (share of the row code's units)")
    else:
        payload = {"unit": m.unit, "level": m.level, "units": m.units, "rows": list(m.rows), "cols": list(m.cols),
                   "counts": [list(r) for r in m.counts], "cells": m.cells(), "left_out": result.left_out}
        emit(m.cells(), ["row", "col", "count", "share", "share_of_row"], fmt, payload=payload)


def frequencies(
    by: Annotated[str | None, typer.Option("--by", help="Split by this participant attribute.")] = None,
    level: LevelOption = Level.harmonised,
    db: DbOption = None, fmt: FormatOption = Format.table,
) -> None:
    """Per code or theme: in how many interviews and codings it occurs, optionally split by an attribute.

    Example: codebench frequencies --by field --level theme
    """
    with project(db) as store:
        result = analysis.frequency_analysis(store, level=level.value, by=by)
    rows, columns = analysis.frequency_rows(result)
    if result.left_out:
        err.print(f"warning: {result.left_out} coding(s) have no {level.value} code and are not counted",
                  highlight=False)
    sizes = ", ".join(f"{g}: {n}" for g, n in result.groups.items())
    emit(rows, columns, fmt, title=f"Frequencies by {level.value}" + (f" (interviews per {by}: {sizes})" if by else ""))


def write_report(file: Annotated[Path, typer.Argument(help="Report file: .html or .md.")],
                 title: Annotated[str, typer.Option(help="Heading of the report.")] = "Study report",
                 db: DbOption = None) -> None:
    """Write the study report (funnel, codebook, agreement, saturation, co-occurrence, frequencies) as one
    self-contained HTML or Markdown file with embedded images.

    Example: codebench report supplement.html --title "HPO practitioners: supplement S1"
    """
    with project(db) as store:
        sections = report.write_report(store, file, title)
    out.print(f"report written to {file} ({', '.join(sections)})", highlight=False)
