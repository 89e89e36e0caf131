"""Agreement (lead): the per-code table (alpha, CI, % agreement, Fleiss, AC1, units, prevalence) coloured by
Krippendorff's thresholds, the whole-codebook coefficients under it; level and unit switches."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Footer, Header, Static

from codebench.domain.agreement import RELIABLE, TENTATIVE, Coefficient
from codebench.domain.units import UNIT_KINDS
from codebench.services.agreement import AgreementResult, agreement_report
from codebench.tui.screens.lead_base import LeadScreen
from codebench.tui.widgets.tables import fill_table

LEVELS: tuple[str | None, ...] = (None, "harmonised", "raw")  # None: harmonised when anything is harmonised
COLUMNS = ("code", "alpha", "95% CI", "% agreement", "Fleiss", "AC1", "units", "prevalence")
MISSING = "—"


def coefficient_text(coefficient: Coefficient, *, coloured: bool = False, percent: bool = False) -> Text:
    """The value (red below 0.667, yellow below 0.8 when ``coloured``), or — when undefined."""
    if coefficient.value is None:
        return Text(MISSING, style="dim")
    value = coefficient.value
    shown = f"{value * 100:.1f}%" if percent else f"{value:.3f}"
    style = ("bold red" if value < TENTATIVE else "yellow" if value < RELIABLE else "green") if coloured else ""
    return Text(shown, style=style)


def overall_table(result: AgreementResult) -> Table:
    overall = result.report.overall
    table = Table("whole codebook", "value", "why undefined", box=None, title_justify="left")
    for label, c in (("alpha, MASI distance over each unit's set of codes", overall.alpha_masi),
                     ("prevalence-weighted mean of the per-code alphas", overall.mean_alpha),
                     ("unitized u-alpha (characters, all codes)", overall.u_alpha),
                     ("unitized cu-alpha (characters coded by two coders)", overall.cu_alpha)):
        table.add_row(label, coefficient_text(c, coloured=True), Text(c.reason or "", style="dim"))
    return table


class AgreementScreen(LeadScreen):
    BINDINGS = [
        Binding("l", "level", "Level", id="agreement.level", tooltip="Switch level: auto, harmonised, raw"),
        Binding("n", "unit", "Unit", id="agreement.unit", tooltip="Switch unit: turn, sentence, paragraph"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.level: str | None = None
        self.unit = "turn"

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="agreement-options")
        with VerticalScroll(id="agreement-body"):
            yield DataTable(id="agreement-codes", cursor_type="row", zebra_stripes=True)
            yield Static(id="agreement-overall")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "agreement"

    def fetch(self) -> AgreementResult:
        return agreement_report(self.store, level=self.level, unit=self.unit)  # type: ignore[arg-type]

    def show_data(self, data: AgreementResult, result: object) -> None:
        report = data.report
        rows = [(Text(c.code), coefficient_text(c.alpha, coloured=True),
                 "" if c.ci95 is None else f"{c.ci95[0]:.3f}–{c.ci95[1]:.3f}",
                 coefficient_text(c.percent_agreement, percent=True), coefficient_text(c.fleiss_kappa),
                 coefficient_text(c.gwet_ac1), c.units,
                 MISSING if c.prevalence is None else f"{c.prevalence * 100:.1f}%") for c in report.codes]
        fill_table(self.query_one(DataTable), COLUMNS, rows, [c.code for c in report.codes])
        self.query_one("#agreement-overall", Static).update(overall_table(data))
        level = f"{data.level} (auto)" if data.level_auto else data.level
        notes = [f"level {level} · unit {data.unit} · coders {', '.join(report.coders) or 'none'} · "
                 f"{len(data.transcripts)} transcripts · red < {TENTATIVE}, yellow < {RELIABLE}", *data.warnings()]
        self.query_one("#agreement-options", Static).update("\n".join(notes))

    def action_level(self) -> None:
        self.level = LEVELS[(LEVELS.index(self.level) + 1) % len(LEVELS)]
        self.reload()

    def action_unit(self) -> None:
        self.unit = UNIT_KINDS[(UNIT_KINDS.index(self.unit) + 1) % len(UNIT_KINDS)]
        self.reload()
