"""`codebench agreement` and `codebench disagreements`: how far do independent coders agree, and where not?"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from codebench.cli.common import CodeLevel, DbOption, Format, FormatOption, command, fail, out, project
from codebench.cli.output import emit, emit_result
from codebench.domain.agreement import RELIABLE, TENTATIVE, AgreementReport, Coefficient
from codebench.domain.csvsafe import neutralise_cell
from codebench.services.agreement import AgreementResult, DisagreementsResult, agreement_report, disagreements

MISSING = "—"
SUPERSCRIPTS = "¹²³⁴⁵⁶⁷⁸⁹"
QUOTE_WIDTH = 80
CODE_COLUMNS = ["code", "alpha", "ci95_low", "ci95_high", "percent_agreement", "fleiss_kappa", "gwet_ac1",
                "u_alpha", "ku_alpha", "units", "prevalence"]
DISAGREEMENT_COLUMNS = ["code", "transcript", "turn", "speaker", "start", "end", "coders_with", "coders_without",
                        "labels", "text"]
DISAGREEMENT_TABLE_COLUMNS = ["code", "transcript", "turn", "speaker", "coded_by", "not_by", "quote"]


class UnitChoice(str, Enum):
    turn = "turn"
    sentence = "sentence"
    paragraph = "paragraph"


LevelOption = Annotated[CodeLevel | None, typer.Option(
    help="Compare harmonised codes or raw labels (default: harmonised once any raw code is harmonised, else raw).",
    show_default=False)]
UnitOption = Annotated[UnitChoice, typer.Option(help="Units of analysis: speaker turns, sentences or paragraphs.")]
CodersOption = Annotated[list[str] | None, typer.Option(
    "--coders", help="Only these coders, comma-separated (default: every coder who observed a chosen transcript).",
    show_default=False)]
CodeOption = Annotated[list[str] | None, typer.Option(
    "--code", help="Only this code (repeat for several); raw labels match case-insensitively.", show_default=False)]
TranscriptsOption = Annotated[list[str] | None, typer.Option(
    "--transcripts", help="Only these transcripts, comma-separated (default: all).", show_default=False)]
MinOverlapOption = Annotated[int, typer.Option(
    min=1, help="Characters a coding must share with a unit to code it.")]


def register(app: typer.Typer) -> None:
    command(app, "agreement")(agreement)
    command(app, "disagreements")(disagreements_command)


def _split(values: Sequence[str] | None) -> list[str] | None:
    """Comma-separated (and repeated) option values as one list of names."""
    if values is None:
        return None
    return [name.strip() for value in values for name in value.split(",") if name.strip()]


def agreement(
    level: LevelOption = None,
    unit: UnitOption = UnitChoice.turn,
    coders: CodersOption = None,
    code: CodeOption = None,
    transcripts: TranscriptsOption = None,
    min_overlap: MinOverlapOption = 1,
    bootstrap: Annotated[int, typer.Option(min=0, help="Bootstrap resamples for 95% intervals of alpha (0: none).")
                         ] = 0,
    seed: Annotated[int, typer.Option(help="Seed of the bootstrap (same seed, same intervals).")] = 0,
    min_alpha: Annotated[float | None, typer.Option(
        help="Exit with code 1 when any defined per-code alpha or the whole-codebook MASI alpha is below X.",
        show_default=False)] = None,
    db: DbOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Inter-coder agreement per code and for the whole codebook: Krippendorff's alpha, kappas, AC1, unitized alpha.

    Example: codebench agreement --level harmonised --coders ana,ben,chloe --bootstrap 1000 --seed 7 --min-alpha 0.667
    """
    with project(db) as store:
        result = agreement_report(
            store, level=level.value if level else None, unit=unit.value, coders=_split(coders), codes=code,
            transcripts=_split(transcripts), min_overlap=min_overlap, bootstrap=bootstrap, seed=seed)
    emit_result(result, fmt, rows=lambda: _csv_rows(result.report), columns=_csv_columns(result.report),
                table=lambda: _print_report(result))
    if min_alpha is not None:
        below = result.below(min_alpha)
        if below:
            listed = ", ".join(f"{name} {value:.3f}" for name, value in below.items())
            raise fail(f"alpha below {min_alpha:g}: {listed}".replace("[", r"\["), code=1)


