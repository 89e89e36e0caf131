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
    """Codings as arrays sorted by code, then bucket, start and end.

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


def build_index(codings: Sequence[RawCoding], position: Mapping[int, int]) -> QuoteIndex:
    """Index codings; ``position`` maps a raw code id to its row in the evidence matrices."""
    if not codings:
        empty = np.empty(0, dtype=np.int64)
        return QuoteIndex(empty, empty, empty, empty, empty, (),
                          np.zeros(len(position) + 1, dtype=np.int64))
    n = len(codings)
    start = np.fromiter((c.start for c in codings), np.int64, n)
    end = np.fromiter((c.end for c in codings), np.int64, n)
    given = np.fromiter((c.turn is not None for c in codings), bool, n)
    turn = np.fromiter((-1 if c.turn is None else c.turn for c in codings), np.int64, n)
    bad = (start < 0) | (end < start) | (given & (turn < 0))
    if bad.any():
        c = codings[int(np.argmax(bad))]
        raise InputError(f"coding of code {c.code_id} has a bad span or turn: "
                         f"{c.start}:{c.end}, turn {c.turn}", where=c.transcript)
    try:
        code = np.fromiter((position[c.code_id] for c in codings), np.int64, n)
    except KeyError as missing:
        raise NotFoundError(f"a coding refers to unknown raw code {missing.args[0]}") from None
    seen: dict[str, int] = {}  # transcript name -> number in order of first use
    transcript = np.fromiter((seen.setdefault(c.transcript, len(seen)) for c in codings),
                             np.int64, n)
    names = sorted(seen)
    rank = {name: k for k, name in enumerate(names)}
    transcript = np.array([rank[name] for name in seen], dtype=np.int64)[transcript]
    bucket = _buckets(transcript, turn, start, end)
    order = np.lexsort((end, start, bucket, code))
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


def span_overlap(index: QuoteIndex, coder: np.ndarray) -> np.ndarray:
    """Pairwise quote evidence as a symmetric float32 matrix over code rows (``coder`` numbers
    the coder of each row).

    - Codes of one coder: the summed span Jaccard of every pair of their codings that overlap
      in one bucket (positive exactly where the coder applied both to the same text; the
      diagonal counts a code's own overlaps twice).
    - Codes of different coders: codings are aligned first, as units are between coders: each
      coding counts only its best match among the overlapping codings of each other coder
      (highest Jaccard, then lowest code row), so a passage that also overlaps a neighbouring
      concept's quote gives that concept no credit. The value is the mean of the summed best
      match Jaccard in the two directions.

    A sparse product done with numpy: the pairs of codings in each bucket are enumerated (in
    chunks of whole buckets to bound memory) and summed into the matrix with ``bincount``.
    """
    n = len(index.first) - 1
    order = np.argsort(index.bucket, kind="stable")
    bucket = index.bucket[order]
    bounds = np.flatnonzero(np.r_[True, bucket[1:] != bucket[:-1], True])
    sizes = np.diff(bounds)
    load = np.cumsum(sizes.astype(np.int64) * (sizes - 1) // 2)
    weight = np.zeros(n * n, dtype=np.float64)
    lo = 0
    while lo < len(sizes):
        done = load[lo - 1] if lo else 0
        hi = max(lo + 1, int(np.searchsorted(load, done + _PAIR_CHUNK, side="right")))
        first, last = int(bounds[lo]), int(bounds[hi])
        left, right = _pairs_within(0, sizes[lo:hi])
        cells, credit = _evidence_of_pairs(index, coder, order[first:last], left, right)
        weight += np.bincount(cells, credit, minlength=n * n)
        lo = hi
    one_way = weight.reshape(n, n).astype(np.float32)
    return one_way + one_way.T


def _evidence_of_pairs(index: QuoteIndex, coder: np.ndarray, rows: np.ndarray,
                       left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Flat code-pair cells (``row * n + column``) and the credit to add to each, for the
    codings ``rows`` of some whole buckets given with every pair of them once (``left`` and
    ``right`` index ``rows``); adding the transpose of the summed cells gives the evidence
    of ``span_overlap``."""
    n = len(index.first) - 1
    one, two = rows[left], rows[right]
    s1, e1, s2, e2 = index.start[one], index.end[one], index.start[two], index.end[two]
    inter = np.minimum(e1, e2) - np.maximum(s1, s2)
    hit = inter > 0
    left, right, one, two = left[hit], right[hit], one[hit], two[hit]
    jaccard = inter[hit] / (np.maximum(e1, e2)[hit] - np.minimum(s1, s2)[hit])
    code_one, code_two = index.code[one], index.code[two]
    same = coder[code_one] == coder[code_two]
    # across coders, in both directions: each coding's best match per other coder
    across = ~same
    coding = np.r_[left[across], right[across]]
    partner = np.r_[code_two[across], code_one[across]]
    score = np.r_[jaccard[across], jaccard[across]]
    coders = int(coder.max(initial=0)) + 1
    key = coding * coders + coder[partner]
    top = np.full(len(rows) * coders, -1.0)
    np.maximum.at(top, key, score)
    tied = score == top[key]
    choice = np.full(len(top), n)  # lowest code row among the best matches (n: no match)
    np.minimum.at(choice, key[tied], partner[tied])
    matched = np.flatnonzero(choice < n)
    cells = np.r_[code_one[same] * n + code_two[same],
                  index.code[rows[matched // coders]] * n + choice[matched]]
    return cells, np.r_[jaccard[same], top[matched] / 2]


def _pairs_within(offset: int, sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All pairs (i, j), i < j, of positions inside consecutive blocks of ``sizes`` starting
    at ``offset``."""
    starts = offset + np.r_[0, np.cumsum(sizes)[:-1]]
    position = np.arange(offset, offset + int(sizes.sum()))
    later = np.repeat(starts + sizes, sizes) - position - 1  # block members after each one
    left = np.repeat(position, later)
    first = np.cumsum(later) - later  # where each member's run of pairs begins in ``left``
    right = left + 1 + np.arange(len(left)) - np.repeat(first, later)
    return left, right
