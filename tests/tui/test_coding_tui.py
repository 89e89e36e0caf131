"""The coding TUI driven by real key presses and clicks, checked on screen and in the database."""

from __future__ import annotations

from contextlib import asynccontextmanager

from textual.widgets import DataTable, OptionList

from codebench.services import codings as codings_service
from codebench.services.coding_session import CodingSession
from codebench.services.project import open_project
from codebench.store.store import Store
from codebench.tui.app import make_app
from codebench.tui.screens.codebook import CodebookScreen
from codebench.tui.screens.coding import CodingScreen
from codebench.tui.screens.help import HelpScreen
from codebench.tui.screens.transcripts import TranscriptsScreen
from codebench.tui.widgets.codings_panel import CodingsPanel
from codebench.tui.widgets.transcript_view import GUTTER, TranscriptView

from conftest import MIRA, SIZE, screen_text, settle


@asynccontextmanager
async def coding(store: Store, coder: str = "ana", transcript: str = "mira", size: tuple[int, int] = SIZE):
    """The app signed in as ``coder`` with ``transcript`` open."""
    app = make_app(store, coder)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press(*transcript, "enter")
        await settle(pilot)
        assert isinstance(app.screen, CodingScreen)
        yield pilot


def mine(store: Store, coder: str = "ana") -> list[tuple[str, str]]:
    return [(c.code, c.quote) for c in codings_service.codings(store, coder=coder)]


async def find(pilot, text: str) -> None:
    await pilot.press("slash", *text, "enter")
    await settle(pilot)


async def tag(pilot, query: str) -> None:
    await pilot.press("t", *query, "enter")
    await settle(pilot)


def panel_text(pilot) -> str:
    return "\n".join(str(o.prompt) for o in pilot.app.screen.query_one(CodingsPanel).options)


async def test_sign_in_creates_a_coder_and_shows_the_name(project: Store) -> None:
    app = make_app(project)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "ana" in screen_text(pilot) and "ben" in screen_text(pilot)
        await pilot.press("tab", *"cleo", "enter")
        await settle(pilot)
        assert isinstance(app.screen, TranscriptsScreen)
        assert "coder: cleo" in screen_text(pilot)
    assert "cleo" in [c.name for c in open_project(project.url).read(lambda tx: tx.coders())]


async def test_sign_in_picks_an_existing_coder(project: Store) -> None:
    app = make_app(project)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("down", "enter")  # second coder in the list: ben
        await settle(pilot)
        assert app.session.coder == "ben" and "coder: ben" in screen_text(pilot)


async def test_list_shows_my_status_filters_and_opens(project: Store) -> None:
    CodingSession(project, "ben").add_coding("tomas", 0, 11, label="opening")
    app = make_app(project, "ana")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = screen_text(pilot)
        assert "astronomy" in text and "retail" in text
        assert "in progress" not in text  # ben's progress is not mine
        await pilot.press(*"retail")
        assert app.screen.query_one(DataTable).row_count == 1
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CodingScreen) and "Tomas Ilves:" in screen_text(pilot)


async def test_keyboard_selection_new_code_then_fuzzy_pick(project: Store) -> None:
    async with coding(project) as pilot:
        await find(pilot, "coarse")
        await pilot.press("v", "right", "right")
        assert "selected 2 words" in screen_text(pilot)
        await tag(pilot, "grid search")
        assert mine(project) == [("grid search", "coarse grid.")]
        assert "grid search" in panel_text(pilot) and "in progress" in screen_text(pilot)
        await pilot.press("escape")
        await find(pilot, "random")
        await pilot.press("s")  # the sentence under the cursor
        await tag(pilot, "grd srch")  # fuzzy: picks the existing code
        assert mine(project)[1] == ("grid search", "Then I switch to random search when the grid gets too big.")
        assert [c.label for c in CodingSession(project, "ana").codes()] == ["grid search"]


async def test_several_codes_on_one_quote_and_recent_number_keys(project: Store) -> None:
    ana = CodingSession(project, "ana")
    ana.add_coding("tomas", *span_of("tomas", "Learning rate"), label="budget")
    ana.add_coding("tomas", *span_of("tomas", "Bayesian optimisation"), label="tools")
    async with coding(project) as pilot:
        await find(pilot, "budget decides")
        await pilot.press("s", "1")  # recent code 1: the last one I used
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        quote = "The budget decides everything."
        assert sorted(mine(project))[:2] == [("budget", "Learning rate"), ("budget", quote)]
        assert ("tools", quote) in mine(project)
        view = pilot.app.screen.query_one(TranscriptView)
        assert len(view.marks_at(view.cursor - 1)) == 2
        assert "budget" in panel_text(pilot) and "tools" in panel_text(pilot)
        assert "▌▌ The budget decides" in screen_text(pilot)  # two coding marks in the gutter


def span_of(transcript: str, words: str) -> tuple[int, int]:
    from conftest import TOMAS

    text = {"mira": MIRA, "tomas": TOMAS}[transcript]
    start = text.index(words)
    return start, start + len(words)


async def test_mouse_drag_selects_a_quote(project: Store) -> None:
    async with coding(project) as pilot:
        view = pilot.app.screen.query_one(TranscriptView)
        start, end = span_of("mira", "rent machines")
        (row, col), (_, col_end) = view._layout.point_of(start), view._layout.point_of(end)
        y = row - int(view.scroll_y)
        await pilot.mouse_down(view, offset=(GUTTER + col, y))
        await pilot.hover(view, offset=(GUTTER + col_end, y))
        await pilot.mouse_up(view, offset=(GUTTER + col_end, y))
        assert view.selection == (start, end)
        await tag(pilot, "renting")
        assert mine(project) == [("renting", "rent machines")]


