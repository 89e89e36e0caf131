"""My codebook: my codes with their number of codings and memos; rename, memo, merge two of mine."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header

from codebench.domain.model import Code
from codebench.tui.screens.base import SessionScreen
from codebench.tui.screens.code_picker import CodePicker, Pick
from codebench.tui.screens.text_prompt import TextPrompt
from codebench.tui.widgets.tables import fill_table


class CodebookScreen(SessionScreen):
    BINDINGS = [
        Binding("r", "rename", "Rename", id="codebook.rename", tooltip="Rename the highlighted code"),
        Binding("m", "memo", "Memo", id="codebook.memo", tooltip="Write a memo on the highlighted code"),
        Binding("g", "merge", "Merge into…", id="codebook.merge",
                tooltip="Merge the highlighted code into another of my codes"),
        Binding("escape,q", "back", "Back", id="codebook.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.codes: list[Code] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="codebook", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.title = "my codebook"
        self.reload()

    def fetch(self) -> list[Code]:
        return self.session.codes()

    def show_data(self, data: list[Code], result: object) -> None:
        self.codes = data
        fill_table(self.query_one(DataTable), ("code", "codings", "memo"),
                   [(c.label, c.uses, c.memo or "") for c in data], [str(c.id) for c in data])

    def _current(self) -> Code | None:
        table = self.query_one(DataTable)
        return self.codes[table.cursor_row] if self.codes and table.cursor_row < len(self.codes) else None

    def action_rename(self) -> None:
        code = self._current()
        if code is not None:
            def save(label: str | None) -> None:
                if label:
                    self.perform(lambda s: s.rename_code(code.id, label), f"renamed to {label}")
            self.app.push_screen(TextPrompt(f"Rename the code {code.label}", code.label), save)

    def action_memo(self) -> None:
        code = self._current()
        if code is not None:
            def save(memo: str | None) -> None:
                if memo is not None:
                    self.perform(lambda s: s.set_code_memo(code.id, memo), "memo saved")
            self.app.push_screen(TextPrompt(f"Memo on the code {code.label}", code.memo or ""), save)

    def action_merge(self) -> None:
        source = self._current()
        if source is not None:
            def merge(pick: Pick | None) -> None:
                if pick is not None and pick.code_id is not None:
                    self.perform(lambda s: s.merge_codes(source.id, pick.code_id),
                                 f"merged {source.label} (ctrl+z undoes)")
            others = [c for c in self.codes if c.id != source.id]
            self.app.push_screen(CodePicker(others, [], title=f"Merge {source.label} into", allow_new=False), merge)

    def action_back(self) -> None:
        self.dismiss()
