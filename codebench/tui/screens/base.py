"""What every screen of a signed-in coder shares: writes in ordered workers, reloads, undo/redo."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual import work
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen

from codebench.domain.errors import CodebenchError
from codebench.services.coding_session import CodingSession

if TYPE_CHECKING:
    from codebench.tui.app import CodebenchApp

Action = Callable[[CodingSession], Any]
Note = Callable[[Any], str | None]


class DataLoaded(Message):
    """Fresh data for a screen, read by a worker (after a write, the write's result and a note)."""

    def __init__(self, data: Any, result: Any = None, note: str | None = None) -> None:
        super().__init__()
        self.data, self.result, self.note = data, result, note


class ActionFailed(Message):
    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message


def undo_note(kind: str | None) -> str:
    return f"undid: {kind}" if kind else "nothing to undo"


def redo_note(kind: str | None) -> str:
    return f"redid: {kind}" if kind else "nothing to redo"


class SessionScreen(Screen):
    """A screen over the signed-in coder's ``CodingSession``; subclasses say what to fetch and show."""

    BINDINGS = [
        Binding("ctrl+z", "undo", "Undo", id="session.undo", tooltip="Undo my last coding action (also after a restart)"),
        Binding("ctrl+y", "redo", "Redo", id="session.redo", tooltip="Redo the action I undid last"),
    ]

    @property
    def cb_app(self) -> CodebenchApp:
        return self.app  # type: ignore[return-value]

    @property
    def session(self) -> CodingSession:
        return self.cb_app.session

    # -- subclasses ---------------------------------------------------------------------------
    def fetch(self) -> Any:
        """Read what the screen shows (runs in a worker thread: no widgets here)."""
        raise NotImplementedError

    def show_data(self, data: Any, result: Any) -> None:
        """Put fetched data on screen (UI thread)."""
        raise NotImplementedError

    def show_result(self, result: Any) -> None:
        """Show a committed write's result without refetching (for ``perform(..., refetch=False)``)."""
        self.reload()

    # -- workers ------------------------------------------------------------------------------
    def reload(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="load")
    def _load(self) -> None:
        self.post_message(DataLoaded(self.fetch()))

    def perform(self, action: Action, note: Note | str | None = None, *, refetch: bool = True) -> None:
        """Run a write in a worker, after the writes asked for before it; then refetch.

        With ``refetch=False`` the committed result goes to ``show_result`` instead (no read-back):
        the write has committed before anything is shown as done either way.
        """
        self._write(self.cb_app.writes.take(), action, note, refetch)

    @work(thread=True, group="write")
    def _write(self, ticket: int, action: Action, note: Note | str | None, refetch: bool) -> None:
        with self.cb_app.writes.turn(ticket):
            try:
                result = action(self.session)
            except CodebenchError as exc:
                self.post_message(ActionFailed(exc.line()))
                return
        text = note(result) if callable(note) else note
        self.post_message(DataLoaded(self.fetch() if refetch else None, result, text))

    def on_data_loaded(self, message: DataLoaded) -> None:
        if message.data is None:
            self.show_result(message.result)
        else:
            self.show_data(message.data, message.result)
        if message.note:
            self.notify(message.note, timeout=2)

    def on_action_failed(self, message: ActionFailed) -> None:
        self.notify(message.message, severity="error")

    # -- actions ------------------------------------------------------------------------------
    def action_undo(self) -> None:
        self.perform(lambda s: s.undo(), undo_note)

    def action_redo(self) -> None:
        self.perform(lambda s: s.redo(), redo_note)
