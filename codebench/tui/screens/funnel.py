"""Funnel (lead): raw codes per coder -> harmonised codes -> themes -> categories, as `codebench funnel`."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import DataTable, Footer, Header

from codebench.services import harmonise
from codebench.services.harmonise import Funnel
from codebench.tui.screens.lead_base import LeadScreen
from codebench.tui.widgets.tables import fill_table


def funnel_rows(funnel: Funnel) -> list[tuple[str, int]]:
    """(level, count) rows in the order `codebench funnel` prints them."""
    return [*((f"raw codes ({coder})", n) for coder, n in funnel.raw_per_coder.items()),
            ("raw codes (all coders)", funnel.raw_total), ("harmonised codes", funnel.harmonised),
            ("themes", funnel.themes), ("categories", funnel.categories),
            ("raw codes not yet harmonised", funnel.raw_unharmonised),
            ("harmonised codes without a theme", funnel.harmonised_without_theme)]


class FunnelScreen(LeadScreen):
    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="funnel", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.title = "funnel"

    def fetch(self) -> Funnel:
        return harmonise.funnel(self.store)

    def show_data(self, data: Funnel, result: object) -> None:
        rows = funnel_rows(data)
        fill_table(self.query_one(DataTable), ("level", "count"), rows, [level for level, _ in rows])
