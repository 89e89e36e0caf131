"""A small fictional project in tmp_path for the TUI tests, and helpers to drive the app."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from codebench.services.coders import add_coders
from codebench.services.project import init_project
from codebench.services.transcripts import import_attributes, import_transcripts
from codebench.store.store import Store

MIRA = """Interviewer: How do you pick a tuning method?

Mira Koss: I start with a coarse grid. Then I switch to random search when the grid gets too big.

Interviewer: And the budget?

Mira Koss: The budget decides everything. We rent machines by the hour.
"""

TOMAS = """Interviewer: What do you tune first?

Tomas Ilves: Learning rate, always. Bayesian optimisation comes later, if ever.
"""

SIZE = (100, 30)


@pytest.fixture
def project(tmp_path: Path, sqlite_url: str) -> Iterator[Store]:
    store, _ = init_project(sqlite_url)
    folder = tmp_path / "interviews"
    folder.mkdir()
    (folder / "mira.txt").write_text(MIRA, encoding="utf-8")
    (folder / "tomas.txt").write_text(TOMAS, encoding="utf-8")
    import_transcripts(store, [folder])
    (tmp_path / "people.csv").write_text("transcript,field\nmira,astronomy\ntomas,retail\n", encoding="utf-8")
    import_attributes(store, tmp_path / "people.csv")
    add_coders(store, ["ana", "ben"])
    yield store
    store.close()


async def settle(pilot: Pilot) -> None:
    """Wait until the app's workers are done and their messages handled."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def screen_text(pilot: Pilot) -> str:
    """Everything the terminal shows, as plain text (one line per row)."""
    return "\n".join(strip.text for strip in pilot.app.screen._compositor.render_strips())
