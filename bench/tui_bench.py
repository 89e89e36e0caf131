"""Coding TUI speed on a long transcript (25,000 words, 600 turns), driven headless with Pilot.

Measures, as the median of several runs:
- first paint: Enter on the transcript list until the transcript view has painted its text;
- keypress to highlight: pressing a recent-code number key on a selected sentence until the new
  coding is painted (the write, the reload and the repaint included).
Targets: first paint <= 300 ms, keypress to highlight <= 50 ms.

Run: .venv/bin/python bench/tui_bench.py
"""

from __future__ import annotations

import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from textual.widgets._header import HeaderTitle

from codebench.services.coders import add_coders
from codebench.services.coding_session import CodingSession
from codebench.services.project import init_project
from codebench.services.transcripts import import_transcripts
from codebench.tui.app import make_app
from codebench.tui.screens.coding import CodingScreen
from codebench.tui.widgets.transcript_view import TranscriptView

WORDS = ("budget grid random search learning rate model tuning trial epoch we I the a it was "
         "because then so really quite often never always cluster night results baseline paper "
         "deadline colleague intuition default sweep early stopping validation loss").split()
TURNS, TOTAL_WORDS, RUNS = 600, 25_000, 7


def long_transcript(seed: int = 7) -> str:
    """A fictional interview: alternating turns, sentences of 6-18 words."""
    rng = random.Random(seed)
    per_turn = TOTAL_WORDS // TURNS
    turns = []
    for i in range(TURNS):
        words, sentences = 0, []
        while words < per_turn:
            n = rng.randint(6, 18)
            sentences.append(" ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + ".")
            words += n
        turns.append(f"{'Interviewer' if i % 2 == 0 else 'Noor Vale'}: {' '.join(sentences)}")
    return "\n\n".join(turns) + "\n"


class Painted:
    """Records when the transcript view last painted a line (instrumentation for the bench)."""

    def __init__(self) -> None:
        self.at = 0.0
        original = TranscriptView.render_line

        def render_line(view: TranscriptView, y: int):  # noqa: ANN202
            strip = original(view, y)
            if view.text:
                self.at = time.perf_counter()
            return strip

        TranscriptView.render_line = render_line  # type: ignore[method-assign]

    async def after(self, since: float, ready=lambda: True, timeout: float = 5.0) -> float:  # noqa: ANN001
        """Seconds from ``since`` to the first paint after ``ready()`` holds."""
        deadline = since + timeout
        while time.perf_counter() < deadline:
            if ready() and self.at > since:
                return self.at - since
            await asyncio.sleep(0.0005)
        raise TimeoutError("no paint")


async def mounted(pilot, timeout: float = 5.0) -> None:  # noqa: ANN001 - Pilot
    """Wait until the current screen's header shows its title (the screen is fully mounted)."""
    deadline = time.perf_counter() + timeout
    while not pilot.app.screen.query(HeaderTitle) and time.perf_counter() < deadline:
        await pilot.pause(0.01)
    await pilot.pause(0.05)


async def run(folder: Path) -> tuple[list[float], list[float], int]:
    store, _ = init_project(f"sqlite:///{folder / 'bench.db'}")
    source = folder / "long.txt"
    source.write_text(long_transcript(), encoding="utf-8")
    import_transcripts(store, [source])
    add_coders(store, ["ana"])
    CodingSession(store, "ana").add_coding("long", 0, 11, label="opening")
    painted = Painted()
    first, keys = [], []
    app = make_app(store, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        for _ in range(RUNS):
            start = time.perf_counter()
            app.simulate_key("enter")
            first.append(await painted.after(start, lambda: isinstance(app.screen, CodingScreen)
                                             and any(v.text for v in app.screen.query(TranscriptView))))
            await app.workers.wait_for_complete()
            await mounted(pilot)  # leaving a half-mounted screen trips Textual's Header
            await pilot.press("q")
            await pilot.pause()
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        view = app.screen.query_one(TranscriptView)
        for _ in range(RUNS):
            await pilot.press("right_parenthesis", "s")
            await pilot.pause()
            before = len(view.marks)
            start = time.perf_counter()
            app.simulate_key("1")
            keys.append(await painted.after(start, lambda before=before: len(view.marks) > before))
            await app.workers.wait_for_complete()
            await pilot.pause()
        words = len(view.text.split())
    store.close()
    return first, keys, words


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        first, keys, words = asyncio.run(run(Path(tmp)))
    ms = lambda xs: statistics.median(xs) * 1000  # noqa: E731
    print(f"transcript: {words} words, {TURNS} turns; {RUNS} runs each (Python {sys.version.split()[0]})")
    print(f"first paint of the transcript view: median {ms(first):.1f} ms (target <= 300 ms)")
    print(f"keypress to highlighted new coding: median {ms(keys):.1f} ms (target <= 50 ms)")


if __name__ == "__main__":
    main()
