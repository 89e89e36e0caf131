"""Harmonisation (lead): suggested groups of raw codes with their evidence, the quotes of each raw code side
by side, and the decisions: accept (merge), reject, rename, split, undo."""

from __future__ import annotations

from dataclasses import dataclass

from textual import work
from textual.worker import get_current_worker
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, Static

from codebench.domain.errors import CodebenchError
from codebench.domain.harmonise import DEFAULT_THRESHOLD
from codebench.services import harmonise, lead
from codebench.services.harmonise import Suggestion
from codebench.services.lead import RawCodeQuotes
from codebench.store.repo_harmonise import HarmonisedInfo
from codebench.tui.screens.base import ActionFailed
from codebench.tui.screens.choice import ChoicePicker
from codebench.tui.screens.lead_base import LeadScreen, undo_note
from codebench.tui.screens.text_prompt import TextPrompt
from codebench.tui.widgets.quotes_columns import QuotesColumns
from codebench.tui.widgets.tables import fill_table

THRESHOLD_STEP = 0.05
ALL = "*"


@dataclass(frozen=True)
class HarmoniseData:
    suggestions: list[Suggestion]
    harmonised: list[HarmonisedInfo]


def refs(codes: tuple[tuple[str, str], ...]) -> list[str]:
    """(coder, label) pairs as ``CODER:LABEL`` references."""
    return [f"{coder}:{label}" for coder, label in codes]


def evidence_text(group: Suggestion) -> str:
    """The evidence of one suggestion, in one or two lines."""
    parts = [f"score {group.score:.2f}", f"label similarity {group.label_similarity:.2f}",
             f"quote overlap {group.overlap:.2f}", f"{group.shared_quotes} shared quotes"]
    if group.semantic is not None:
        parts.append(f"semantic {group.semantic:.2f}")
    line = " · ".join(parts) + "\n" + ", ".join(refs(group.codes))
    return line + (f"\nexample: {group.example}" if group.example else "")


class QuotesLoaded(Message):
    def __init__(self, codes: list[RawCodeQuotes]) -> None:
        super().__init__()
        self.codes = codes


