"""Harmonisation: suggest which raw codes of different coders to merge, and apply merges.

``suggest_groups`` scores every pair of raw codes by label similarity, quote overlap between
coders, a same-coder veto and (optionally) label embeddings, then proposes average-linkage
clusters above a threshold. ``UnionFind`` applies the merges a team accepts.
"""

from codebench.domain.harmonise.engine import (
    DEFAULT_THRESHOLD,
    DEFAULT_TUNING,
    Tuning,
    suggest_groups,
)
from codebench.domain.harmonise.labels import label_similarity, normalise_label
from codebench.domain.harmonise.unionfind import UnionFind
from codebench.domain.harmonise.values import RawCode, RawCoding, SuggestionGroup

__all__ = [
    "DEFAULT_THRESHOLD",
    "DEFAULT_TUNING",
    "RawCode",
    "RawCoding",
    "SuggestionGroup",
    "Tuning",
    "UnionFind",
    "label_similarity",
    "normalise_label",
    "suggest_groups",
]
