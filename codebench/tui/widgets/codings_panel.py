"""Side panel: the coder's codings of the open transcript, in text order."""

from __future__ import annotations

from bisect import bisect_right

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from codebench.domain.model import Coding
from codebench.tui.widgets.transcript_view import code_colour

SNIPPET = 60


def coding_label(coding: Coding) -> Text:
    """▌ code — quote (memo mark), as one option."""
    quote = " ".join(coding.quote.split())
    if len(quote) > SNIPPET:
        quote = quote[:SNIPPET - 1] + "…"
    label = Text("▌", style=code_colour(coding.code_id))
    label.append(f"{coding.code}", style="bold")
    if coding.memo:
        label.append(" ✎", style="italic")
    label.append(f"\n {quote}", style="dim")
    return label


def _text_order(coding: Coding) -> tuple[int, int, str]:
    """The order the store lists a coder's codings in: by span, then by code label."""
    return coding.start, coding.end, coding.code.casefold()


class CodingsPanel(OptionList):
    """Lists codings; the highlighted one is the *active* coding the screen's actions apply to."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self.codings: list[Coding] = []

    def show(self, codings: list[Coding], keep: int | None = None) -> None:
        """Replace the list, keeping the highlight on coding ``keep`` (an id) when it is still there."""
        self.codings = codings
        self.clear_options()
        self.add_options([Option(coding_label(c), id=str(c.id)) for c in codings])
        ids = [c.id for c in codings]
        self.highlighted = ids.index(keep) if keep in ids else (0 if ids else None)
        self.border_subtitle = f"{len(codings)} codings"

    def holds(self, coding_id: int) -> bool:
        return any(c.id == coding_id for c in self.codings)

    def add(self, coding: Coding) -> None:
        """Insert one coding in text order and highlight it (the other entries are reused, not rebuilt)."""
        i = bisect_right(self.codings, _text_order(coding), key=_text_order)
        options = list(self.options)
        options.insert(i, Option(coding_label(coding), id=str(coding.id)))
        self.codings = [*self.codings[:i], coding, *self.codings[i:]]
        self.set_options(options)
        self.highlighted = i
        self.border_subtitle = f"{len(self.codings)} codings"

    @property
    def active(self) -> Coding | None:
        i = self.highlighted
        return self.codings[i] if i is not None and i < len(self.codings) else None

    def highlight_coding(self, coding_id: int) -> None:
        ids = [c.id for c in self.codings]
        if coding_id in ids and self.highlighted != ids.index(coding_id):
            self.highlighted = ids.index(coding_id)
