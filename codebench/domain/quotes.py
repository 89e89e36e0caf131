"""Locate a coded quote in a transcript's stored text.

Order of attempts: the given offsets (checked), an exact match, a whitespace-insensitive match,
then fuzzy alignment with rapidfuzz (score >= ``FUZZY_MIN``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

FUZZY_MIN = 90.0


def squash(text: str) -> str:
    """Collapse every run of whitespace to one space and trim."""
    return " ".join(text.split())


@dataclass(frozen=True, slots=True)
class Located:
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
    at = text.find(quote)
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
