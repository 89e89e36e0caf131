"""Pick one of a few named choices (a theme, a category, a raw code): type to filter, Enter picks, Esc cancels."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option


class ChoicePicker(ModalScreen[str | None]):
    """Dismisses with the value of the chosen entry, or None when cancelled.

    ``choices`` are (value, shown text) pairs; the typed words filter the shown texts.
    """

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel", id="choice.cancel"),
        Binding("down", "cursor(1)", "Next", show=False, id="choice.next"),
        Binding("up", "cursor(-1)", "Previous", show=False, id="choice.previous"),
    ]

    def __init__(self, title: str, choices: Sequence[tuple[str, str]]) -> None:
        super().__init__()
        self.title_text, self.choices = title, list(choices)

    def compose(self) -> ComposeResult:
        with Vertical(id="choice"):
            yield Label(self.title_text, id="choice-title")
            yield Input(placeholder="type to filter…", id="choice-query")
            yield OptionList(id="choice-list")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one(Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def _fill(self, query: str) -> None:
        words = query.casefold().split()
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options([Option(shown, id=str(i)) for i, (_, shown) in enumerate(self.choices)
                             if all(w in shown.casefold() for w in words)])
        options.highlighted = 0 if options.option_count else None

    def action_cursor(self, step: int) -> None:
        options = self.query_one(OptionList)
        if options.option_count:
            options.highlighted = ((options.highlighted or 0) + step) % options.option_count

    def on_input_submitted(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is not None:
            self._choose(options.get_option_at_index(options.highlighted).id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self._choose(event.option.id)

    def _choose(self, option_id: str | None) -> None:
        if option_id is not None:
            self.dismiss(self.choices[int(option_id)][0])
