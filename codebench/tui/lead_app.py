"""The lead view (`codebench tui --lead`): harmonisation, theme board, funnel, agreement and saturation.

A separate app class: its screens, bindings and palette commands do not exist in a coder's app, so
blind coding never shows them.
"""

from __future__ import annotations

from textual.binding import Binding

from codebench.store.store import Store
from codebench.tui.app import ProjectApp
from codebench.tui.screens.agreement import AgreementScreen
from codebench.tui.screens.funnel import FunnelScreen
from codebench.tui.screens.harmonise import HarmoniseScreen
from codebench.tui.screens.saturation import SaturationScreen
from codebench.tui.screens.theme_board import ThemeBoardScreen

LEAD_SCREENS = {
    "harmonise": ("Harmonise", HarmoniseScreen, "Suggested synonyms, their quotes; merge, reject, rename, split"),
    "themes": ("Themes", ThemeBoardScreen, "Harmonised codes by category and theme; assign, add, move"),
    "funnel": ("Funnel", FunnelScreen, "Raw codes -> harmonised codes -> themes -> categories"),
    "agreement": ("Agreement", AgreementScreen, "Inter-coder agreement per code and for the whole codebook"),
    "saturation": ("Saturation", SaturationScreen, "New codes per interview, the verdict, the chart"),
}


class LeadApp(ProjectApp):
    """The lead's screens, one mode each, switched with 1-5; ``by`` names the lead in the merge log."""

    TITLE = "codebench lead"
    MODES = {mode: screen for mode, (_, screen, _) in LEAD_SCREENS.items()}
    BINDINGS = [
        *ProjectApp.BINDINGS,
        *[Binding(str(i), f"switch_mode('{mode}')", title, id=f"lead.{mode}", tooltip=tip)
          for i, (mode, (title, _, tip)) in enumerate(LEAD_SCREENS.items(), start=1)],
    ]

    def __init__(self, store: Store, by: str | None = None) -> None:
        super().__init__(store)
        self.by = by

    def on_mount(self) -> None:
        self.name_lead(self.by)
        self.switch_mode("harmonise")

    def name_lead(self, by: str | None) -> None:
        """Who the merge log names for the decisions made here from now on."""
        self.by = by
        self.sub_title = f"lead: {by}" if by else "lead"

