"""Krippendorff's alpha over set-valued units with the MASI distance (Passonneau 2006).

MASI(A, B) = J * M with J = |A n B| / |A u B| and M = 1 if A == B, 2/3 if one set contains the other,
1/3 if they only overlap, 0 if disjoint; the distance used inside alpha is ``1 - MASI``.
Two empty sets are identical, so their distance is 0 (the formula's 0/0 is read as "same set").

Sets are given as a boolean presence array (units x coders x labels), or as its true entries (the report's
large, sparse case: 26,900 units x 3 coders x 500 codes hold about 100,000). Expected disagreement needs every
pair of pairable values, which is quadratic if done naively; here it is exact and near linear:
MASI depends only on the sizes a, b and the overlap i of two sets, so the sum over all pairs only needs
N(a, b, i), the number of ordered pairs of values with those sizes and overlap. Counting, for every
label subset T of size t, the values of each size that contain T gives
M_t(a, b) = sum_T F_T(a) F_T(b) = sum_i C(i, t) N(a, b, i), and binomial inversion recovers N exactly
(integer arithmetic). A value of size a has 2^a - 1 subsets, so values with 2^a larger than the number
of values are instead compared with every value directly through a matrix product of overlaps.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence, Set
from itertools import combinations
from math import comb

import numpy as np

from codebench.domain.agreement._arrays import nonzero_2d
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


def _subset_containment(labels_by_size: dict[int, np.ndarray], labels: int) -> np.ndarray:
    """``M[t, a, b] = sum_T F_T(a) F_T(b)`` over label subsets T of size t >= 1, where ``F_T(a)`` counts the
    sets of size a containing T; ``labels_by_size[a]`` holds the sets of size a as rows of sorted labels."""
    top = max(labels_by_size)
    containing = np.zeros((top + 1, top + 1, top + 1), dtype=np.int64)
    ranks: dict[int, np.ndarray] = {}  # per size a: dense ids of the (t - 1)-subsets of each set
    for t in range(1, top + 1):
        sizes = [a for a in labels_by_size if a >= t]
        keys = []
        for a in sizes:
            combos = list(combinations(range(a), t))
            last = labels_by_size[a][:, [c[-1] for c in combos]]
            if t == 1:
                keys.append(last)
            else:
                position = {c: i for i, c in enumerate(combinations(range(a), t - 1))}
                keys.append(ranks[a][:, [position[c[:-1]] for c in combos]] * labels + last)
        ids, inverse = np.unique(np.concatenate([k.ravel() for k in keys]), return_inverse=True)
        size_of = np.concatenate([np.full(k.size, a - t) for a, k in zip(sizes, keys, strict=True)])
        width = top + 1 - t  # sets of sizes t..top contain t-subsets
        frequency = np.bincount(inverse * width + size_of, minlength=ids.size * width).reshape(ids.size, width)
        containing[t, t:, t:] = np.einsum("ta,tb->ab", frequency, frequency)  # exact integers
        bounds = np.cumsum([0] + [k.size for k in keys])
        ranks = {a: inverse[lo:hi].reshape(k.shape) for a, k, lo, hi in zip(sizes, keys, bounds, bounds[1:])}
    return containing


def _overlap_counts(label: np.ndarray, size: np.ndarray) -> np.ndarray:
    """``N[a, b, i]``: ordered pairs of sets (r == s included) with sizes a, b sharing i >= 1 labels.

    The sets are given by their labels, set after set in ascending label order, with ``size`` the size of
    each label's set (every set non-empty)."""
    labels_by_size = {int(a): label[size == a].reshape(-1, a) for a in np.flatnonzero(np.bincount(size))}
    containing = _subset_containment(labels_by_size, int(label.max()) + 1)
    top = containing.shape[0] - 1
    inversion = np.array([[(-1) ** (t - i) * comb(t, i) for t in range(top + 1)] for i in range(top + 1)])
    return np.einsum("it,tab->abi", inversion, containing)


