"""The lead view driven by real key presses, checked on screen and in the database; and its absence
from a coder's app."""

from __future__ import annotations

import time
from contextlib import asynccontextmanager

import pytest
from textual.widgets import DataTable

from codebench.services import harmonise
from codebench.services.agreement import agreement_report
from codebench.services.coding_session import CodingSession
from codebench.services.saturation import saturation_report
from codebench.store.store import Store
from codebench.tui.app import make_app
from codebench.tui.commands import ActionsProvider
from codebench.tui.screens.agreement import AgreementScreen
from codebench.tui.screens.funnel import FunnelScreen
from codebench.tui.screens.harmonise import HarmoniseScreen
from codebench.tui.screens.saturation import SaturationScreen
from codebench.tui.screens.theme_board import ThemeBoardScreen
from codebench.tui.screens.transcripts import TranscriptsScreen

from conftest import MIRA, screen_text, settle
from lead_study import code_study

LEAD_SIZE = (140, 40)


@pytest.fixture
def study(project: Store) -> Store:
    code_study(project)
    return project


@asynccontextmanager
async def lead_view(store: Store, by: str | None = "lena"):
    app = make_app(store, lead=True, by=by)
    async with app.run_test(size=LEAD_SIZE) as pilot:
        await settle(pilot)
        yield pilot


def mapping(store: Store) -> dict[str, set[tuple[str, str]]]:
    return {h.name: set(h.raw_codes) for h in harmonise.harmonised_codes(store)}


def table_rows(pilot, selector: str) -> list[list[str]]:
    table = pilot.app.screen.query_one(selector, DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def test_accept_merges_into_the_typed_name_and_logs_it(study: Store) -> None:
    async with lead_view(study) as pilot:
        assert isinstance(pilot.app.screen, HarmoniseScreen)
        text = screen_text(pilot)
        assert "ana: budget" in text and "ben: money limits" in text  # the quotes, side by side
        assert text.count("The budget decides everything.") == 3  # the example, then each column
        assert "shared quotes" in text
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("enter")  # the default name: the most common label
        await settle(pilot)
        assert mapping(study) == {"budget": {("ana", "budget"), ("ben", "money limits")}}
        last = harmonise.decisions(study)[-1]
        assert (last.action, last.by, last.payload["into"]) == ("merge", "lena", "budget")
        assert last.score is not None
        assert ["budget", "2", ""] in table_rows(pilot, "#harmonised")
        assert all("money limits" not in row[1] for row in table_rows(pilot, "#suggestions"))


async def test_reject_is_remembered_and_the_name_is_asked_once(study: Store) -> None:
    async with lead_view(study, by=None) as pilot:
        await pilot.press("r")
        await settle(pilot)
        await pilot.press(*"lena", "enter")  # asked at the first decision
        await settle(pilot)
        assert len(study.read(lambda tx: tx.never_merge_pairs())) == 1
        rejected = harmonise.decisions(study)[-1]
        assert (rejected.action, rejected.by) == ("reject", "lena")
        assert {tuple(c) for c in rejected.payload["codes"]} == {("ana", "budget"), ("ben", "money limits")}
        assert "lead: lena" in screen_text(pilot)
        assert all("money limits" not in row[1] for row in table_rows(pilot, "#suggestions"))
        await pilot.press("a", "end", "ctrl+u", *"search", "enter")  # no second name prompt
        await settle(pilot)
        assert harmonise.decisions(study)[-1].by == "lena" and "search" in mapping(study)


async def test_rename_split_and_undo_on_harmonised_codes(study: Store) -> None:
    harmonise.merge(study, ["ana:grid search", "ben:Grid search"], "grid", by="lena")
    async with lead_view(study) as pilot:
        await pilot.press("tab")  # to the harmonised codes
        await settle(pilot)
        assert "ana: grid search" in screen_text(pilot)
        await pilot.press("n", "end", "ctrl+u", *"grid search", "enter")
        await settle(pilot)
        assert "grid search" in mapping(study)
        await pilot.press("x", *"ben", "enter")  # take ben's code out
        await settle(pilot)
        assert mapping(study) == {"grid search": {("ana", "grid search")}}
        await pilot.press("u")
        await settle(pilot)
        assert mapping(study) == {"grid search": {("ana", "grid search"), ("ben", "Grid search")}}
        assert [d.action for d in harmonise.decisions(study)][-3:] == ["rename", "split", "undo"]


async def test_theme_board_adds_assigns_and_moves(study: Store) -> None:
    harmonise.merge(study, ["ana:budget", "ben:money limits"], "budget", by="lena")
    async with lead_view(study) as pilot:
        await pilot.press("2")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ThemeBoardScreen)
        await pilot.press("t", *"Project constraints", "enter")
        await settle(pilot)
        await pilot.press(*"contextual", "enter")
        await settle(pilot)
        await pilot.press("a", "enter")
        await settle(pilot)
        info = harmonise.harmonised_codes(study)[0]
        assert (info.name, info.theme, info.category) == ("budget", "Project constraints", "contextual factors")
        assert ["contextual factors", "Project constraints", "budget", "2"] in table_rows(pilot, "#board-codes")
        await pilot.press("tab", "c", *"goals", "enter")
        await settle(pilot)
        assert harmonise.themes(study)[0][:2] == ("Project constraints", "goals")
        assert ["goals", "Project constraints", "1"] in table_rows(pilot, "#board-themes")
        assert [d.action for d in harmonise.decisions(study)][-3:] == ["theme_add", "theme_assign", "theme_move"]


