"""Coders of a project."""

from __future__ import annotations

from codebench.domain.errors import InputError
from codebench.domain.model import Coder
from codebench.store.store import Store


def add_coders(store: Store, names: list[str]) -> list[tuple[str, bool]]:
    """Add coders in one transaction; returns (name, added) where False means it already existed."""
    cleaned = [n.strip() for n in names]
    if any(not n for n in cleaned):
        raise InputError("a coder name cannot be empty")
    return store.write(lambda tx: [(n, tx.add_coder(n)) for n in cleaned])


def list_coders(store: Store) -> list[Coder]:
    return store.read(lambda tx: tx.coders())
