"""Suggest groups of synonymous raw codes from label, quote and optional semantic evidence."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from codebench.domain.errors import ConflictError, InputError, NotFoundError
from codebench.domain.harmonise.labels import label_similarity, normalise_label
from codebench.domain.harmonise.linkage import average_linkage
from codebench.domain.harmonise.quotes import QuoteIndex, build_index, merge_overlaps, span_overlap
from codebench.domain.harmonise.unionfind import UnionFind
from codebench.domain.harmonise.values import RawCode, RawCoding, SuggestionGroup

Embedder = Callable[[list[str]], np.ndarray]


@dataclass(frozen=True)
class Tuning:
    """How the evidence columns combine into one similarity (tuned on the labelled fixture).

    Each column is mapped to a "support" in [0, 1] and supports combine like independent
    chances, ``1 - (1 - label) * (1 - overlap) * (1 - profile) * (1 - semantic)``:

    - label: label similarity above ``label_floor``, stretched to [0, 1];
    - overlap: summed span Jaccard of two coders' codings, each coding counting only its best
      match among the other coder's codings (``quotes.span_overlap``), over ``overlap_prior``
      plus the smaller coding count (so one shared quote of two rare codes is weak evidence);
    - profile: cosine of two codes' overlap rows: codes that share quotes with the same codes
      of other coders (this links one coder's own synonyms, which never overlap each other);
    - semantic: embedding cosine above ``semantic_floor``, stretched to [0, 1].

    A pair one coder applied to overlapping spans scores 0 and counts as ``-veto_penalty``
    in the linkage averages, so such pairs also push their clusters apart.
    """

    label_floor: float = 0.4
    overlap_weight: float = 1.0
    overlap_prior: float = 1.0
    profile_weight: float = 0.8
    semantic_floor: float = 0.5
    semantic_weight: float = 0.6
    veto_penalty: float = 0.5


DEFAULT_TUNING = Tuning()
DEFAULT_THRESHOLD = 0.175


@dataclass(frozen=True)
class _Evidence:
    """Pairwise evidence matrices over codes sorted by id; ``linkage`` is what is clustered."""

    label: np.ndarray
    overlap: np.ndarray
    semantic: np.ndarray | None
    vetoed: np.ndarray
    combined: np.ndarray
    linkage: np.ndarray


def suggest_groups(codes: Sequence[RawCode], codings: Sequence[RawCoding], *,
                   threshold: float = DEFAULT_THRESHOLD,
                   glossary: Mapping[str, str] | None = None,
                   never_merge: Iterable[tuple[int, int]] = (),
                   already_merged: Iterable[Iterable[int]] = (),
                   semantic: Embedder | None = None,
                   tuning: Tuning = DEFAULT_TUNING) -> list[SuggestionGroup]:
    """Propose groups of raw codes that mean the same thing, best first.

    Average-linkage clustering of the combined pairwise similarity, cut at ``threshold``.
    ``never_merge`` pairs (rejected before) never share a group; each ``already_merged`` group
    is one unit from the start and is not proposed again on its own. ``semantic`` embeds the
    normalised labels into L2-normalised rows. Scores and evidence means are taken over the
    group's pairs that are not already merged.
    """
    if not 0.0 <= threshold <= 1.0:
        raise InputError(f"threshold must be between 0 and 1, got {threshold}")
    codes = sorted(codes, key=lambda c: c.id)
    position = _positions(codes)
    never = _never_matrix(never_merge, position)
    merged = _merged_groups(already_merged, position, never)
    labels = [normalise_label(c.label, glossary) for c in codes]
    index = build_index(codings, position)
    coder = np.unique([c.coder for c in codes], return_inverse=True)[1].reshape(-1)
    evidence = _evidence(coder, labels, index, never, semantic, tuning)
    clusters = average_linkage(evidence.linkage, threshold, merged, never if never.any() else None)
    same_merge = np.full(len(codes), -1)
    for k, group in enumerate(merged):
        same_merge[group] = k
    unchanged = {tuple(g) for g in merged}
    groups = [_describe(cluster, codes, evidence, index, coder, same_merge)
              for cluster in clusters if len(cluster) > 1 and tuple(cluster) not in unchanged]
    return sorted(groups, key=lambda g: (-g.score, g.code_ids))


def _positions(codes: Sequence[RawCode]) -> dict[int, int]:
    position: dict[int, int] = {}
    for i, code in enumerate(codes):
        if code.id in position:
            raise InputError(f"raw code id {code.id} appears twice")
        position[code.id] = i
    return position


def _lookup(code_id: int, position: Mapping[int, int]) -> int:
    try:
        return position[code_id]
    except KeyError:
        raise NotFoundError(f"no raw code with id {code_id}") from None


def _never_matrix(pairs: Iterable[tuple[int, int]], position: Mapping[int, int]) -> np.ndarray:
    never = np.zeros((len(position), len(position)), dtype=bool)
    for a, b in pairs:
        i, j = _lookup(a, position), _lookup(b, position)
        if i == j:
            raise InputError(f"raw code {a} cannot be kept apart from itself")
        never[i, j] = never[j, i] = True
    return never


def _merged_groups(groups: Iterable[Iterable[int]], position: Mapping[int, int],
                   never: np.ndarray) -> list[list[int]]:
    """Already merged groups as sorted position lists (overlapping groups are joined)."""
    found = UnionFind()
    for group in groups:
        members = [_lookup(code_id, position) for code_id in group]
        for i in members:
            found.union(members[0], i)
    merged = [g for g in found.groups() if len(g) > 1]
    for group in merged:
        if never[np.ix_(group, group)].any():
            raise ConflictError("an already merged group contains a pair marked never-merge")
    return merged


def _evidence(coder: np.ndarray, labels: list[str], index: QuoteIndex, never: np.ndarray,
              semantic: Embedder | None, tuning: Tuning) -> _Evidence:
    """Compute every evidence column and combine them (all matrices float32 or bool).

    ``coder`` numbers the coder of each code. The combination multiplies the chances that
    each column is *not* evidence (``miss``) in place, which keeps to one n x n temporary.
    """
    label = label_similarity(labels)
    miss = 1 - _rescale(label, tuning.label_floor)

    quotes = span_overlap(index, coder)
    counts = index.counts().astype(np.float32)
    same_coder = coder[:, None] == coder[None, :]
    overlap = np.minimum.outer(counts, counts)
    overlap += np.float32(tuning.overlap_prior)
    np.divide(quotes, overlap, out=overlap)
    np.clip(overlap, 0, 1, out=overlap)
    overlap[same_coder] = 0.0
    _discount(miss, tuning.overlap_weight, overlap)
    _discount(miss, tuning.profile_weight, _row_cosine(overlap))

    cosine = None
    if semantic is not None:
        cosine = _cosine(semantic, labels)
        _discount(miss, tuning.semantic_weight, _rescale(cosine, tuning.semantic_floor))
    vetoed = same_coder & (quotes > 0)
    np.fill_diagonal(vetoed, False)
    support = np.subtract(1, miss, out=miss)
    support[vetoed | never] = 0.0
    linkage = support.copy()
    linkage[vetoed & ~never] = -tuning.veto_penalty
    return _Evidence(label, overlap, cosine, vetoed, support, linkage)


def _discount(miss: np.ndarray, weight: float, evidence: np.ndarray) -> None:
    """Add one column of evidence in [0, 1] as an independent chance: ``miss`` (the chance
    that no column so far is evidence) is multiplied by ``1 - weight * evidence`` in place."""
    factor = evidence * np.float32(-weight)
    factor += 1
    miss *= factor


def _row_cosine(matrix: np.ndarray) -> np.ndarray:
    """Cosine similarity of every pair of rows (0 for all-zero rows)."""
    norm = np.linalg.norm(matrix, axis=1, keepdims=True)
    unit = np.divide(matrix, norm, out=np.zeros_like(matrix), where=norm > 0)
    return unit @ unit.T


def _rescale(values: np.ndarray, floor: float) -> np.ndarray:
    """Values above ``floor`` stretched to [0, 1] (a new float32 array)."""
    out = np.subtract(values, np.float32(floor), dtype=np.float32)
    out *= np.float32(1 / (1 - floor))
    return np.clip(out, 0, 1, out=out)


def _cosine(semantic: Embedder, labels: list[str]) -> np.ndarray:
    vectors = np.asarray(semantic(labels), dtype=np.float32)
    if vectors.ndim != 2 or len(vectors) != len(labels):
        raise InputError(f"the embedder returned shape {vectors.shape} for {len(labels)} labels")
    return np.clip(vectors @ vectors.T, -1.0, 1.0)


def _describe(cluster: list[int], codes: Sequence[RawCode], evidence: _Evidence,
              index: QuoteIndex, coder: np.ndarray, same_merge: np.ndarray) -> SuggestionGroup:
    """Summarise one cluster's evidence over its pairs that are not already merged."""
    g = np.array(cluster)
    upper = np.triu(np.ones((len(g), len(g)), dtype=bool), k=1)
    merge = same_merge[g]
    merged_before = (merge[:, None] == merge[None, :]) & (merge[:, None] >= 0)
    pairs = upper & ~merged_before
    across = pairs & (coder[g][:, None] != coder[g][None, :])
    block = np.ix_(g, g)

    def mean(matrix: np.ndarray, mask: np.ndarray) -> float:
        return float(matrix[block][mask].mean()) if mask.any() else 0.0

    shared_quotes, example = _shared_quotes(g, index, coder)
    return SuggestionGroup(
        code_ids=tuple(codes[i].id for i in cluster),
        score=mean(evidence.combined, pairs),
        label_similarity=mean(evidence.label, pairs),
        overlap=mean(evidence.overlap, across),
        shared_quotes=shared_quotes,
        example_quote=example,
        semantic=None if evidence.semantic is None else mean(evidence.semantic, pairs),
        vetoed_pairs=int(evidence.vetoed[block][pairs].sum()),
    )


def _shared_quotes(group: np.ndarray, index: QuoteIndex, coder: np.ndarray
                   ) -> tuple[int, tuple[str, int, int] | None]:
    """Passages where >= 2 coders applied the group's codes, and the best one as a quote.

    A passage is a run of overlapping codings of the group in one bucket; the example is
    the passage most coders share (the earliest on ties), from its first start to last end.
    """
    at = index.codings_of(group.tolist())
    run = merge_overlaps(index.bucket[at], index.start[at], index.end[at])
    coders = int(coder.max()) + 1
    run_and_coder = np.unique(run * coders + coder[index.code[at]])
    runs, coders_per_run = np.unique(run_and_coder // coders, return_counts=True)
    shared = coders_per_run >= 2
    if not shared.any():
        return 0, None
    inside = at[run == runs[np.argmax(np.where(shared, coders_per_run, 0))]]
    transcript = index.transcripts[int(index.transcript[inside[0]])]
    return int(shared.sum()), (transcript, int(index.start[inside].min()),
                               int(index.end[inside].max()))