def _pairs_with(sets: np.ndarray, sizes: np.ndarray, rows: np.ndarray, block: int = 1024) -> float:
    """``sum MASI(r, s)`` over all ordered pairs of rows in which r or s is one of ``rows`` (non-empty sets)."""
    total = 0.0
    as_float = sets.astype(np.float32)
    for first in range(0, rows.size, block):
        chosen = rows[first:first + block]
        similarity = masi_similarity(sizes[chosen, None], sizes[None, :], as_float[chosen] @ as_float.T)
        total += 2 * similarity.sum() - similarity[:, rows].sum()
    return total


def _sum_pair_similarity(sets: np.ndarray) -> float:
    """``sum_{r, s} MASI(r, s)`` over all ordered pairs of rows of ``sets`` (values x labels), r == s included."""
    row, label = nonzero_2d(sets)
    return _sum_pair_similarity_of(row, label, sets.shape[0])


def _sum_pair_similarity_of(row: np.ndarray, label: np.ndarray, rows: int) -> float:
    """``_sum_pair_similarity`` of ``rows`` sets given as (row, label) pairs, row by row with labels ascending."""
    sizes = np.bincount(row, minlength=rows)
    total = float(np.count_nonzero(sizes == 0)) ** 2
    direct = (2.0**sizes > sizes.size) & (sizes > 0)
    if direct.any():
        sets = np.zeros((rows, int(label.max()) + 1), dtype=bool)
        sets[row, label] = True
        total += _pairs_with(sets, sizes, np.flatnonzero(direct))
    small = ~direct[row]
    if small.any():
        counts = _overlap_counts(label[small], sizes[row[small]])
        a, b, i = np.indices(counts.shape)
        total += float((counts[..., 1:] * masi_similarity(a, b, i)[..., 1:]).sum())
    return total


def alpha_masi_presence(presence: np.ndarray, observed: np.ndarray) -> Coefficient:
    """Alpha with MASI distance; ``presence[u, c, l]`` says coder c gave unit u label l, ``observed[u, c]``
    says coder c's value for unit u exists (an observed unit without labels is the empty set)."""
    observed = np.asarray(observed, dtype=bool)
    unit, coder, label = np.nonzero(np.asarray(presence, dtype=bool) & observed[..., None])
    return alpha_masi_entries(unit, coder, label, observed)


def alpha_masi_entries(unit: np.ndarray, coder: np.ndarray, label: np.ndarray, observed: np.ndarray) -> Coefficient:
    """``alpha_masi_presence`` from the presence array's true entries (in ``np.nonzero`` order: by unit, then
    coder, then label; only where observed), so a large sparse array is never built."""
    units, coders = observed.shape
    m = observed.sum(1)
    pairable = m >= 2
    n = int(m[pairable].sum())
    keep = pairable[unit]
    unit, coder, label = unit[keep], coder[keep], label[keep]
    value = unit * coders + coder
    sizes = np.bincount(value, minlength=units * coders).reshape(units, coders)
    labels = int(label.max()) + 1 if label.size else 1
    disagreement = 0.0
    for first in range(coders):
        for second in range(first + 1, coders):
            both = (observed[:, first] & observed[:, second])[pairable]
            shared = np.intersect1d(unit[coder == first] * labels + label[coder == first],
                                    unit[coder == second] * labels + label[coder == second], assume_unique=True)
            overlap = np.bincount(shared // labels, minlength=units)[pairable]
            distance = 1 - masi_similarity(sizes[pairable, first], sizes[pairable, second], overlap)
            disagreement += 2 * float((distance[both] / (m[pairable][both] - 1)).sum())
    values = (observed & pairable[:, None]).ravel()
    rank = np.cumsum(values) - 1  # each observed value's row among the pairable values
    expected = n * n - _sum_pair_similarity_of(rank[value], label, int(values.sum())) if n else 0.0
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
