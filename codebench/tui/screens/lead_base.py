"""What every lead screen shares: reads and decisions in workers, the lead's name asked once, refresh."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual import work
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen

from codebench.domain.errors import CodebenchError
from codebench.store.store import Store
from codebench.tui.screens.base import ActionFailed
from codebench.tui.screens.text_prompt import TextPrompt

if TYPE_CHECKING:
    from codebench.tui.lead_app import LeadApp

Decision = Callable[[Store, str], Any]  # (store, by) -> result
Note = Callable[[Any], str | None] | str | None


class LeadLoaded(Message):
    """Data for a lead screen, read after ``finished`` decisions were done (after one: its result, a note)."""

    def __init__(self, finished: int, data: Any, result: Any = None, note: str | None = None) -> None:
        super().__init__()
        self.finished, self.data, self.result, self.note = finished, data, result, note


class LeadScreen(Screen):
    """A lead screen: ``fetch`` (worker thread) reads what ``show_data`` (UI thread) puts on screen."""

    BINDINGS = [
        Binding("f5,ctrl+r", "refresh", "Refresh", id="lead.refresh", tooltip="Read the project again"),
    ]

    HELP_INTRO = ("Lead view: 1 harmonise, 2 themes, 3 funnel, 4 agreement, 5 saturation. Decisions go to the "
                  "merge log under your name; u undoes the last one. ctrl+p lists every action.")
    epoch = 0  # decisions asked for (UI thread)
    finished = 0  # decisions done (written by the decision worker)

    @property
    def lead_app(self) -> LeadApp:
        return self.app  # type: ignore[return-value]

    @property
    def store(self) -> Store:
        return self.lead_app.store

    # -- subclasses ---------------------------------------------------------------------------
    def fetch(self) -> Any:
        """Read what the screen shows (runs in a worker thread: no widgets here)."""
        raise NotImplementedError

    def show_data(self, data: Any, result: Any) -> None:
        """Put fetched data on screen (UI thread)."""
        raise NotImplementedError

    # -- reading --------------------------------------------------------------------------------
    # ``epoch`` counts the decisions asked for, ``finished`` those done (committed or refused). Each
    # read notes how many were finished when it began; it is shown only if that covers every decision
    # asked for by the time it arrives, so a decision is never hidden by older data.
    def action_refresh(self) -> None:
        self.reload()

    def reload(self) -> None:
        self.loading_note(True)
        self._load()

    def loading_note(self, busy: bool) -> None:
        """Tell the lead that a (possibly slow) read is running."""
        self.sub_title = f"{self.app.sub_title} · computing…" if busy else self.app.sub_title

    @work(thread=True, exclusive=True, group="lead-load")
    def _load(self) -> None:
        self.read_and_post()

    def read_and_post(self, result: Any = None, note: Note = None) -> None:
        """Fetch and post the data (worker thread); a failure becomes one error line."""
        finished = self.finished
        try:
            data = self.fetch()
        except CodebenchError as exc:
            self.post_message(ActionFailed(exc.line()))
            return
        self.post_message(LeadLoaded(finished, data, result, note(result) if callable(note) else note))

    # -- decisions ------------------------------------------------------------------------------
    def decide(self, decision: Decision, note: Note = None) -> None:
        """Run a decision as the lead (their name is asked once), in a worker; then refetch."""
        if self.lead_app.by:
            self._start(decision, note)
            return

        def named(name: str | None) -> None:
            if name and name.strip():
                self.lead_app.name_lead(name.strip())
                self._start(decision, note)
        self.app.push_screen(TextPrompt("Your name, for the merge log (asked once)", placeholder="e.g. lena"), named)

    def _start(self, decision: Decision, note: Note) -> None:
        self.epoch += 1
        self._decide(self.lead_app.writes.take(), decision, self.lead_app.by, note)

    @work(thread=True, group="lead-write")
    def _decide(self, ticket: int, decision: Decision, by: str, note: Note) -> None:
        failure = result = None
        with self.lead_app.writes.turn(ticket):  # decisions run in the order the lead made them
            try:
                result = decision(self.store, by)
            except CodebenchError as exc:
                failure = exc.line()
            self.finished += 1
        if failure is not None:
            self.post_message(ActionFailed(failure))
        else:
            self.read_and_post(result, note)

    def on_screen_resume(self) -> None:
        """Read afresh each time the screen is shown: another screen (or coder) may have changed the data."""
        self.reload()

    def on_lead_loaded(self, message: LeadLoaded) -> None:
        if message.finished < self.epoch:
            return  # read before a decision was done: that decision's own read follows
        self.loading_note(False)
        self.show_data(message.data, message.result)
        if message.note:
            self.notify(message.note, timeout=3)

    def on_action_failed(self, message: ActionFailed) -> None:
        self.notify(message.message, severity="error")
        if self.finished >= self.epoch:
            self.reload()  # show what the store holds now


def undo_note(decision: Any) -> str:
    return f"undid: {decision.action} (#{decision.id})" if decision is not None else "nothing to undo"
