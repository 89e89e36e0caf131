"""Small numpy helpers shared by the agreement modules: expanding ranges and groups into index pairs."""

from __future__ import annotations

import numpy as np


def expand_ranges(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For half-open index ranges ``[lo[r], hi[r])`` return (owner r, index) for every index in every range."""
    lo = np.asarray(lo, dtype=np.int64)
    counts = np.maximum(np.asarray(hi, dtype=np.int64) - lo, 0)
    owner = np.repeat(np.arange(lo.size), counts)
    first = np.cumsum(counts) - counts
    index = np.arange(counts.sum()) - np.repeat(first, counts) + lo[owner]
    return owner, index


def pairs_within_groups(sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All ordered pairs (a, b), ``a == b`` included, of positions inside each run of consecutive elements.

    ``sizes`` are the lengths of consecutive groups of a sorted array; positions index that array.
    """
    sizes = np.asarray(sizes, dtype=np.int64)
    group_start = np.cumsum(sizes) - sizes
    per_element = np.repeat(sizes, sizes)
    left = np.repeat(np.arange(per_element.size), per_element)
    first_pair = np.cumsum(per_element) - per_element
    offset = np.arange(per_element.sum()) - np.repeat(first_pair, per_element)
    right = np.repeat(np.repeat(group_start, sizes), per_element) + offset
    return left, right


def nonzero_2d(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.nonzero`` of a 2-d array (row-major order), through the flat indices, which is faster."""
    return np.divmod(np.flatnonzero(matrix), matrix.shape[1])


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """The distinct values of a 1-d integer array, sorted (sort-based: faster than ``np.unique`` here)."""
    ordered = np.sort(values)
    return ordered[np.r_[True, ordered[1:] != ordered[:-1]]] if ordered.size else ordered


def run_lengths(sorted_keys: np.ndarray) -> np.ndarray:
    """Lengths of the runs of equal values in a sorted 1-d array."""
    if sorted_keys.size == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
    return np.diff(np.r_[starts, sorted_keys.size])