async def test_change_span_code_memo_and_delete(project: Store) -> None:
    CodingSession(project, "ana").add_coding("mira", *span_of("mira", "coarse grid"), label="grid")
    async with coding(project) as pilot:
        await pilot.press("e", "shift+right", "enter")  # edit the active coding's span: one more word
        await settle(pilot)
        assert mine(project) == [("grid", "coarse grid.")]
        await pilot.press("c", *"starting coarse", "enter")
        await settle(pilot)
        assert mine(project) == [("starting coarse", "coarse grid.")]
        await pilot.press("m", *"first pass only", "enter")
        await settle(pilot)
        assert codings_service.codings(project, coder="ana")[0].memo == "first pass only"
        assert "✎" in panel_text(pilot)
        await pilot.press("x")
        await settle(pilot)
        assert mine(project) == [] and "starting coarse" not in panel_text(pilot)


async def test_undo_redo_and_persistence_across_restart(project: Store) -> None:
    async with coding(project) as pilot:
        await find(pilot, "budget decides")
        await pilot.press("s")
        await tag(pilot, "budget")
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert mine(project) == [] and "budget" not in panel_text(pilot)
        await pilot.press("ctrl+y")
        await settle(pilot)
        assert mine(project) == [("budget", "The budget decides everything.")]
        assert "budget" in panel_text(pilot)
    restarted = open_project(project.url)
    try:
        async with coding(restarted) as pilot:
            assert "budget" in panel_text(pilot)
            view = pilot.app.screen.query_one(TranscriptView)
            assert len(view.marks) == 1
            await pilot.press("ctrl+z")
            await settle(pilot)
            assert mine(restarted) == [] and view.marks == []
    finally:
        restarted.close()


async def test_search_next_and_previous(project: Store) -> None:
    async with coding(project) as pilot:
        view = pilot.app.screen.query_one(TranscriptView)
        await find(pilot, "grid")
        first, second = (MIRA.index("grid"), MIRA.index("grid", MIRA.index("grid") + 1))
        assert view.cursor == first and "2 matches" in screen_text(pilot)
        await pilot.press("n")
        assert view.cursor == second
        await pilot.press("N")
        assert view.cursor == first


async def test_mark_done_and_reopen(project: Store) -> None:
    async with coding(project) as pilot:
        await pilot.press("d")
        await settle(pilot)
        assert "done" in screen_text(pilot).splitlines()[-2]
        assert codings_service.status(project, coder="ana")[0].status == "done"
        await pilot.press("d")
        await settle(pilot)
        assert codings_service.status(project, coder="ana")[0].status == "in progress"


async def test_codebook_rename_and_merge_own_codes(project: Store) -> None:
    ana = CodingSession(project, "ana")
    ana.add_coding("mira", *span_of("mira", "coarse grid"), label="grid")
    ana.add_coding("mira", *span_of("mira", "random search"), label="random")
    CodingSession(project, "ben").add_coding("mira", *span_of("mira", "coarse grid"), label="ben only")
    app = make_app(project, "ana")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+b")
        await settle(pilot)
        assert isinstance(app.screen, CodebookScreen)
        assert "ben only" not in screen_text(pilot)
        await pilot.press("r", *(["backspace"] * 4), *"grid search", "enter")  # rename "grid"
        await settle(pilot)
        assert "grid search" in screen_text(pilot)
        await pilot.press("down", "g", *"grid", "enter")  # merge "random" into "grid search"
        await settle(pilot)
        assert app.screen.query_one(DataTable).row_count == 1
    assert sorted(mine(project)) == [("grid search", "coarse grid"), ("grid search", "random search")]
    assert mine(project, "ben") == [("ben only", "coarse grid")]


async def test_blind_view_never_shows_another_coders_work(project: Store) -> None:
    ben = CodingSession(project, "ben")
    ben.add_coding("mira", *span_of("mira", "rent machines"), label="hourly renting", memo="a private thought")
    CodingSession(project, "ana").add_coding("mira", *span_of("mira", "coarse grid"), label="grid")
    async with coding(project) as pilot:
        view = pilot.app.screen.query_one(TranscriptView)
        assert [m.coding_id for m in view.marks] == [c.id for c in CodingSession(project, "ana").codings("mira")]
        assert "hourly renting" not in screen_text(pilot) + panel_text(pilot)
        await pilot.press("s", "t", *"hourly")
        picker_options = pilot.app.screen.query_one("#picker-list", OptionList)
        assert "hourly renting" not in screen_text(pilot)
        assert str(picker_options.get_option_at_index(0).prompt).startswith("+ new code")


async def test_help_palette_and_small_terminal(project: Store) -> None:
    async with coding(project, size=(80, 24)) as pilot:
        text = screen_text(pilot)
        assert "Mira Koss:" in text and "Tag" in text
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(pilot.app.screen, HelpScreen)
        assert "Extend by word" in screen_text(pilot)
        await pilot.press("escape", "ctrl+p", *"select mode")
        await pilot.pause(0.3)
        assert "Select mode (v)" in screen_text(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert pilot.app.screen.query_one(TranscriptView).extending
        await pilot.resize_terminal(120, 30)
        await pilot.pause()
        view = pilot.app.screen.query_one(TranscriptView)
        assert view._layout.width > 60
