"""Average-linkage agglomerative clustering of a similarity matrix, cut at a threshold."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def average_linkage(similarity: np.ndarray, threshold: float,
                    initial: Sequence[Sequence[int]] = (),
                    cannot_link: np.ndarray | None = None) -> list[list[int]]:
    """Merge the most similar pair of clusters while their average similarity >= ``threshold``.

    ``similarity`` is a symmetric square matrix; ``initial`` lists disjoint groups that start as
    one cluster; ``cannot_link`` (boolean, same shape) marks pairs that may never end up in one
    cluster. Returns all clusters (singletons included) as sorted index lists, ordered by their
    smallest index. Ties go to the lowest indices, so the result depends only on the order of
    the rows.

    Clusters can only form inside connected components of the graph "similarity >= threshold"
    (an average reaches the threshold only if some pair does), so each component is clustered
    on its own, which keeps the matrices small.
    """
    n = len(similarity)
    start = _initial_clusters(n, initial)
    adjacent = similarity >= threshold
    for members in start:
        adjacent[np.ix_(members, members)] = True
    label = _components(adjacent)
    by_component: dict[int, list[list[int]]] = {}
    for cluster in start:
        by_component.setdefault(int(label[cluster[0]]), []).append(cluster)
    clusters: list[list[int]] = []
    for inside in by_component.values():
        clusters.extend(_cluster_component(similarity, threshold, inside, cannot_link))
    return sorted(clusters, key=lambda c: c[0])


def _initial_clusters(n: int, initial: Sequence[Sequence[int]]) -> list[list[int]]:
    owner = np.arange(n)
    clusters = [sorted(set(g)) for g in initial if g]
    for k, members in enumerate(clusters):
        owner[members] = n + k
    return clusters + [[i] for i in np.flatnonzero(owner < n).tolist()]


def _components(adjacent: np.ndarray) -> np.ndarray:
    """Component number of every node, by breadth-first search on a dense adjacency matrix."""
    n = len(adjacent)
    label = np.full(n, -1)
    for root in range(n):
        if label[root] >= 0:
            continue
        frontier = np.array([root])
        label[frontier] = root
        while frontier.size:
            frontier = np.flatnonzero(adjacent[frontier].any(axis=0) & (label < 0))
            label[frontier] = root
    return label


def _cluster_component(similarity: np.ndarray, threshold: float, clusters: list[list[int]],
                       cannot_link: np.ndarray | None) -> list[list[int]]:
    """Greedy average linkage with a cached best partner per cluster (O(k^2) memory)."""
    clusters = sorted(clusters, key=lambda c: c[0])
    k = len(clusters)
    if k == 1:
        return clusters
    nodes = np.array([i for c in clusters for i in c])  # grouped by cluster
    size = np.array([len(c) for c in clusters], dtype=np.float64)
    offsets = np.r_[0, np.cumsum(size[:-1])].astype(np.int64)
    block = np.ix_(nodes, nodes)
    sim = similarity[block].astype(np.float64)
    cut = None if cannot_link is None else cannot_link[block]
    if k < len(nodes):  # some clusters start with several members
        sim = _block_sums(sim, offsets) / np.outer(size, size)
        cut = None if cut is None else _block_sums(cut, offsets) > 0
    if cut is not None:
        sim[cut] = -np.inf
    np.fill_diagonal(sim, -np.inf)
    best_to = np.empty(k, dtype=np.int64)
    best = np.empty(k)
    _refresh(sim, np.arange(k), best_to, best)
    while True:
        a = int(best.argmax())
        if not best[a] >= threshold:
            break
        a, b = sorted((a, int(best_to[a])))
        merged = (size[a] * sim[a] + size[b] * sim[b]) / (size[a] + size[b])
        merged[[a, b]] = -np.inf
        sim[a], sim[:, a] = merged, merged
        sim[b], sim[:, b] = -np.inf, -np.inf
        size[a] += size[b]
        clusters[a] += clusters[b]
        clusters[b] = []
        best[b] = -np.inf
        # rows that pointed at a or b keep a as their best unless their similarity to it fell
        stale = np.flatnonzero(((best_to == a) | (best_to == b)) & (merged < best))
        gains = (merged > best) | ((merged == best) & (a < best_to))
        best_to[gains], best[gains] = a, merged[gains]
        _refresh(sim, np.append(stale, a), best_to, best)
    return [sorted(c) for c in clusters if c]


def _refresh(sim: np.ndarray, rows: np.ndarray, best_to: np.ndarray, best: np.ndarray,
             chunk: int = 256) -> None:
    """Recompute the best partner (lowest index on ties) and similarity of ``rows``."""
    for lo in range(0, len(rows), chunk):
        part = rows[lo:lo + chunk]
        block = sim[part]
        best_to[part] = block.argmax(axis=1)
        best[part] = block[np.arange(len(part)), best_to[part]]


def _block_sums(matrix: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Sum a matrix over the blocks of rows and columns that start at ``offsets``."""
    return np.add.reduceat(np.add.reduceat(matrix, offsets, axis=0), offsets, axis=1)
