"""Forked worker processes for bulk imports: pure CPU work (parsing, locating quotes) done by
workers while the importing process stores the earlier results in its transaction."""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import TypeVar

MAX_WORKERS = 8
MAP_CHUNK = 4  # items a process of ``ordered_map`` handles at a time
PIPE_BYTES = 1 << 20

T = TypeVar("T")
R = TypeVar("R")
S = TypeVar("S")


def cpu_count() -> int:
    """CPUs this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def fork_capacity() -> int:
    """How many CPUs forked workers may use: 1 where forking is unsafe (not Linux, or this process
    runs other threads, which may hold locks a child would inherit), else the CPUs (at most MAX_WORKERS)."""
    if sys.platform != "linux" or threading.active_count() > 1:
        return 1
    return min(cpu_count(), MAX_WORKERS)


@contextmanager
def forked_stream(produce: Callable[[S], Iterable[R]], value: S, *, fork: bool) -> Iterator[Iterator[R]]:
    """The items of ``produce(value)``, in order, to iterate inside the ``with`` block.

    With ``fork`` a process forked on entry (``value`` is inherited, never pickled) runs ``produce``
    ahead of the caller and sends each item through a pipe, so the two work at once; ``produce``
    must be a module-level function and its items picklable. An error it raises is raised here,
    whole. Leaving the block stops the process. Without ``fork``, ``produce`` runs here as the
    caller consumes the items.
    """
    if not fork:
        yield iter(produce(value))
        return
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    _widen(send)
    process = context.Process(target=_send_items, args=(produce, value, send), daemon=True)
    process.start()
    send.close()
    try:
        yield _received(receive, process)
    finally:
        receive.close()
        if process.is_alive():
            process.kill()
        process.join()


def _received(receive: Connection, process: BaseProcess) -> Iterator[object]:
    while True:
        try:
            kind, item = receive.recv()
        except EOFError:
            raise RuntimeError(f"a worker process stopped (exit code {process.exitcode})") from None
        if kind == "end":
            return
        if kind == "error":
            raise item
        yield item


def _widen(pipe: Connection) -> None:
    """Let a pipe hold ``PIPE_BYTES`` (Linux; 64 KiB by default), so the sender can run a few items
    ahead of a receiver that is busy for a moment."""
    import fcntl  # noqa: PLC0415 - POSIX only, and forking is Linux only

    try:
        fcntl.fcntl(pipe.fileno(), getattr(fcntl, "F_SETPIPE_SZ", 1031), PIPE_BYTES)
    except OSError:  # above the system's limit: keep the default
        pass


def _send_items(produce: Callable[[S], Iterable[object]], value: S, send: Connection) -> None:
    try:
        for item in produce(value):
            send.send(("item", item))
        send.send(("end", None))
    except BaseException as exc:  # noqa: BLE001 - every failure goes to the caller
        try:
            send.send(("error", exc))
        except Exception:  # noqa: BLE001 - an error that does not pickle
            send.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))


def ordered_map(fn: Callable[[T], R], items: Sequence[T], workers: int) -> Iterator[R]:
    """``fn(item)`` for each item, in order. The first item (in order) whose call fails raises its
    error, and no result after it is given; results come in chunks, so some before it may not be.

    With ``workers`` > 0 the items are dealt, ``MAP_CHUNK`` at a time and in turn, to that many
    forked processes (``forked_stream``), which run ahead of the caller; ``fn`` must be a
    module-level function and its results picklable. With 0 they run here, one by one, as the
    caller consumes the results.
    """
    if workers <= 0:
        yield from map(fn, items)
        return
    chunks = len(range(0, len(items), MAP_CHUNK))
    count = min(workers, chunks)
    with ExitStack() as stack:
        streams = [stack.enter_context(forked_stream(_mapped_chunks, (fn, items, w, count), fork=True))
                   for w in range(count)]
        for k in range(chunks):
            yield from next(streams[k % count])


def _mapped_chunks(work: tuple[Callable[[T], R], Sequence[T], int, int]) -> Iterator[list[R]]:
    """The results of every ``step``-th chunk of the items, from chunk ``first`` on."""
    fn, items, first, step = work
    for start in range(first * MAP_CHUNK, len(items), step * MAP_CHUNK):
        yield [fn(item) for item in items[start : start + MAP_CHUNK]]
