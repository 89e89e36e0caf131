"""The coding screen: one transcript, my highlights, my codings panel, tagging from the keyboard."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Footer, Header, Input, OptionList, Static

from codebench.domain.model import Code, Coding
from codebench.services.coding_session import RECENT, Document, MyTranscript
from codebench.tui.screens.base import SessionScreen
from codebench.tui.screens.codebook import CodebookScreen
from codebench.tui.screens.code_picker import CodePicker, Pick
from codebench.tui.screens.text_prompt import TextPrompt
from codebench.tui.widgets.codings_panel import CodingsPanel
from codebench.tui.widgets.transcript_view import TranscriptView


@dataclass(frozen=True, slots=True)
class CodingData:
    codings: list[Coding]
    codes: list[Code]
    recent: list[Code]
    document: Document | None = None


def _note_tagged(coding: Coding | None) -> str | None:
    return f"tagged: {coding.code}" if coding else None


class CodingScreen(SessionScreen):
    """Codes one transcript. The *active coding* is the one highlighted in the side panel."""

    BINDINGS = [
        Binding("t", "tag", "Tag", id="coding.tag", tooltip="Tag the selection with one of my codes or a new one"),
        Binding("enter", "confirm", "Tag / save span", show=False, id="coding.confirm",
                tooltip="Tag the selection; while editing a span, save it"),
        *[Binding(str(n), f"recent({n})", f"Tag with recent code {n}", show=False, id=f"coding.recent_{n}",
                  tooltip=f"Tag the selection with my code number {n} in the recent list") for n in range(1, 10)],
        Binding("c", "change_code", "Code", id="coding.change_code", tooltip="Give the active coding another code"),
        Binding("e", "edit_span", "Span", id="coding.edit_span",
                tooltip="Edit the active coding's span: extend/shrink the selection, o swaps ends, Enter saves"),
        Binding("x,delete", "delete", "Delete", id="coding.delete", tooltip="Delete the active coding"),
        Binding("m", "memo", "Memo", id="coding.memo", tooltip="Write a memo on the active coding"),
        Binding("M", "code_memo", "Code memo", show=False, id="coding.code_memo",
                tooltip="Write a memo on the active coding's code"),
        Binding("slash", "search", "Search", id="coding.search", tooltip="Search the transcript (n / N: next, previous)"),
        Binding("n", "next_match(1)", "Next match", show=False, id="coding.next_match"),
        Binding("N", "next_match(-1)", "Previous match", show=False, id="coding.previous_match"),
        Binding("d", "toggle_done", "Done", id="coding.done", tooltip="Mark this transcript done, or reopen it"),
        Binding("p", "toggle_panel", "Panel", show=False, id="coding.panel", tooltip="Show or hide my codings panel"),
        Binding("b", "codebook", "Codebook", show=False, id="coding.codebook", tooltip="My codes: rename, merge, memos"),
        Binding("escape", "escape", "Clear / back", show=False, id="coding.escape",
                tooltip="Cancel span editing, clear the selection or the search, else back to the list"),
        Binding("q", "back", "Transcripts", show=False, id="coding.back", tooltip="Back to my transcripts"),
    ]

    def __init__(self, transcript: MyTranscript) -> None:
        super().__init__()
        self.transcript = transcript
        self.my_status = transcript.status
        self.document: Document | None = None
        self.codes: list[Code] = []
        self.recent: list[Code] = []
        self.editing: Coding | None = None  # the coding whose span is being edited
        self.search_text = ""

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="coding-body"):
            yield TranscriptView(id="transcript")
            yield CodingsPanel(id="codings")
        yield Static(id="status-line")
        yield Input(placeholder="search…  (Enter finds, Esc cancels)", id="search")
        yield Footer()

    @property
    def view(self) -> TranscriptView:
        return self.query_one(TranscriptView)

    @property
    def panel(self) -> CodingsPanel:
        return self.query_one(CodingsPanel)

    def on_mount(self) -> None:
        self.title = self.transcript.name
        self.query_one("#search").display = False
        self.query_one("#codings").border_title = "my codings"
        self.view.focus()
        self.reload()

    # -- data --------------------------------------------------------------------------------------
    def fetch(self) -> CodingData:
        name = self.transcript.name
        document = self.session.document(name) if self.document is None else None
        return CodingData(*self.session.workspace(name), document)

    def show_data(self, data: CodingData, result: object) -> None:
        if data.document is not None:
            self.document = data.document
            self.view.show(data.document.text, data.document.turns, data.codings)
        else:
            self.view.set_codings(data.codings)
        self.codes, self.recent = data.codes, data.recent
        active = self.panel.active
        keep = result.id if isinstance(result, Coding) else (active.id if active else None)
        self.panel.show(data.codings, keep)
        if isinstance(result, str) and result in ("done", "in progress"):
            self.my_status = result
        elif self.my_status == "not started" and data.codings:
            self.my_status = "in progress"
        self._status_line()

    def show_result(self, result: object) -> None:
        """A new coding, committed: add it to the view, the panel and my code counts (no read-back)."""
        if not isinstance(result, Coding):
            return
        if self.panel.holds(result.id):  # the quote already had this code
            self.panel.highlight_coding(result.id)
            return
        self.view.add_coding(result)
        self.panel.add(result)
        known = next((c for c in self.codes if c.id == result.code_id), None)
        used = replace(known, uses=known.uses + 1) if known else Code(result.code_id, result.coder, result.code,
                                                                       uses=1)
        self.codes = [*(c for c in self.codes if c.id != used.id), used]
        self.recent = [used, *(c for c in self.recent if c.id != used.id)][:RECENT]
        if self.my_status == "not started":
            self.my_status = "in progress"
        self._status_line()

    # -- status line -------------------------------------------------------------------------------
    def on_transcript_view_cursor_moved(self, message: TranscriptView.CursorMoved) -> None:
        if self.editing is None:
            here = self.view.marks_at(message.cursor)
            if here:
                self.panel.highlight_coding(here[-1].coding_id)
        self._status_line()

    def _status_line(self) -> None:
        view = self.view
        parts = [f"[b]{self.my_status}[/b]"]
        if self.editing is not None:
            parts.append(f"editing span of [b]{self.editing.code}[/b]: shift+arrows ( ) {{ }} resize, o swaps ends, "
                         "Enter saves, Esc cancels")
        elif view.selection:
            a, b = view.selection
            parts.append(f"selected {len(view.text[a:b].split())} words: t tags, 1-9 recent codes")
        elif view.extending:
            parts.append("select mode: moves extend the selection")
        codes = list(dict.fromkeys(self._code_label(m.code_id) for m in view.marks_at(view.cursor)))
        if codes:
            parts.append("here: " + ", ".join(codes))
        if self.search_text:
            parts.append(f"/{self.search_text}: {len(view.matches)} matches")
        self.query_one("#status-line", Static).update("  ·  ".join(parts))

    def _code_label(self, code_id: int) -> str:
        return next((c.label for c in self.codes if c.id == code_id), "?")

    # -- tagging -----------------------------------------------------------------------------------
    def _selection_or_hint(self) -> tuple[int, int] | None:
        selection = self.view.selection
        if selection is None:
            self.notify("select a quote first: s (sentence), S (turn), v or shift+arrows, or drag the mouse",
                        severity="warning")
        return selection

    def action_confirm(self) -> None:
        if self.editing is not None:
            self._save_span()
        else:
            self.action_tag()

    def action_tag(self) -> None:
        selection = self._selection_or_hint()
        if selection is not None:
            self.app.push_screen(CodePicker(self.codes, self.recent), lambda pick: self._tag(selection, pick))

    def _tag(self, selection: tuple[int, int], pick: Pick | None) -> None:
        if pick is not None:
            name = self.transcript.name
            self.perform(lambda s: s.add_coding(name, *selection, code_id=pick.code_id, label=pick.label),
                         None, refetch=False)

    def action_recent(self, number: int) -> None:
        if number > len(self.recent):
            self.notify(f"no recent code {number} yet", severity="warning")
            return
        selection = self._selection_or_hint()
        if selection is not None:
            self._tag(selection, Pick(code_id=self.recent[number - 1].id))

    # -- the active coding -------------------------------------------------------------------------
    def _active(self) -> Coding | None:
        active = self.panel.active
        if active is None:
            self.notify("no coding here yet", severity="warning")
        return active

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        active = self.panel.active
        if active is not None:
            self.view.select_span(active.start, active.end)
            self.view.focus()

    def action_change_code(self) -> None:
        active = self._active()
        if active is not None:
            def change(pick: Pick | None) -> None:
                if pick is not None:
                    self.perform(lambda s: s.change_code(active.id, code_id=pick.code_id, label=pick.label),
                                 lambda c: f"now coded: {c.code}")
            self.app.push_screen(CodePicker(self.codes, self.recent, title=f"Change code “{active.code}” to"), change)

    def action_edit_span(self) -> None:
        active = self._active()
        if active is not None:
            self.editing = active
            self.view.select_span(active.start, active.end, extending=True)
            self.view.focus()

    def _save_span(self) -> None:
        editing, selection = self.editing, self.view.selection
        if editing is None or selection is None:
            return
        self.editing = None
        self.perform(lambda s: s.change_span(editing.id, *selection), "span changed")

    def action_delete(self) -> None:
        active = self._active()
        if active is not None:
            self.perform(lambda s: s.delete_coding(active.id), f"deleted coding {active.code} (ctrl+z undoes)")

    def action_memo(self) -> None:
        active = self._active()
        if active is not None:
            def save(memo: str | None) -> None:
                if memo is not None:
                    self.perform(lambda s: s.set_coding_memo(active.id, memo), "memo saved")
            self.app.push_screen(TextPrompt(f"Memo on this {active.code} coding", active.memo or ""), save)

    def action_code_memo(self) -> None:
        active = self._active()
        if active is not None:
            memo = next((c.memo for c in self.codes if c.id == active.code_id), None)

            def save(text: str | None) -> None:
                if text is not None:
                    self.perform(lambda s: s.set_code_memo(active.code_id, text), "code memo saved")
            self.app.push_screen(TextPrompt(f"Memo on the code {active.code}", memo or ""), save)

    # -- search ------------------------------------------------------------------------------------
    def action_search(self) -> None:
        search = self.query_one("#search", Input)
        search.display = True
        search.value = self.search_text
        search.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.input.display = False
        self.search_text = event.value.strip()
        text = self.view.text
        spans = [(m.start(), m.end()) for m in re.finditer(re.escape(self.search_text), text, re.IGNORECASE)] \
            if self.search_text else []
        self.view.set_matches(spans)
        self.view.focus()
        if self.search_text and not spans:
            self.notify(f"“{self.search_text}” is not in this transcript", severity="warning")
        self.action_next_match(1, from_cursor=True)

    def action_next_match(self, step: int, from_cursor: bool = False) -> None:
        matches, cursor = self.view.matches, self.view.cursor
        if not matches:
            return
        if step > 0:
            after = [m for m in matches if (m[0] >= cursor if from_cursor else m[0] > cursor)]
            target = after[0] if after else matches[0]
        else:
            before = [m for m in matches if m[0] < cursor]
            target = before[-1] if before else matches[-1]
        self.view.goto(target[0])

    # -- transcript status, navigation --------------------------------------------------------------
    def action_toggle_done(self) -> None:
        name, done = self.transcript.name, self.my_status != "done"
        self.perform(lambda s: s.set_done(name, done), lambda status: f"marked {status}")

    def action_toggle_panel(self) -> None:
        panel = self.panel
        panel.display = not panel.display

    def action_codebook(self) -> None:
        self.app.push_screen(CodebookScreen(), lambda _: self.reload())

    def action_escape(self) -> None:
        search = self.query_one("#search", Input)
        if search.display:
            search.display = False
            self.view.focus()
        elif self.editing is not None:
            self.editing = None
            self.view.clear_selection()
        elif self.view.clear_selection():
            pass
        elif self.search_text:
            self.search_text = ""
            self.view.set_matches([])
            self._status_line()
        else:
            self.action_back()

    def action_back(self) -> None:
        self.dismiss()
