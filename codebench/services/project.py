"""Open and create projects."""

from __future__ import annotations

import os

from codebench.store.engine import DEFAULT_URL
from codebench.store.store import Store

DEFAULT_CATEGORIES = ["methods", "goals", "contextual factors"]


def resolve_url(url: str | None) -> str:
    """The project URL: the one given, else $CODEBENCH_DB, else codebench.db in the current folder."""
    return url or os.environ.get("CODEBENCH_DB") or DEFAULT_URL


def init_project(url: str | None = None) -> tuple[Store, bool]:
    """Create the project (with the default categories) or bring an existing one to the head schema."""
    store, created = Store.create(resolve_url(url))
    if created:
        store.write(lambda tx: tx.ensure_categories(DEFAULT_CATEGORIES))
    return store, created


def open_project(url: str | None = None) -> Store:
    return Store.open(resolve_url(url))