def disagreements_command(
    code: CodeOption = None,
    coders: CodersOption = None,
    level: LevelOption = None,
    unit: UnitOption = UnitChoice.turn,
    transcripts: TranscriptsOption = None,
    min_overlap: MinOverlapOption = 1,
    db: DbOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """The units where coders differ on a code: the quote, who coded it (and as what), transcript and turn.

    Example: codebench disagreements --code "random search" --coders ana,ben --format csv > to_discuss.csv
    """
    with project(db) as store:
        result = disagreements(store, level=level.value if level else None, unit=unit.value, coders=_split(coders),
                               codes=code, transcripts=_split(transcripts), min_overlap=min_overlap)
    emit_result(result, fmt, rows=lambda: _disagreement_rows(result), columns=DISAGREEMENT_COLUMNS,
                table=lambda: _print_disagreements(result))


# ---------------------------------------------------------------- agreement output


def _level_phrase(level: str, auto: bool) -> str:
    return f"{level} (chosen automatically)" if auto else level


def _csv_columns(report: AgreementReport) -> list[str]:
    pairs = list(report.codes[0].cohen_kappa) if report.codes else []
    return [*CODE_COLUMNS[:6], *(f"cohen_kappa {pair}" for pair in pairs), *CODE_COLUMNS[6:]]


def _csv_rows(report: AgreementReport) -> list[dict[str, Any]]:
    """One row per code; empty cells where a value is undefined (the JSON gives the reasons)."""
    rows = []
    for c in report.codes:
        low, high = c.ci95 or (None, None)
        rows.append({
            "code": neutralise_cell(c.code), "alpha": c.alpha.value, "ci95_low": low, "ci95_high": high,
            "percent_agreement": c.percent_agreement.value, "fleiss_kappa": c.fleiss_kappa.value,
            **{f"cohen_kappa {pair}": kappa.value for pair, kappa in c.cohen_kappa.items()},
            "gwet_ac1": c.gwet_ac1.value, "u_alpha": c.u_alpha.value, "ku_alpha": c.ku_alpha.value,
            "units": c.units, "prevalence": c.prevalence,
        })
    return rows


class _Footnotes:
    """Numbers the reasons of undefined values so the table shows "—¹" and explains it under the table."""

    def __init__(self) -> None:
        self.reasons: list[str] = []

    def mark(self, reason: str | None) -> str:
        reason = reason or "undefined"
        if reason not in self.reasons:
            self.reasons.append(reason)
        return MISSING + self._number(self.reasons.index(reason))

    def lines(self) -> list[str]:
        return [f"{self._number(i)} {reason}" for i, reason in enumerate(self.reasons)]

    @staticmethod
    def _number(index: int) -> str:
        return SUPERSCRIPTS[index] if index < len(SUPERSCRIPTS) else f"({index + 1})"


def _alpha_style(value: float) -> str:
    return "red" if value < TENTATIVE else "yellow" if value < RELIABLE else ""


def _value(coefficient: Coefficient, notes: _Footnotes, *, coloured: bool = False, percent: bool = False) -> Text:
    if coefficient.value is None:
        return Text(notes.mark(coefficient.reason))
    shown = f"{coefficient.value * 100:.1f}%" if percent else f"{coefficient.value:.3f}"
    return Text(shown, style=_alpha_style(coefficient.value) if coloured else "")


def _print_report(result: AgreementResult) -> None:
    report, notes = result.report, _Footnotes()
    out.print(f"Agreement at {_level_phrase(result.level, result.level_auto)} level, unit {result.unit}, "
              f"coders {', '.join(report.coders)}, {len(result.transcripts)} transcript(s)",
              style="bold", highlight=False, markup=False)
    table = Table(header_style="bold")
    for column in ("code", "alpha", "95% CI", "% agreement", "Fleiss", "AC1", "units", "prevalence"):
        numeric = column != "code"
        table.add_column(column, justify="right" if numeric else "left", no_wrap=numeric)
    for c in report.codes:
        interval = "" if c.ci95 is None else f"{c.ci95[0]:.3f}–{c.ci95[1]:.3f}"
        prevalence = MISSING if c.prevalence is None else f"{c.prevalence * 100:.1f}%"
        table.add_row(Text(c.code), _value(c.alpha, notes, coloured=True), interval,
                      _value(c.percent_agreement, notes, percent=True), _value(c.fleiss_kappa, notes),
                      _value(c.gwet_ac1, notes), str(c.units), prevalence)
    out.print(table)
    overall = report.overall
    whole = Table(title="Whole codebook", title_justify="left", header_style="bold")
    whole.add_column("coefficient")
    whole.add_column("value", justify="right")
    for label, coefficient in (("alpha, MASI distance over each unit's set of codes", overall.alpha_masi),
                               ("prevalence-weighted mean of the per-code alphas", overall.mean_alpha),
                               ("unitized u-alpha (characters, all codes)", overall.u_alpha),
                               ("unitized cu-alpha (characters coded by two coders)", overall.cu_alpha)):
        whole.add_row(label, _value(coefficient, notes, coloured=True))
    out.print(whole)
    for line in notes.lines():
        out.print(line, highlight=False, markup=False)
    out.print(f"Colours: red below {TENTATIVE}, yellow below {RELIABLE} (Krippendorff's thresholds).",
              highlight=False, markup=False)


# ---------------------------------------------------------------- disagreements output


def _shorten(text: str, width: int = QUOTE_WIDTH) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1].rstrip() + "…"


def _disagreement_rows(result: DisagreementsResult) -> list[dict[str, Any]]:
    """CSV rows: full text, offsets, text cells made inert for spreadsheets."""
    return [
        {"code": neutralise_cell(row.code), "transcript": neutralise_cell(row.transcript), "turn": row.turn,
         "speaker": neutralise_cell(row.speaker or ""), "start": row.start, "end": row.end,
         "coders_with": list(row.coders_with), "coders_without": list(row.coders_without),
         "labels": neutralise_cell(" | ".join(f"{coder}: {', '.join(labels)}" for coder, labels in row.labels.items())),
         "text": neutralise_cell(row.text)}
        for row in result.rows
    ]


def _print_disagreements(result: DisagreementsResult) -> None:
    """A title line with the level, unit, coders and count, then the table."""
    out.print(f"Disagreements at {_level_phrase(result.level, result.level_auto)} level, unit {result.unit}, "
              f"coders {', '.join(result.coders)}: {len(result.rows)}", style="bold", highlight=False, markup=False)
    emit(_disagreement_table_rows(result), DISAGREEMENT_TABLE_COLUMNS, Format.table)


def _disagreement_table_rows(result: DisagreementsResult) -> list[dict[str, Any]]:
    """Table rows: who coded it (with their raw labels) and who did not, the quote shortened."""
    return [
        {"code": row.code, "transcript": row.transcript, "turn": row.turn, "speaker": row.speaker,
         "coded_by": [f"{coder} ({', '.join(labels)})" for coder, labels in row.labels.items()],
         "not_by": list(row.coders_without), "quote": _shorten(row.text)}
        for row in result.rows
    ]
