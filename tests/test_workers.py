"""ordered_map: the results of a plain map, in order, however the work is shared out."""

from __future__ import annotations

import sys
import time

import pytest

from codebench.services.workers import ordered_map, shared

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="worker processes are forked on Linux only")


def scaled(item: int) -> tuple[int, int]:
    """The item times the shared factor, slower for early items so that this process has to help."""
    if item < 20:
        time.sleep(0.002)
    return item, item * shared()


def fails_at_13(item: int) -> int:
    if item == 13:
        raise ValueError(f"bad item {item}")
    return item


@pytest.mark.parametrize(("workers", "share_work"), [(0, False), (1, False), (2, False), (1, True), (3, True)])
def test_results_come_in_order(workers: int, share_work: bool) -> None:
    items = list(range(300))
    got = list(ordered_map(scaled, items, workers, shared=7, share_work=share_work))
    assert got == [(i, 7 * i) for i in items]
    assert shared() is None  # cleared once the map is done


@pytest.mark.parametrize(("workers", "share_work"), [(0, False), (1, False), (1, True)])
def test_the_first_error_is_raised_and_nothing_after_it_comes(workers: int, share_work: bool) -> None:
    got = []
    with pytest.raises(ValueError, match="bad item 13"):
        for value in ordered_map(fails_at_13, list(range(200)), workers, share_work=share_work):
            got.append(value)
    assert got == list(range(len(got))) and len(got) <= 13  # items come in chunks: a chunk fails as a whole
