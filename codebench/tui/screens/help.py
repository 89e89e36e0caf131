"""Help: every key binding active on the screen below, with what it does."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

INTRO = ("Select a quote (s sentence, S turn, v then moves, shift+arrows, or drag the mouse), "
         "press t to tag it. Moves: ←/→ word, ↑/↓ line, ( ) sentence, { } turn. "
         "ctrl+p lists every action.")


def bindings_table(screen: Screen) -> Table:
    """Key, action and explanation of every binding active on ``screen``."""
    table = Table("key", "action", "what it does", box=None, expand=True)
    seen: set[str] = set()
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if binding.description and (binding.id or key) not in seen:
            seen.add(binding.id or key)
            table.add_row(screen.app.get_key_display(binding), binding.description, active.tooltip or binding.tooltip)
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark,f1", "dismiss", "Close", id="help.close")]

    def __init__(self, below: Screen) -> None:
        super().__init__()
        self.below = below

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Static(getattr(self.below, "HELP_INTRO", INTRO), id="help-intro")
            yield Static(bindings_table(self.below), id="help-keys")
