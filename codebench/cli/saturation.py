"""`codebench saturation`: when did new interviews stop adding codes?"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from codebench.cli.common import DbOption, Format, FormatOption, command, err, fail, out, project
from codebench.cli.output import emit, emit_result
from codebench.domain.saturation import PermutationSummary, SaturationReport
from codebench.services.saturation import SaturationResult, saturation_analysis

INTERVIEW_COLUMNS = ["number", "interview", "codes", "new", "cumulative", "run_ratio"]


class LevelChoice(str, Enum):
    raw = "raw"
    harmonised = "harmonised"
    theme = "theme"


class RunsChoice(str, Enum):
    sliding = "sliding"
    block = "block"


def register(app: typer.Typer) -> None:
    command(app, "saturation")(saturation)


def saturation(
    level: Annotated[LevelChoice, typer.Option(help="Count raw codes, harmonised codes or themes.")] = LevelChoice.raw,
    by_category: Annotated[bool, typer.Option("--by-category", help="Also per category and per theme.")] = False,
    coder: Annotated[list[str] | None, typer.Option(
        "--coder", help="Only this coder's codings (repeat for several).", show_default=False)] = None,
    union: Annotated[bool, typer.Option("--union", help="The union of all coders' codings (the default).")] = False,
    order: Annotated[str, typer.Option(
        help="Analysis order: import, name, attribute:NAME or file:PATH (one transcript name per line).")] = "import",
    base: Annotated[int, typer.Option(min=1, help="Interviews in the base; their codes are the denominator.")] = 4,
    run: Annotated[int, typer.Option(min=1, help="Interviews per run after the base.")] = 2,
    threshold: Annotated[float, typer.Option(
        min=0.0, max=1.0, help="New-information threshold as a share (0.05 = 5%); a run at or below it saturates.")
    ] = 0.05,
    runs: Annotated[RunsChoice, typer.Option(help="Runs slide by one interview or follow in blocks.")] = (
        RunsChoice.sliding),
    permutations: Annotated[int, typer.Option(min=0, help="Also analyse this many random interview orders.")] = 0,
    seed: Annotated[int, typer.Option(help="Seed of the random orders (same seed, same result).")] = 0,
    plot: Annotated[Path | None, typer.Option(help="Write the accumulation chart to FILE.png or FILE.svg.",
                                              show_default=False)] = None,
    db: DbOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Thematic saturation (Guest, Namey & Chen 2020): new codes per interview, runs, saturation point.

    Example: codebench saturation --level harmonised --by-category --permutations 1000 --seed 7 --plot curve.png
    """
    from codebench.domain.plots import PLOT_FORMATS, accumulation_plot  # matplotlib: only when this runs

    if coder and union:
        raise fail("give --coder or --union, not both")
    if plot is not None and plot.suffix.lower() not in PLOT_FORMATS:
        raise fail(f"--plot needs a .png or .svg file, not {plot.name}")
    with project(db) as store:
        result = saturation_analysis(
            store, level=level.value, by_category=by_category, coders=coder or None, order=order, base=base,
            run=run, threshold=threshold, runs=runs.value, permutations=permutations, seed=seed)
    emit_result(result, fmt, rows=lambda: _csv_rows(result.report), columns=_csv_columns(result.report),
                table=lambda: _print_tables(result))
    if plot is not None:
        written = accumulation_plot(result.report, plot)
        (out if fmt is Format.table else err).print(f"plot written to {written}", highlight=False, markup=False)


def _percent(share: float | None) -> str:
    return "" if share is None else f"{share * 100:.1f}%"


def _interview_rows(report: SaturationReport, *, as_text: bool) -> list[dict[str, Any]]:
    """One row per interview; the run ratio is that of the run ending at the interview (if one does)."""
    ratios = {r.end: r.ratio for r in report.runs}
    return [
        {"number": k, "interview": row.name, "codes": row.codes, "new": row.new, "cumulative": row.cumulative,
         "run_ratio": _percent(ratios.get(row.name)) if as_text else ratios.get(row.name),
         "new_codes": list(row.new_codes)}
        for k, row in enumerate(report.interviews, start=1)
    ]


def _csv_columns(report: SaturationReport) -> list[str]:
    head = ["grouping", "group"] if report.by_category is not None else []
    return [*head, *INTERVIEW_COLUMNS, "new_codes"]


def _csv_rows(report: SaturationReport) -> list[dict[str, Any]]:
    """Per-interview rows; with --by-category the whole study (grouping ``all``) then every group's rows."""
    if report.by_category is None:
        return _interview_rows(report, as_text=False)
    parts = [("all", "", report)] + [(kind, name, sub) for kind, reports in report.by_category.items()
                                     for name, sub in reports.items()]
    return [{"grouping": kind, "group": name, **row}
            for kind, name, sub in parts for row in _interview_rows(sub, as_text=False)]


def _print_tables(result: SaturationResult) -> None:
    from codebench.domain.plots import accumulation_text

    report = result.report
    coders = ", ".join(result.coders) or "no coders"
    out.print(f"Saturation at {report.level} level ({coders}; order {result.order}; {report.runs_mode} runs)",
              style="bold", highlight=False, markup=False)
    emit(_interview_rows(report, as_text=True), INTERVIEW_COLUMNS, Format.table)
    label = max((len(r.name) for r in report.interviews), default=0)
    width = max(10, min(60, out.width - label - 24))
    out.print(accumulation_text(report, width), highlight=False, markup=False)
    if report.permutations is not None:
        _print_permutations(report.permutations)
    if report.by_category is not None:
        _print_groups(report)


def _print_permutations(perms: PermutationSummary) -> None:
    if perms.median is None:
        spread = "no random order reached saturation"
    else:
        spread = (f"median saturation at interview {perms.median:g} (5-95%: {perms.p5:g}-{perms.p95:g}, "
                  f"over the orders that reach it)")
    out.print(f"Over {perms.n} random orders (seed {perms.seed}): {spread}; "
              f"not reached in {_percent(perms.p_not_reached)} of orders.", highlight=False, markup=False)
    rows = [
        {"interview": k, "p_saturated_by": _percent(p), "mean_cumulative": mean, "cumulative_5%": low,
         "cumulative_95%": high, "expected_cumulative_exact": exact}
        for k, (p, mean, low, high, exact) in enumerate(zip(
            perms.p_saturated_by, perms.mean_cumulative, perms.cumulative_p5, perms.cumulative_p95,
            perms.expected_cumulative_exact), start=1)
    ]
    if rows:
        emit(rows, list(rows[0]), Format.table,
             title="Order robustness (estimated from the random orders; the expected curve is the exact closed form)")


def _print_groups(report: SaturationReport) -> None:
    rows = [
        {"grouping": kind, "group": name, "codes": sub.interviews[-1].cumulative if sub.interviews else 0,
         "base_codes": sub.denominator,
         "saturation_point": None if sub.saturation_index is None else f"{sub.saturation_index} ({sub.saturation_point})",
         "verdict": sub.verdict()}
        for kind, reports in (report.by_category or {}).items() for name, sub in reports.items()
    ]
    if not rows:
        out.print("Per category and theme: no code belongs to a category or theme yet (harmonise first).")
        return
    emit(rows, ["grouping", "group", "codes", "base_codes", "saturation_point", "verdict"], Format.table,
         title="Per category and theme")
