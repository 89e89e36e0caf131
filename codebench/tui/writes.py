"""Writes from the TUI run in worker threads, one at a time, in the order the coder asked for them."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class WriteOrder:
    """Tickets taken on the UI thread; a worker waits for its ticket's turn before writing."""

    def __init__(self) -> None:
        self._turn = threading.Condition()
        self._issued = 0
        self._serving = 0

    def take(self) -> int:
        ticket = self._issued
        self._issued += 1
        return ticket

    @contextmanager
    def turn(self, ticket: int) -> Iterator[None]:
        with self._turn:
            self._turn.wait_for(lambda: self._serving == ticket)
        try:
            yield
        finally:
            with self._turn:
                self._serving += 1
                self._turn.notify_all()
