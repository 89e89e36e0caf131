"""My transcripts: name, participant attributes, my status and my number of codings; filter by typing."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Input

from codebench.services.coding_session import MyTranscript
from codebench.tui.screens.base import SessionScreen
from codebench.tui.screens.codebook import CodebookScreen
from codebench.tui.screens.coding import CodingScreen
from codebench.tui.widgets.tables import fill_table

COLUMNS = ("transcript", "participant", "my status", "my codings")


def attributes_text(attributes: dict[str, str]) -> str:
    return ", ".join(f"{k}: {v}" for k, v in attributes.items())


class TranscriptsScreen(SessionScreen):
    BINDINGS = [
        Binding("enter", "open", "Open", id="transcripts.open", tooltip="Code the highlighted transcript"),
        Binding("down", "cursor(1)", "Next", show=False, id="transcripts.next"),
        Binding("up", "cursor(-1)", "Previous", show=False, id="transcripts.previous"),
        Binding("ctrl+b", "codebook", "Codebook", id="transcripts.codebook", tooltip="My codes: rename, merge, memos"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[MyTranscript] = []
        self.shown: list[MyTranscript] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="filter: type part of a name or attribute", id="filter")
        yield DataTable(id="transcripts", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.title = "my transcripts"
        self.query_one(Input).focus()
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    def fetch(self) -> list[MyTranscript]:
        return self.session.transcripts()

    def show_data(self, data: list[MyTranscript], result: object) -> None:
        self.rows = data
        self._fill()

    def on_input_changed(self) -> None:
        self._fill()

    def _fill(self) -> None:
        words = self.query_one(Input).value.casefold().split()
        self.shown = [t for t in self.rows
                      if all(w in f"{t.name} {attributes_text(t.attributes)}".casefold() for w in words)]
        fill_table(self.query_one(DataTable), COLUMNS,
                   [(t.name, attributes_text(t.attributes), t.status, t.codings) for t in self.shown],
                   [t.name for t in self.shown])

    def action_cursor(self, step: int) -> None:
        table = self.query_one(DataTable)
        table.move_cursor(row=table.cursor_row + step)

    def action_open(self) -> None:
        row = self.query_one(DataTable).cursor_row
        if self.shown and 0 <= row < len(self.shown):
            self.app.push_screen(CodingScreen(self.shown[row]))

    def on_input_submitted(self) -> None:
        self.action_open()

    def on_data_table_row_selected(self) -> None:
        self.action_open()

    def action_codebook(self) -> None:
        self.app.push_screen(CodebookScreen())