async def test_funnel_shows_the_services_counts(study: Store) -> None:
    harmonise.merge(study, ["ana:budget", "ben:money limits"], "budget", by="lena")
    async with lead_view(study) as pilot:
        await pilot.press("3")
        await settle(pilot)
        assert isinstance(pilot.app.screen, FunnelScreen)
        rows = dict(map(tuple, table_rows(pilot, "#funnel")))
        funnel = harmonise.funnel(study)
        assert rows["raw codes (all coders)"] == str(funnel.raw_total) == "8"
        assert rows["harmonised codes"] == "1" and rows["raw codes not yet harmonised"] == "6"


async def test_agreement_table_shows_the_computed_alphas(study: Store) -> None:
    async with lead_view(study) as pilot:
        await pilot.press("4")
        await settle(pilot)
        assert isinstance(pilot.app.screen, AgreementScreen)
        expected = agreement_report(study)
        shown = {row[0]: row[1] for row in table_rows(pilot, "#agreement-codes")}
        assert shown == {c.code: "—" if c.alpha.value is None else f"{c.alpha.value:.3f}"
                         for c in expected.report.codes}
        assert any(value != "—" for value in shown.values())
        assert "level raw (auto) · unit turn" in screen_text(pilot)
        await pilot.press("n")  # unit: sentence
        await settle(pilot)
        by_sentence = agreement_report(study, unit="sentence")
        shown = {row[0]: row[6] for row in table_rows(pilot, "#agreement-codes")}
        assert shown == {c.code: str(c.units) for c in by_sentence.report.codes}
        assert "unit sentence" in screen_text(pilot)


async def test_saturation_dashboard_follows_new_codings(study: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(SaturationScreen, "poll_seconds", 0.1)
    async with lead_view(study) as pilot:
        await pilot.press("5")
        await settle(pilot)
        assert isinstance(pilot.app.screen, SaturationScreen)
        assert saturation_report(study).verdict() in screen_text(pilot)
        assert table_rows(pilot, "#saturation-table")[1][:5] == ["2", "tomas", "2", "2", "7"]
        start = MIRA.index("We rent machines")
        CodingSession(study, "ana").add_coding("tomas", 0, 11, label="a brand new idea")
        CodingSession(study, "ben").add_coding("mira", start, start + 16, label="renting")
        deadline = time.monotonic() + 10
        while table_rows(pilot, "#saturation-table")[1][:5] != ["2", "tomas", "3", "3", "9"]:
            assert time.monotonic() < deadline, "the dashboard did not follow the new codings"
            await pilot.pause(0.1)
            await settle(pilot)
        assert saturation_report(study).verdict() in screen_text(pilot)


async def test_the_lead_view_is_not_reachable_while_coding(study: Store) -> None:
    app = make_app(study, "ana")
    async with app.run_test(size=LEAD_SIZE) as pilot:
        await settle(pilot)
        await pilot.press("tab")  # away from the filter field, so digits reach the bindings
        await pilot.press("1", "2", "3", "4", "5")
        await settle(pilot)
        assert isinstance(app.screen, TranscriptsScreen)
        assert not app._modes or set(app._modes) == {"_default"}
        actions = [binding.action for _, binding, *_ in app.screen.active_bindings.values()]
        assert not any("switch_mode" in action for action in actions)
        provider = ActionsProvider(app.screen)
        titles = " ".join(title for title, _, _ in provider._commands())
        assert not any(word in titles for word in ("Harmonise", "Agreement", "Saturation", "Funnel", "Themes"))
        assert "money limits" not in screen_text(pilot) and "lead" not in screen_text(pilot)
