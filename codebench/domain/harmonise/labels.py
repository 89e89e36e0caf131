"""Label evidence: normalised labels and their pairwise fuzzy similarity."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence

import numpy as np
from rapidfuzz import fuzz, process

_APOSTROPHES = re.compile(r"['\u2019\u02bc]")
_NON_WORD = re.compile(r"[\W_]+")


def _words(text: str) -> str:
    """Case-fold, drop apostrophes, turn every other non-alphanumeric run into one space."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return _NON_WORD.sub(" ", _APOSTROPHES.sub("", text)).strip()


def normalise_label(label: str, glossary: Mapping[str, str] | None = None) -> str:
    """Lower case, punctuation stripped, whitespace collapsed, abbreviations expanded word-wise.

    >>> normalise_label("  HPO: BO vs. Grid-search ", {"bo": "Bayesian optimization"})
    'hpo bayesian optimization vs grid search'
    """
    words = _words(label).split()
    if glossary:
        table = {_words(k): _words(v) for k, v in glossary.items()}
        words = [table.get(w, w) for w in words]
    return " ".join(w for w in words if w)


def label_similarity(labels: Sequence[str]) -> np.ndarray:
    """Pairwise similarity in [0, 1] of normalised labels, as a float32 matrix.

    The mean of rapidfuzz's ``token_sort_ratio`` (word order does not matter) and ``ratio``
    (plain edit distance, which keeps word order from making unrelated two-word labels look
    alike). ``token_sort_ratio`` is the ``ratio`` of the labels with their words sorted, which
    is how it is computed here: one sort per label instead of one per pair.
    """
    sorted_words = [" ".join(sorted(label.split())) for label in labels]
    kwargs = {"scorer": fuzz.ratio, "dtype": np.float32, "workers": -1}
    scores = process.cdist(sorted_words, sorted_words, **kwargs)
    scores += process.cdist(labels, labels, **kwargs)
    scores *= np.float32(1 / 200)
    return scores
