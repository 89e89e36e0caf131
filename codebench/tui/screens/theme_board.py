"""Theme board (lead): harmonised codes by category and theme; assign a code to a theme, add a theme,
move a theme to another category, undo."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Footer, Header

from codebench.services import harmonise
from codebench.store.repo_harmonise import HarmonisedInfo
from codebench.tui.screens.choice import ChoicePicker
from codebench.tui.screens.lead_base import LeadScreen, undo_note
from codebench.tui.screens.text_prompt import TextPrompt
from codebench.tui.widgets.tables import fill_table

NONE = ""  # the choice "no category"


@dataclass(frozen=True)
class Theme:
    name: str
    category: str | None
    codes: int


@dataclass(frozen=True)
class BoardData:
    codes: list[HarmonisedInfo]  # by category, theme, name; codes without a theme last
    themes: list[Theme]
    categories: list[str]


def board_order(codes: list[HarmonisedInfo], categories: list[str]) -> list[HarmonisedInfo]:
    """Codes grouped by category (in the project's order), then theme, then name; unplaced ones last."""
    rank = {name: i for i, name in enumerate(categories)}

    def key(code: HarmonisedInfo) -> tuple:
        return (code.theme is None, rank.get(code.category or "", len(rank)), code.theme or "", code.name)
    return sorted(codes, key=key)


class ThemeBoardScreen(LeadScreen):
    BINDINGS = [
        Binding("a", "assign", "Assign to theme", id="board.assign",
                tooltip="Put the highlighted harmonised code under a theme"),
        Binding("t", "add_theme", "New theme", id="board.add_theme", tooltip="Add a theme in a category"),
        Binding("c", "move_theme", "Move theme", id="board.move_theme",
                tooltip="Put the highlighted theme (right table) in another category"),
        Binding("u", "undo", "Undo", id="board.undo", tooltip="Undo the last harmonisation decision"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.data = BoardData([], [], [])

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="board"):
            yield DataTable(id="board-codes", cursor_type="row", zebra_stripes=True)
            yield DataTable(id="board-themes", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.title = "theme board"
        self.query_one("#board-codes").border_title = "harmonised codes"
        self.query_one("#board-themes").border_title = "themes"
        self.query_one("#board-codes").focus()

    def fetch(self) -> BoardData:
        categories = harmonise.categories(self.store)
        themes = [Theme(name, category, n) for name, category, _, n in harmonise.themes(self.store)]
        return BoardData(board_order(harmonise.harmonised_codes(self.store), categories), themes, categories)

    def show_data(self, data: BoardData, result: object) -> None:
        self.data = data
        fill_table(self.query_one("#board-codes", DataTable), ("category", "theme", "harmonised code", "raw codes"),
                   [(c.category or "", c.theme or "—", c.name, len(c.raw_codes)) for c in data.codes],
                   [str(i) for i in range(len(data.codes))])
        fill_table(self.query_one("#board-themes", DataTable), ("category", "theme", "codes"),
                   [(t.category or "—", t.name, t.codes) for t in data.themes],
                   [str(i) for i in range(len(data.themes))])

    def _row(self, table_id: str, items: list) -> object | None:
        row = self.query_one(table_id, DataTable).cursor_row
        return items[row] if 0 <= row < len(items) else None

    def action_assign(self) -> None:
        code = self._row("#board-codes", self.data.codes)
        if code is None or not self.data.themes:
            self.notify("add a theme first (t)" if code else "no harmonised code yet", severity="warning")
            return

        def assign(theme: str | None) -> None:
            if theme:
                self.decide(lambda store, by: harmonise.assign_theme(store, [code.name], theme, by=by),
                            f"{code.name} → {theme}")
        self.app.push_screen(ChoicePicker(f"Theme for {code.name}",
                                          [(t.name, f"{t.name}  ({t.category or 'no category'})")
                                           for t in self.data.themes]), assign)

    def action_add_theme(self) -> None:
        def named(name: str | None) -> None:
            if name and name.strip():
                self.app.push_screen(self._category_picker(f"Category of the theme {name.strip()}"),
                                     lambda category: self._add(name.strip(), category))
        self.app.push_screen(TextPrompt("New theme"), named)

    def _add(self, name: str, category: str | None) -> None:
        if category is not None:
            self.decide(lambda store, by: harmonise.add_theme(store, name, category or None, by=by),
                        f"theme added: {name}")

    def action_move_theme(self) -> None:
        theme = self._row("#board-themes", self.data.themes)
        if theme is None:
            self.notify("no theme yet (t adds one)", severity="warning")
            return

        def move(category: str | None) -> None:
            if category is not None:
                self.decide(lambda store, by: harmonise.move_theme(store, theme.name, category or None, by=by),
                            lambda moved: f"{theme.name} → {category or 'no category'}" if moved else "no change")
        self.app.push_screen(self._category_picker(f"Category of the theme {theme.name}"), move)

    def _category_picker(self, title: str) -> ChoicePicker:
        return ChoicePicker(title, [*((c, c) for c in self.data.categories), (NONE, "no category")])

    def action_undo(self) -> None:
        self.decide(lambda store, by: harmonise.undo(store, by=by), undo_note)
