"""Quote evidence: which raw codes were applied to the same passage of a transcript.

Two codings *share a quote* when their character spans overlap; how well they match is the
Jaccard index of the two spans (intersection over union), so passages marked with about the
same boundaries count fully and a sentence inside a long passage counts little. Only codings
in the same *bucket* are compared: the same ``(transcript, turn)`` when the turn is known,
otherwise the same run of overlapping turn-less codings of one transcript.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from codebench.domain.errors import InputError, NotFoundError
from codebench.domain.harmonise.values import RawCoding

#: upper bound on coding pairs enumerated at once
_PAIR_CHUNK = 4_000_000


@dataclass(frozen=True)
class QuoteIndex:
    """Codings as arrays sorted by code, then bucket, then start.

    ``code`` holds row numbers of the evidence matrices, ``transcript`` indexes
    ``transcripts``; ``first[c]:first[c + 1]`` slices the codings of code ``c``.
    """

    code: np.ndarray
    bucket: np.ndarray
    start: np.ndarray
    end: np.ndarray
    transcript: np.ndarray
    transcripts: tuple[str, ...]
    first: np.ndarray

    def codings_of(self, codes: Sequence[int]) -> np.ndarray:
        """Positions of the codings of the given code rows."""
        parts = [np.arange(self.first[c], self.first[c + 1]) for c in codes]
        return np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)

    def counts(self) -> np.ndarray:
        """Number of codings of every code row."""
        return np.diff(self.first)


@dataclass(frozen=True)
class SpanOverlap:
    """Pairwise quote evidence: ``weight`` sums span Jaccard indices, ``count`` counts pairs
    of overlapping codings (both square over code rows; the diagonal is not meaningful)."""

    weight: np.ndarray
    count: np.ndarray


def build_index(codings: Sequence[RawCoding], position: Mapping[int, int]) -> QuoteIndex:
    """Index codings; ``position`` maps a raw code id to its row in the evidence matrices."""
    if not codings:
        empty = np.empty(0, dtype=np.int64)
        return QuoteIndex(empty, empty, empty, empty, empty, (),
                          np.zeros(len(position) + 1, dtype=np.int64))
    ids, names, start, end, turns = zip(*((c.code_id, c.transcript, c.start, c.end, c.turn)
                                          for c in codings))
    start, end = np.array(start, dtype=np.int64), np.array(end, dtype=np.int64)
    given = np.fromiter((t is not None for t in turns), bool, len(turns))
    turn = np.fromiter((-1 if t is None else t for t in turns), np.int64, len(turns))
    bad = (start < 0) | (end < start) | (given & (turn < 0))
    if bad.any():
        c = codings[int(np.argmax(bad))]
        raise InputError(f"coding of code {c.code_id} has a bad span or turn: "
                         f"{c.start}:{c.end}, turn {c.turn}", where=c.transcript)
    try:
        code = np.array([position[i] for i in ids], dtype=np.int64)
    except KeyError as missing:
        raise NotFoundError(f"a coding refers to unknown raw code {missing.args[0]}") from None
    names, transcript = np.unique(np.array(names, dtype=object), return_inverse=True)
    transcript = transcript.reshape(-1).astype(np.int64)
    bucket = _buckets(transcript, turn, start, end)
    order = np.lexsort((start, bucket, code))
    first = np.searchsorted(code[order], np.arange(len(position) + 1))
    return QuoteIndex(code[order], bucket[order], start[order], end[order], transcript[order],
                      tuple(names), first)


def merge_overlaps(key: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Number the runs of overlapping spans that share a key (spans touching end to start
    do not overlap). ``key`` must be non-negative integers; returns one run id per span."""
    if not key.size:
        return np.empty(0, dtype=np.int64)
    order = np.lexsort((start, key))
    k, lo, hi = key[order], start[order], end[order]
    # the furthest end so far within each key: offsetting keys by a large multiple stops one
    # key's maximum from leaking into the next
    shift = k * (int(hi.max()) + 1)
    reach = np.maximum.accumulate(hi + shift) - shift
    breaks = np.r_[True, (k[1:] != k[:-1]) | (lo[1:] >= reach[:-1])]
    run = np.empty(len(key), dtype=np.int64)
    run[order] = np.cumsum(breaks) - 1
    return run


def _buckets(transcript: np.ndarray, turn: np.ndarray, start: np.ndarray, end: np.ndarray
             ) -> np.ndarray:
    """Bucket of every coding: its (transcript, turn), or its run of turn-less codings."""
    per_transcript = int(turn.max()) + 1
    key = transcript * per_transcript + turn
    turnless = turn < 0
    runs = merge_overlaps(transcript[turnless], start[turnless], end[turnless])
    key[turnless] = (int(transcript.max()) + 1) * per_transcript + runs
    return np.unique(key, return_inverse=True)[1].reshape(-1)


def span_overlap(index: QuoteIndex) -> SpanOverlap:
    """Compare every pair of codings in a bucket and sum the evidence per pair of codes.

    A sparse product done with numpy: coding pairs are enumerated bucket by bucket (in chunks
    to bound memory) and summed into the code-by-code matrices with ``bincount``.
    """
    n = len(index.first) - 1
    order = np.argsort(index.bucket, kind="stable")
    bucket = index.bucket[order]
    bounds = np.flatnonzero(np.r_[True, bucket[1:] != bucket[:-1], True])
    sizes = np.diff(bounds)
    load = np.cumsum(sizes.astype(np.int64) ** 2)
    weight = np.zeros(n * n, dtype=np.float32)
    count = np.zeros(n * n, dtype=np.int32)
    lo = 0
    while lo < len(sizes):
        done = load[lo - 1] if lo else 0
        hi = max(lo + 1, int(np.searchsorted(load, done + _PAIR_CHUNK, side="right")))
        left, right = _pairs_within(int(bounds[lo]), sizes[lo:hi])
        left, right = order[left], order[right]
        s1, e1, s2, e2 = index.start[left], index.end[left], index.start[right], index.end[right]
        inter = np.minimum(e1, e2) - np.maximum(s1, s2)
        hit = inter > 0
        union = np.maximum(e1, e2)[hit] - np.minimum(s1, s2)[hit]
        pair = index.code[left[hit]] * n + index.code[right[hit]]
        np.add.at(weight, pair, (inter[hit] / union).astype(np.float32))
        np.add.at(count, pair, 1)
        lo = hi
    return SpanOverlap(weight.reshape(n, n), count.reshape(n, n))


def _pairs_within(offset: int, sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All ordered pairs (i, j), i != j, of positions inside consecutive blocks of ``sizes``
    starting at ``offset``."""
    starts = offset + np.r_[0, np.cumsum(sizes)[:-1]]
    reps = np.repeat(sizes, sizes)  # every member pairs with each member of its block
    left = np.repeat(np.arange(offset, offset + int(sizes.sum())), reps)
    within = np.arange(len(left)) - np.repeat(np.r_[0, np.cumsum(reps)[:-1]], reps)
    right = np.repeat(np.repeat(starts, sizes), reps) + within
    keep = left != right
    return left[keep], right[keep]
