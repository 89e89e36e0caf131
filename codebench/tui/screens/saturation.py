"""Saturation dashboard (lead): per-interview table, the verdict and the accumulation chart; level switch.

It recomputes when the project changes: every ``poll_seconds`` a worker reads a cheap fingerprint of the
codings, coding actions, done marks and merge log (``codebench.services.lead.data_version``) and
recomputes only when it differs; coming back to the screen also recomputes.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Footer, Header, Static

from codebench.domain.errors import CodebenchError
from codebench.domain.saturation import SaturationReport
from codebench.services import lead
from codebench.services.saturation import LEVELS, saturation_report
from codebench.tui.screens.base import ActionFailed
from codebench.tui.screens.lead_base import LeadScreen
from codebench.tui.widgets.tables import fill_table

CHART_WIDTH = 40
COLUMNS = ("#", "interview", "codes", "new", "cumulative", "run ratio")


@dataclass(frozen=True)
class SaturationData:
    report: SaturationReport
    chart: str
    version: tuple[int, ...]


def interview_rows(report: SaturationReport) -> list[tuple]:
    """One row per interview; the run ratio is that of the run ending at the interview (if any)."""
    ratios = {run.end: run.ratio for run in report.runs}
    rows = []
    for i, row in enumerate(report.interviews, start=1):
        ratio = ratios.get(row.name)
        shown = "" if row.name not in ratios else "—" if ratio is None else f"{ratio * 100:.1f}%"
        mark = " ◀" if i == report.saturation_index else ""
        rows.append((i, row.name + mark, row.codes, row.new, row.cumulative, shown))
    return rows


class SaturationScreen(LeadScreen):
    BINDINGS = [Binding("l", "level", "Level", id="saturation.level", tooltip="Switch level: raw, harmonised, theme")]

    poll_seconds = 3.0

    def __init__(self) -> None:
        super().__init__()
        self.level = "raw"
        self.version: tuple[int, ...] | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="verdict")
        with Horizontal(id="saturation-body"):
            yield DataTable(id="saturation-table", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="saturation-chart-box"):
                yield Static(id="saturation-chart")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "saturation"
        self.set_interval(self.poll_seconds, self._poll, name="saturation-poll")

    def fetch(self) -> SaturationData:
        from codebench.domain.plots import accumulation_text  # matplotlib loads on first use only

        version = lead.data_version(self.store)
        report = saturation_report(self.store, level=self.level)
        return SaturationData(report, accumulation_text(report, CHART_WIDTH), version)

    def show_data(self, data: SaturationData, result: object) -> None:
        self.version = data.version
        rows = interview_rows(data.report)
        fill_table(self.query_one(DataTable), COLUMNS, rows, [str(r[0]) for r in rows])
        self.query_one("#verdict", Static).update(Text.assemble((self.level, "bold"), " level: ",
                                                               data.report.verdict()))
        self.query_one("#saturation-chart", Static).update(data.chart.split("\n", 1)[-1])

    def _poll(self) -> None:
        if self.is_current and self.version is not None:
            self._check(self.version)

    @work(thread=True, exclusive=True, group="saturation-poll")
    def _check(self, version: tuple[int, ...]) -> None:
        """Recompute when the project's data version moved on from ``version`` (runs in a worker)."""
        try:
            moved = lead.data_version(self.store) != version
        except CodebenchError as exc:
            self.post_message(ActionFailed(exc.line()))
            return
        if moved:
            self.read_and_post()

    def action_level(self) -> None:
        self.level = LEVELS[(LEVELS.index(self.level) + 1) % len(LEVELS)]
        self.reload()