class HarmoniseScreen(LeadScreen):
    BINDINGS = [
        Binding("a", "accept", "Accept", id="harmonise.accept",
                tooltip="Merge the highlighted group into a harmonised code (you type its name)"),
        Binding("r", "reject", "Reject", id="harmonise.reject",
                tooltip="Never merge these raw codes (every pair of the group is remembered)"),
        Binding("n", "rename", "Rename", id="harmonise.rename", tooltip="Rename the highlighted harmonised code"),
        Binding("x", "split", "Split", id="harmonise.split",
                tooltip="Take raw codes out of the highlighted harmonised code"),
        Binding("u", "undo", "Undo", id="harmonise.undo", tooltip="Undo the last harmonisation decision"),
        Binding("plus", "threshold(1)", "Threshold +", show=False, id="harmonise.threshold_up",
                tooltip="Raise the suggestion threshold (fewer, surer groups)"),
        Binding("minus", "threshold(-1)", "Threshold −", show=False, id="harmonise.threshold_down",
                tooltip="Lower the suggestion threshold (more groups)"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.threshold = DEFAULT_THRESHOLD
        self.data = HarmoniseData([], [])

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="harmonise-top"):
            yield DataTable(id="suggestions", cursor_type="row", zebra_stripes=True)
            yield DataTable(id="harmonised", cursor_type="row", zebra_stripes=True)
        yield Static(id="evidence")
        yield QuotesColumns(id="quotes")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "harmonisation"
        self.query_one("#suggestions").border_title = "suggestions"
        self.query_one("#harmonised").border_title = "harmonised codes"
        self.query_one("#suggestions").focus()

    # -- data -----------------------------------------------------------------------------------
    def fetch(self) -> HarmoniseData:
        return HarmoniseData(harmonise.suggest(self.store, threshold=self.threshold),
                             harmonise.harmonised_codes(self.store))

    def show_data(self, data: HarmoniseData, result: object) -> None:
        self.data = data
        semantic = any(g.semantic is not None for g in data.suggestions)
        columns = ["#", "raw codes", "score", "labels", "overlap", "shared", *(["semantic"] if semantic else [])]
        rows = [[i, ", ".join(refs(g.codes)), f"{g.score:.2f}", f"{g.label_similarity:.2f}", f"{g.overlap:.2f}",
                 g.shared_quotes, *([f"{g.semantic:.2f}" if g.semantic is not None else ""] if semantic else [])]
                for i, g in enumerate(data.suggestions, start=1)]
        suggestions = self.query_one("#suggestions", DataTable)
        fill_table(suggestions, columns, rows, [str(i) for i in range(len(rows))])
        suggestions.border_subtitle = f"{len(rows)} groups at threshold {self.threshold:.2f}"
        fill_table(self.query_one("#harmonised", DataTable), ("harmonised code", "raw", "theme"),
                   [(h.name, len(h.raw_codes), h.theme or "") for h in data.harmonised],
                   [str(i) for i in range(len(data.harmonised))])
        self._follow(self.focused if isinstance(self.focused, DataTable) else suggestions)

    # -- what is highlighted, and its quotes ------------------------------------------------------
    def _suggestion(self) -> Suggestion | None:
        row = self.query_one("#suggestions", DataTable).cursor_row
        return self.data.suggestions[row] if 0 <= row < len(self.data.suggestions) else None

    def _harmonised(self) -> HarmonisedInfo | None:
        row = self.query_one("#harmonised", DataTable).cursor_row
        return self.data.harmonised[row] if 0 <= row < len(self.data.harmonised) else None

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table is self.focused:
            self._follow(event.data_table)

    def on_descendant_focus(self, event: object) -> None:
        if isinstance(self.focused, DataTable):
            self._follow(self.focused)

    def _follow(self, table: DataTable) -> None:
        """Show the evidence and quotes of what is highlighted in ``table``."""
        evidence = self.query_one("#evidence", Static)
        if table.id == "harmonised":
            code = self._harmonised()
            evidence.update("" if code is None else f"{code.name}: {', '.join(refs(code.raw_codes))}"
                            + (f"\ndefinition: {code.definition}" if code.definition else ""))
            self._load_quotes(code.raw_codes if code else ())
        else:
            group = self._suggestion()
            evidence.update("no suggestions at this threshold (- lowers it)" if group is None
                            else evidence_text(group))
            self._load_quotes(group.codes if group else ())

    @work(thread=True, exclusive=True, group="quotes")
    def _load_quotes(self, codes: tuple[tuple[str, str], ...]) -> None:
        try:
            quotes = [lead.raw_code_quotes(self.store, c, label) for c, label in codes]
        except CodebenchError as exc:
            self.post_message(ActionFailed(exc.line()))
            return
        if not get_current_worker().is_cancelled:  # the lead has moved on to another row
            self.post_message(QuotesLoaded(quotes))

    def on_quotes_loaded(self, message: QuotesLoaded) -> None:
        self.query_one(QuotesColumns).show(message.codes)

    # -- decisions ----------------------------------------------------------------------------------
    def action_accept(self) -> None:
        group = self._suggestion()
        if group is None:
            return

        def merge(into: str | None) -> None:
            if into and into.strip():
                self.decide(lambda store, by: harmonise.merge(store, refs(group.codes), into.strip(), by=by,
                                                              score=group.score),
                            f"merged {len(group.codes)} raw codes into {into.strip()}")
        self.app.push_screen(TextPrompt(f"Merge {len(group.codes)} raw codes into (Enter accepts)",
                                        lead.suggested_name(group.codes)), merge)

    def action_reject(self) -> None:
        group = self._suggestion()
        if group is not None:
            self.decide(lambda store, by: lead.reject_group(store, refs(group.codes), by=by, score=group.score),
                        lambda n: f"rejected: {n} pair(s) will not be suggested again")

    def action_rename(self) -> None:
        code = self._harmonised()
        if code is None:
            self.notify("no harmonised code yet", severity="warning")
            return

        def rename(new: str | None) -> None:
            if new and new.strip() and new.strip() != code.name:
                self.decide(lambda store, by: harmonise.rename(store, code.name, new.strip(), by=by),
                            f"renamed to {new.strip()}")
        self.app.push_screen(TextPrompt(f"Rename the harmonised code {code.name}", code.name), rename)

    def action_split(self) -> None:
        code = self._harmonised()
        if code is None or not code.raw_codes:
            self.notify("no harmonised code with raw codes here", severity="warning")
            return
        members = refs(code.raw_codes)

        def split(chosen: str | None) -> None:
            if chosen is not None:
                out = members if chosen == ALL else [chosen]
                self.decide(lambda store, by: harmonise.split(store, out, by=by),
                            lambda n: f"took {n} raw code(s) out of {code.name}")
        self.app.push_screen(ChoicePicker(f"Take out of {code.name}",
                                          [*((r, r) for r in members), (ALL, "all of them")]), split)

    def action_undo(self) -> None:
        self.decide(lambda store, by: harmonise.undo(store, by=by), undo_note)

    def action_threshold(self, step: int) -> None:
        self.threshold = round(min(max(self.threshold + step * THRESHOLD_STEP, 0.0), 1.0), 2)
        self.reload()
