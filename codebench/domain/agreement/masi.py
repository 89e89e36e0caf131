"""Krippendorff's alpha over set-valued units with the MASI distance (Passonneau 2006).

MASI(A, B) = J * M with J = |A n B| / |A u B| and M = 1 if A == B, 2/3 if one set contains the other,
1/3 if they only overlap, 0 if disjoint; the distance used inside alpha is ``1 - MASI``.
Two empty sets are identical, so their distance is 0 (the formula's 0/0 is read as "same set").

Sets are given as a boolean presence array (units x coders x labels). Expected disagreement needs every
pair of pairable values, which is quadratic if done naively; here it is exact and cheaper:
MASI depends only on the sizes a, b and the overlap i of two sets, so the sum over all pairs is
``sum_pairs i * g(a, b, 1)`` (a per-label sum, computed from label frequencies by set size) plus a
correction ``g(a, b, i) - i * g(a, b, 1)`` for the pairs sharing two or more labels, which are found
through shared label pairs.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence, Set

import numpy as np

from codebench.domain.agreement._arrays import pairs_within_groups, run_lengths
from codebench.domain.agreement.coefficients import NO_PAIRS, NO_VARIATION, Coefficient, guarded


def masi_similarity(size_a: np.ndarray, size_b: np.ndarray, overlap: np.ndarray) -> np.ndarray:
    """MASI similarity of sets from their sizes and overlap (vectorised); two empty sets score 1."""
    size_a, size_b, overlap = (np.asarray(x, dtype=float) for x in (size_a, size_b, overlap))
    union = size_a + size_b - overlap
    jaccard = np.divide(overlap, union, out=np.ones_like(union), where=union > 0)
    monotonicity = np.select(
        [(overlap == size_a) & (overlap == size_b), overlap == np.minimum(size_a, size_b), overlap > 0],
        [1.0, 2 / 3, 1 / 3],
        0.0,
    )
    return jaccard * monotonicity


def masi_distance(a: Set[Hashable], b: Set[Hashable]) -> float:
    """MASI distance ``1 - J * M`` of two sets; 0 for two empty sets."""
    return float(1.0 - masi_similarity(len(a), len(b), len(a & b)))


def _sum_pair_similarity(sets: np.ndarray, weights: np.ndarray) -> float:
    """``sum_{r, s} w_r w_s MASI(r, s)`` over all ordered pairs of distinct sets (rows of ``sets``), r == s included."""
    sizes = sets.sum(1)
    row, label = np.nonzero(sets)
    empty = weights[sizes == 0].sum() ** 2
    if row.size == 0:
        return float(empty)
    top = int(sizes.max())
    by_size = np.zeros((top + 1, sets.shape[1]))
    np.add.at(by_size, (sizes[row], label), weights[row])
    size_range = np.arange(top + 1)
    single = masi_similarity(size_range[:, None], size_range[None, :], np.ones((top + 1, top + 1)))
    single[0, :] = single[:, 0] = 0.0
    first_order = float((by_size * (single @ by_size)).sum())
    return float(empty + first_order + _multi_overlap_correction(sets, sizes, weights))


def _multi_overlap_correction(sets: np.ndarray, sizes: np.ndarray, weights: np.ndarray) -> float:
    """``sum w_r w_s (g(a, b, i) - i g(a, b, 1))`` over ordered pairs of sets sharing i >= 2 labels."""
    owners, keys = [], []
    labels = sets.shape[1]
    for size in np.unique(sizes[sizes >= 2]):
        members = np.flatnonzero(sizes == size)
        codes = np.nonzero(sets[members])[1].reshape(members.size, size)
        first, second = np.triu_indices(size, 1)
        owners.append(np.repeat(members, first.size))
        keys.append((codes[:, first] * labels + codes[:, second]).ravel())
    if not owners:
        return 0.0
    owner, key = np.concatenate(owners), np.concatenate(keys)
    order = np.argsort(key, kind="stable")
    left, right = pairs_within_groups(run_lengths(key[order]))
    pair = owner[order][left] * sets.shape[0] + owner[order][right]
    pair, shared_pairs = np.unique(pair, return_counts=True)
    shared = (1 + np.sqrt(1 + 8 * shared_pairs)) / 2  # shared_pairs = C(i, 2)
    r, s = np.divmod(pair, sets.shape[0])
    a, b = sizes[r], sizes[s]
    gain = masi_similarity(a, b, np.rint(shared)) - shared * masi_similarity(a, b, np.ones_like(shared))
    return float((weights[r] * weights[s] * gain).sum())


def alpha_masi_presence(presence: np.ndarray, observed: np.ndarray) -> Coefficient:
    """Alpha with MASI distance; ``presence[u, c, l]`` says coder c gave unit u label l, ``observed[u, c]``
    says coder c's value for unit u exists (an observed unit without labels is the empty set)."""
    presence = np.asarray(presence, dtype=bool) & np.asarray(observed, dtype=bool)[..., None]
    m = observed.sum(1)
    pairable = m >= 2
    presence, observed, m = presence[pairable], observed[pairable], m[pairable]
    n = int(m.sum())
    sizes = presence.sum(2)
    disagreement = 0.0
    coders = observed.shape[1]
    for first in range(coders):
        for second in range(first + 1, coders):
            both = observed[:, first] & observed[:, second]
            overlap = (presence[:, first] & presence[:, second]).sum(1)
            distance = 1 - masi_similarity(sizes[:, first], sizes[:, second], overlap)
            disagreement += 2 * float((distance[both] / (m[both] - 1)).sum())
    values = presence[observed]
    if values.size:
        packed = np.packbits(values, axis=1)
        _, first_row, weights = np.unique(packed, axis=0, return_index=True, return_counts=True)
        expected = n * n - _sum_pair_similarity(values[first_row], weights.astype(float))
    else:
        expected = 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = 1 - (n - 1) * disagreement / np.float64(expected)
    return guarded(alpha, [(n < 2, NO_PAIRS), (expected <= 1e-9 * max(n, 1) ** 2, NO_VARIATION)])[()]


def krippendorff_alpha_masi(data: Sequence[Sequence[Set[Hashable] | None]]) -> Coefficient:
    """Alpha with MASI distance for coders x units data whose values are sets (``None`` = missing)."""
    labels = sorted({label for row in data for value in row if value for label in value}, key=repr)
    index = {label: i for i, label in enumerate(labels)}
    units = max((len(row) for row in data), default=0)
    presence = np.zeros((units, len(data), len(labels)), dtype=bool)
    observed = np.zeros((units, len(data)), dtype=bool)
    for coder, row in enumerate(data):
        for unit, value in enumerate(row):
            if value is not None:
                observed[unit, coder] = True
                presence[unit, coder, [index[label] for label in value]] = True
    return alpha_masi_presence(presence, observed)
