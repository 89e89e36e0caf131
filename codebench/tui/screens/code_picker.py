"""The code picker: type to fuzzy-search my codes; Enter applies the highlighted one or creates a new code."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from codebench.domain.model import Code
from codebench.services.coding_session import has_label, rank_codes
from codebench.tui.screens.filter_picker import FilterPicker, picker_bindings
from codebench.tui.widgets.transcript_view import code_colour

NEW = "new"
SHOWN = 30


@dataclass(frozen=True, slots=True)
class Pick:
    """The coder's choice: one of their codes (``code_id``) or a new code (``label``)."""

    code_id: int | None = None
    label: str | None = None


class CodePicker(FilterPicker[Pick | None]):
    """Fuzzy search over the coder's own codes; ``recent`` are listed first (1-9) while the query is empty."""

    BINDINGS = [
        *picker_bindings("picker"),
        Binding("ctrl+n", "create", "New code", id="picker.new", tooltip="Create a new code with the typed label"),
    ]
    PLACEHOLDER = "type to search my codes…"

    def __init__(self, codes: list[Code], recent: list[Code], *, title: str = "Tag with code",
                 allow_new: bool = True) -> None:
        super().__init__(title)
        self.codes, self.recent, self.allow_new = codes, recent, allow_new

    def _fill(self, query: str) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        if query.strip():
            shown = [(None, c) for c in rank_codes(self.codes, query, SHOWN)]
        else:
            recent_ids = {c.id for c in self.recent}
            shown = [(i + 1, c) for i, c in enumerate(self.recent)]
            shown += [(None, c) for c in rank_codes(self.codes, "", SHOWN) if c.id not in recent_ids]
        options.add_options([Option(self._label(n, c), id=str(c.id)) for n, c in shown])
        if self.allow_new and query.strip() and not has_label(self.codes, query):
            options.add_option(Option(Text.assemble(("+ new code ", "italic"), (query.strip(), "bold")), id=NEW))
        options.highlighted = 0 if options.option_count else None

    @staticmethod
    def _label(number: int | None, code: Code) -> Text:
        return Text.assemble((f"{number} " if number else "  ", "dim"), ("▌", code_colour(code.id)),
                             code.label, (f"  ({code.uses})", "dim"))

    def action_create(self) -> None:
        query = self.query_one(Input).value.strip()
        if self.allow_new and query:
            self.dismiss(Pick(label=query))

    def _choose(self, option_id: str | None) -> None:
        if option_id == NEW:
            self.action_create()
        elif option_id is not None:
            self.dismiss(Pick(code_id=int(option_id)))
