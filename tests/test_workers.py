"""ordered_map and forked_stream: the results of a plain map or generator, in order, whether the
work runs here or in forked processes."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator

import pytest

from codebench.domain.errors import RowError
from codebench.services.workers import MAP_CHUNK, forked_stream, ordered_map

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="worker processes are forked on Linux only")


def scaled(item: int) -> tuple[int, int, int]:
    """The item, seven times it and the process that computed it; slower for early items."""
    if item < 20:
        time.sleep(0.002)
    return item, 7 * item, os.getpid()


def fails_at_13(item: int) -> int:
    if item == 13:
        raise ValueError(f"bad item {item}")
    return item


@pytest.mark.parametrize(("workers", "count"), [(0, 300), (1, 300), (2, 300), (3, 5), (2, 0)])
def test_results_come_in_order(workers: int, count: int) -> None:
    items = list(range(count))
    got = list(ordered_map(scaled, items, workers))
    assert [(i, seven) for i, seven, _ in got] == [(i, 7 * i) for i in items]
    processes = {pid for *_, pid in got}
    if workers == 0:
        assert processes == {os.getpid()}
    else:  # each chunk of MAP_CHUNK items in turn to one of the workers, none here
        assert os.getpid() not in processes
        assert len(processes) == min(workers, len(range(0, count, MAP_CHUNK)))


@pytest.mark.parametrize("workers", [0, 1])
def test_the_first_error_is_raised_and_nothing_after_it_comes(workers: int) -> None:
    got = []
    with pytest.raises(ValueError, match="bad item 13"):
        for value in ordered_map(fails_at_13, list(range(200)), workers):
            got.append(value)
    assert got == list(range(len(got))) and len(got) <= 13  # items come in chunks: a chunk fails as a whole


def numbered(plan: tuple[int, int | None]) -> Iterator[tuple[int, int, list[int]]]:
    """Items numbered 0..n-1 with the producing process's id and a large payload (to fill the pipe)."""
    count, fail_at = plan
    for i in range(count):
        if i == fail_at:
            raise RowError("f.csv", [(i + 2, "a bad row")])
        yield i, os.getpid(), list(range(5_000))


@pytest.mark.parametrize("fork", [False, True])
def test_a_stream_gives_every_item_in_order(fork: bool) -> None:
    with forked_stream(numbered, (120, None), fork=fork) as items:
        got = list(items)
    assert [i for i, _, _ in got] == list(range(120))
    assert all(payload == list(range(5_000)) for _, _, payload in got)
    assert {pid != os.getpid() for _, pid, _ in got} == {fork}


@pytest.mark.parametrize("fork", [False, True])
def test_a_stream_raises_the_error_of_its_producer_whole(fork: bool) -> None:
    got = []
    with pytest.raises(RowError) as error, forked_stream(numbered, (50, 30), fork=fork) as items:
        got.extend(i for i, _, _ in items)
    assert got == list(range(30))
    assert error.value.rows == [(32, "a bad row")] and error.value.where == "f.csv"


def test_a_stream_left_early_stops_its_process() -> None:
    with forked_stream(numbered, (10_000, None), fork=True) as items:
        _, child, _ = next(items)
    with pytest.raises(ChildProcessError):
        os.waitpid(child, os.WNOHANG)  # already reaped: the child is gone
