"""Codings of two fictional coders on the TUI test project, made for the lead's screens."""

from __future__ import annotations

from codebench.services.coding_session import CodingSession
from codebench.store.store import Store

from conftest import MIRA, TOMAS

# (coder, transcript, quote, label): ana and ben name the same ideas differently
CODINGS = [
    ("ana", "mira", "I start with a coarse grid.", "grid search"),
    ("ben", "mira", "I start with a coarse grid.", "Grid search"),
    ("ana", "mira", "Then I switch to random search when the grid gets too big.", "random search"),
    ("ben", "mira", "Then I switch to random search when the grid gets too big.", "random sampling"),
    ("ana", "mira", "The budget decides everything.", "budget"),
    ("ben", "mira", "The budget decides everything.", "money limits"),
    ("ana", "tomas", "Learning rate, always.", "learning rate first"),
    ("ben", "tomas", "Bayesian optimisation comes later, if ever.", "Bayesian optimisation"),
]
TEXTS = {"mira": MIRA, "tomas": TOMAS}


def code_study(store: Store) -> None:
    """Store the codings above through each coder's own session."""
    sessions = {coder: CodingSession(store, coder) for coder in ("ana", "ben")}
    for coder, transcript, quote, label in CODINGS:
        start = TEXTS[transcript].index(quote)
        sessions[coder].add_coding(transcript, start, start + len(quote), label=label)
