"""The quotes of several raw codes side by side, one scrollable column per code (where coders discuss)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.containers import HorizontalScroll, VerticalScroll
from textual.widgets import Static

from codebench.services.lead import RawCodeQuotes


def quotes_text(code: RawCodeQuotes) -> Text:
    """Each quote with its transcript, in text order; a line at the end when more exist."""
    text = Text()
    for coding in code.codings:
        text.append(f"{coding.transcript} ", style="bold")
        text.append(" ".join(coding.quote.split()))
        text.append("\n\n")
    hidden = code.total - len(code.codings)
    if hidden > 0:
        text.append(f"… and {hidden} more", style="dim italic")
    elif not code.codings:
        text.append("no codings", style="dim italic")
    return text


class QuotesColumns(HorizontalScroll):
    """Attributes down: ``show`` replaces the columns."""

    DEFAULT_CSS = """
    QuotesColumns > .quotes-column {
        width: 1fr;
        min-width: 30;
        height: 1fr;
        border: round $primary-darken-2;
        padding: 0 1;
    }
    """

    def show(self, codes: Sequence[RawCodeQuotes]) -> None:
        self.remove_children()
        columns = []
        for code in codes:
            column = VerticalScroll(Static(quotes_text(code)), classes="quotes-column")
            column.border_title = f"{code.coder}: {code.label}"
            column.border_subtitle = f"{code.total} codings" + (f" → {code.harmonised}" if code.harmonised else "")
            columns.append(column)
        self.mount_all(columns)
