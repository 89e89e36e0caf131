"""A modal list filtered by what is typed: Enter or a click picks the highlighted entry, Esc cancels.

Subclasses fill the list for a query (``_fill``) and turn a picked option id into the result (``_choose``).
"""

from __future__ import annotations

from typing import ClassVar, TypeVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList

T = TypeVar("T")


def picker_bindings(prefix: str) -> list[BindingType]:
    """Cancel and cursor keys, with binding ids under ``prefix``."""
    return [
        Binding("escape", "dismiss(None)", "Cancel", id=f"{prefix}.cancel"),
        Binding("down", "cursor(1)", "Next", show=False, id=f"{prefix}.next"),
        Binding("up", "cursor(-1)", "Previous", show=False, id=f"{prefix}.previous"),
    ]


class FilterPicker(ModalScreen[T]):
    WIDGET_ID: ClassVar[str] = "picker"  #: id of the container; the title, input and list ids derive from it
    PLACEHOLDER: ClassVar[str] = "type to filter…"

    def __init__(self, title: str) -> None:
        super().__init__()
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical(id=self.WIDGET_ID):
            yield Label(self.title_text, id=f"{self.WIDGET_ID}-title")
            yield Input(placeholder=self.PLACEHOLDER, id=f"{self.WIDGET_ID}-query")
            yield OptionList(id=f"{self.WIDGET_ID}-list")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one(Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def _fill(self, query: str) -> None:
        raise NotImplementedError

    def _choose(self, option_id: str | None) -> None:
        raise NotImplementedError

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
