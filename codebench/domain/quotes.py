"""Locate a coded quote in a transcript's stored text.

Order of attempts: the given offsets (checked), an exact match, a whitespace-insensitive match,
then fuzzy alignment with rapidfuzz (score >= ``FUZZY_MIN``). Each attempt takes the first
occurrence in the text.

``locate_quote`` is the plain reference; ``QuoteFinder`` gives the same answers for many quotes in
one text faster, by indexing the text once for the exact attempt.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from rapidfuzz import fuzz

FUZZY_MIN = 90.0
# QuoteFinder's index: a hash of the KEY = 2 * STRIDE characters at every STRIDE-th position.
STRIDE = 8
KEY = 2 * STRIDE
_MIN_INDEXED = STRIDE + KEY - 1
_BASE = 1_000_003
_POWERS = np.array([pow(_BASE, STRIDE - 1 - k, 2**64) for k in range(STRIDE)], dtype=np.uint64)
_SHIFT = np.uint64(pow(_BASE, STRIDE, 2**64))
_NONE = np.iinfo(np.int64).max
POSITION_BITS = 23  # a key's position (a multiple of STRIDE) below STRIDE * 2**23: texts up to 64 M characters
_POSITION_BITS = np.uint64(POSITION_BITS)
_POSITION_MASK = np.uint64(2**POSITION_BITS - 1)


def squash(text: str) -> str:
    """Collapse every run of whitespace to one space and trim."""
    return " ".join(text.split())


class Located(NamedTuple):
    """Where a quote was found, and by which attempt (a tuple: cheap to make for every coding)."""

    start: int
    end: int
    how: str  # "offsets" | "exact" | "whitespace" | "fuzzy"
    score: float = 100.0


def check_span(text: str, start: int, end: int, quote: str) -> str | None:
    """Reason why the span does not hold the quote, or None when it does."""
    if not 0 <= start < end <= len(text):
        return f"span {start}-{end} lies outside the text (0-{len(text)})"
    if squash(text[start:end]) != squash(quote):
        return f"text at {start}-{end} does not match the quote"
    return None


def locate_quote(text: str, quote: str) -> Located | None:
    """Find ``quote`` in ``text``; None when no attempt succeeds."""
    if not quote.strip():
        return None
    return _located(text, quote, text.find(quote))


def _located(text: str, quote: str, at: int) -> Located | None:
    """The exact match at ``at`` (from ``str.find``), else the whitespace, else the fuzzy attempt."""
    if at >= 0:
        return Located(at, at + len(quote), "exact")
    words = quote.split()
    pattern = r"\s+".join(re.escape(w) for w in words)
    match = re.search(pattern, text)
    if match:
        return Located(match.start(), match.end(), "whitespace")
    aligned = fuzz.partial_ratio_alignment(squash(quote), text, score_cutoff=FUZZY_MIN)
    if aligned is None or aligned.dest_end <= aligned.dest_start:
        return None
    start, end = aligned.dest_start, aligned.dest_end
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Located(start, end, "fuzzy", aligned.score)


class QuoteFinder:
    """``locate_quote`` for many quotes in one text, with the text indexed once.

    ``finder.locate_all(quotes) == [locate_quote(text, q) for q in quotes]``. The index holds the
    hash of the ``KEY`` characters at each position that is a multiple of ``STRIDE``, sorted, with
    equal hashes in position order, so the first of them is the first such position. Any
    occurrence ``p`` of a quote of at least ``STRIDE + KEY - 1`` characters holds such a key at
    ``a = p + j`` with ``0 <= j < STRIDE``, whose characters are ``quote[j:j + KEY]``; so
    ``first[hash(quote[j:j + KEY])] - j <= p``. The least of these bounds is at most the first
    occurrence, and ``str.find`` from there finds it; no hash found means no occurrence. A hash
    collision only lowers a bound, so the hashes are cut to their top ``64 - POSITION_BITS`` bits
    to keep each key's position in the same 64-bit word: one plain sort orders both.

    An ASCII text (the usual case) is indexed by its bytes, eight characters to a 64-bit word,
    which is quicker to make than code points; a quote that is not ASCII cannot occur in it.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._ascii = text.isascii()
        units = _units(text[: len(text) - len(text) % STRIDE], self._ascii)
        chunks = _chunk_values(units.reshape(-1, STRIDE))
        hashes = chunks[:-1] * _SHIFT + chunks[1:]  # the key at STRIDE * b: chunks b and b + 1
        if hashes.size > _POSITION_MASK:  # beyond what a key's position bits hold: no index, plain search
            hashes = hashes[:0]
        keys = np.sort((hashes >> _POSITION_BITS << _POSITION_BITS) | np.arange(hashes.size, dtype=np.uint64))
        self._hashes = keys >> _POSITION_BITS
        self._starts = (keys & _POSITION_MASK).astype(np.int64) * STRIDE

    def locate_all(self, quotes: Sequence[str]) -> list[Located | None]:
        """Each quote located as ``locate_quote`` would (None when no attempt succeeds)."""
        text = self.text
        return [_located(text, quote, at) if quote.strip() else None
                for quote, at in zip(quotes, self.find_all(quotes), strict=True)]

    def find_all(self, quotes: Sequence[str]) -> list[int]:
        """``[self.text.find(q) for q in quotes]``, without scanning the text before each answer."""
        text, ascii_text = self.text, self._ascii
        indexable = self._hashes.size > 0
        found = [text.find(quote) for quote in quotes] if not indexable else [
            -1 if len(quote) >= _MIN_INDEXED else text.find(quote) for quote in quotes]
        indexed = [i for i, quote in enumerate(quotes)
                   if indexable and len(quote) >= _MIN_INDEXED and (quote.isascii() or not ascii_text)]
        if not indexed:
            return found
        heads = _units("".join(quotes[i][:_MIN_INDEXED] for i in indexed), ascii_text).reshape(-1, _MIN_INDEXED)
        chunks = _chunk_values(sliding_window_view(heads, STRIDE, axis=1))  # chunks[q, j]: quote[j:j + STRIDE]
        wanted = (chunks[:, :STRIDE] * _SHIFT + chunks[:, STRIDE:]) >> _POSITION_BITS  # quote[j:j + KEY]
        order = np.argsort(wanted, axis=None)  # sorted queries search faster than scattered ones
        slot = np.empty(wanted.size, dtype=np.intp)
        slot[order] = np.searchsorted(self._hashes, wanted.ravel()[order])
        slot = slot.reshape(wanted.shape).clip(max=self._hashes.size - 1)
        bounds = np.where(self._hashes[slot] == wanted, self._starts[slot] - np.arange(STRIDE), _NONE).min(axis=1)
        hits = np.flatnonzero(bounds != _NONE)
        for k, lower in zip(hits.tolist(), np.maximum(bounds[hits], 0).tolist(), strict=True):
            quote = quotes[indexed[k]]
            found[indexed[k]] = lower if text.startswith(quote, lower) else text.find(quote, lower)
        return found


def _units(text: str, ascii_text: bool) -> np.ndarray:
    """The characters of ``text`` as numbers, one per character (as ``str`` indexes them): bytes
    (``uint8``) when ``ascii_text`` (the text must then be ASCII), else code points (``uint64``)."""
    if ascii_text:
        return np.frombuffer(text.encode("ascii"), dtype=np.uint8)
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)


def _chunk_values(chunks: np.ndarray) -> np.ndarray:
    """A value for each run of ``STRIDE`` characters along the last axis of ``_units``: the eight
    bytes read as one 64-bit word, or a polynomial hash (modulo 2**64) of the code points."""
    if chunks.dtype == np.uint8:
        return np.ascontiguousarray(chunks).view(np.uint64)[..., 0]
    return chunks @ _POWERS
