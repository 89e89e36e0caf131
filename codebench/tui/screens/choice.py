"""Pick one of a few named choices (a theme, a category, a raw code): type to filter, Enter picks, Esc cancels."""

from __future__ import annotations

from collections.abc import Sequence

from textual.widgets import OptionList
from textual.widgets.option_list import Option

from codebench.tui.screens.filter_picker import FilterPicker, picker_bindings


class ChoicePicker(FilterPicker[str | None]):
    """Dismisses with the value of the chosen entry, or None when cancelled.

    ``choices`` are (value, shown text) pairs; the typed words filter the shown texts.
    """

    BINDINGS = picker_bindings("choice")
    WIDGET_ID = "choice"

    def __init__(self, title: str, choices: Sequence[tuple[str, str]]) -> None:
        super().__init__(title)
        self.choices = list(choices)

    def _fill(self, query: str) -> None:
        words = query.casefold().split()
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options([Option(shown, id=str(i)) for i, (_, shown) in enumerate(self.choices)
                             if all(w in shown.casefold() for w in words)])
        options.highlighted = 0 if options.option_count else None

    def _choose(self, option_id: str | None) -> None:
        if option_id is not None:
            self.dismiss(self.choices[int(option_id)][0])
