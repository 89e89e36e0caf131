"""The coding app and its factory (shared by `codebench tui` and the tests)."""

from __future__ import annotations

from textual.app import App
from textual.binding import Binding

from codebench.services.coding_session import CodingSession
from codebench.store.store import Store
from codebench.tui.commands import ActionsProvider
from codebench.tui.screens.help import HelpScreen
from codebench.tui.screens.sign_in import SignInScreen
from codebench.tui.screens.transcripts import TranscriptsScreen
from codebench.tui.writes import WriteOrder


class ProjectApp(App[None]):
    """What the coder's app and the lead view share: the project, ordered writes, help, the palette."""

    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {ActionsProvider}
    BINDINGS = [
        Binding("f1,question_mark", "help", "Help", id="app.help", tooltip="Every key of this screen"),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", tooltip="Quit (everything is already saved)"),
    ]

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.writes = WriteOrder()

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))


class CodebenchApp(ProjectApp):
    """Blind coding for one coder at a time; the coder's name stays in the header."""

    TITLE = "codebench"

    def __init__(self, store: Store, coder: str | None = None) -> None:
        super().__init__(store)
        self.coder = coder
        self._session: CodingSession | None = None

    @property
    def session(self) -> CodingSession:
        if self._session is None:
            raise RuntimeError("no coder signed in")
        return self._session

    def on_mount(self) -> None:
        if self.coder:
            self.sign_in(self.coder)
        else:
            self.push_screen(SignInScreen(), self.sign_in)

    def sign_in(self, coder: str | None) -> None:
        if coder:
            self._session = CodingSession(self.store, coder)
            self.sub_title = f"coder: {coder}"
            self.push_screen(TranscriptsScreen())


def make_app(store: Store, coder: str | None = None, *, lead: bool = False, by: str | None = None) -> App[None]:
    """The app over an open project; without ``coder`` it starts at the sign-in screen.

    ``lead=True`` opens the lead view instead (harmonisation, themes, funnel, agreement, saturation);
    ``by`` is the lead's name for the merge log.
    """
    if lead:
        from codebench.tui.lead_app import LeadApp  # the lead's screens load only for the lead view

        return LeadApp(store, by)
    return CodebenchApp(store, coder)
