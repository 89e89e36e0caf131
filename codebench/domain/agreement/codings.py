"""Codings as columns: the compact form the agreement modules compute on.

A large project has 100,000 codings; one ``CodedSpan`` object per coding costs more to make than the
arithmetic, so the services hand over a ``CodingTable`` built straight from database ids. Sequences of
``CodedSpan`` (tests, small inputs) are turned into the same table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from codebench.domain.model import CodedSpan


@dataclass(frozen=True)
class CodingTable:
    """One row per coding in ``columns`` (N, 5) int64: coder, transcript, code, start, end.

    The first three columns index the name tuples ``coders``, ``transcripts`` and ``codes``; ``start`` and
    ``end`` are character offsets in the transcript.
    """

    coders: tuple[str, ...]
    transcripts: tuple[str, ...]
    codes: tuple[str, ...]
    columns: np.ndarray

    @classmethod
    def of(cls, codings: Sequence[CodedSpan] | CodingTable) -> CodingTable:
        """The table of ``codings`` (a table is returned as it is), rows in the order given."""
        if isinstance(codings, CodingTable):
            return codings
        coders = {name: i for i, name in enumerate(dict.fromkeys(s.coder for s in codings))}
        transcripts = {name: i for i, name in enumerate(dict.fromkeys(s.transcript for s in codings))}
        codes = {name: i for i, name in enumerate(dict.fromkeys(s.code for s in codings))}
        columns = np.array([(coders[s.coder], transcripts[s.transcript], codes[s.code], s.start, s.end)
                            for s in codings], dtype=np.int64).reshape(-1, 5)
        return cls(tuple(coders), tuple(transcripts), tuple(codes), columns)

    def __len__(self) -> int:
        return len(self.columns)

    def span(self, row: int) -> CodedSpan:
        """Row ``row`` as a ``CodedSpan``."""
        coder, transcript, code, start, end = (int(v) for v in self.columns[row])
        return CodedSpan(self.coders[coder], self.transcripts[transcript], start, end, self.codes[code])

    def used_codes(self) -> list[str]:
        """The names of the codes that have codings, sorted."""
        return sorted(self.codes[k] for k in np.unique(self.columns[:, 2]))

    def indexed(
        self, coders: Mapping[str, int], transcripts: Mapping[str, int], codes: Mapping[str, int]
    ) -> np.ndarray:
        """The rows with coder, transcript and code re-indexed by the given name -> index maps (-1: not in the map)."""
        rows = self.columns.copy()
        for column, names, index in ((0, self.coders, coders), (1, self.transcripts, transcripts),
                                     (2, self.codes, codes)):
            lookup = np.array([index.get(name, -1) for name in names], dtype=np.int64)
            rows[:, column] = lookup[rows[:, column]] if len(rows) else rows[:, column]
        return rows
