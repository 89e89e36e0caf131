"""Sign in: pick a coder, or type a new name to create one."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Label, OptionList
from textual.widgets.option_list import Option

from codebench.domain.errors import CodebenchError
from codebench.services.coders import add_coders, list_coders


class SignInScreen(Screen[str]):
    """Dismisses with the chosen coder's name."""

    BINDINGS = [Binding("tab", "app.focus_next", "Next field", show=False, id="signin.next")]

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="sign-in"):
            yield Label("Who is coding? Pick your name, or type a new one and press Enter.")
            yield OptionList(id="coders")
            yield Input(placeholder="new coder name", id="new-coder")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "sign in"
        self._load()

    @work(thread=True, exclusive=True)
    def _load(self) -> None:
        names = [c.name for c in list_coders(self.app.store)]  # type: ignore[attr-defined]
        self.app.call_from_thread(self._show, names)

    def _show(self, names: list[str]) -> None:
        coders = self.query_one(OptionList)
        coders.add_options([Option(n, id=n) for n in names])
        coders.highlighted = 0 if names else None
        (coders if names else self.query_one(Input)).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        name = event.value.strip()
        if name:
            self._create(name)

    @work(thread=True, exclusive=True)
    def _create(self, name: str) -> None:
        try:
            add_coders(self.app.store, [name])  # type: ignore[attr-defined]
        except CodebenchError as exc:
            self.app.call_from_thread(self.notify, exc.line(), severity="error")
            return
        self.app.call_from_thread(self.dismiss, name)
