"""Disjoint sets over hashable items, to apply accepted merges of raw codes."""

from __future__ import annotations

from collections.abc import Hashable, Iterable


class UnionFind:
    """Union-find with path halving and union by size.

    Items are added on first use; ``groups()`` lists every set, members and sets sorted.
    """

    def __init__(self, items: Iterable[Hashable] = ()) -> None:
        self._parent: dict[Hashable, Hashable] = {}
        self._size: dict[Hashable, int] = {}
        for item in items:
            self.add(item)

    def add(self, item: Hashable) -> None:
        """Make ``item`` a set of its own unless it is known already."""
        if item not in self._parent:
            self._parent[item] = item
            self._size[item] = 1

    def find(self, item: Hashable) -> Hashable:
        """Return the representative of ``item``'s set (adding ``item`` if new)."""
        self.add(item)
        parent = self._parent
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    def union(self, a: Hashable, b: Hashable) -> Hashable:
        """Join the sets of ``a`` and ``b``; return the new representative."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return ra
        if self._size[ra] < self._size[rb]:
            ra, rb = rb, ra
        self._parent[rb] = ra
        self._size[ra] += self._size.pop(rb)
        return ra

    def connected(self, a: Hashable, b: Hashable) -> bool:
        return self.find(a) == self.find(b)

    def groups(self) -> list[list]:
        """All sets, each sorted, ordered by their smallest member."""
        sets: dict[Hashable, list] = {}
        for item in self._parent:
            sets.setdefault(self.find(item), []).append(item)
        return sorted((sorted(members) for members in sets.values()), key=lambda m: m[0])
