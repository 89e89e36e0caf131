"""Disagreements of many codes at once: one pass over the codings instead of one per code.

``find_disagreements`` (in ``report``) lists one code's disagreements from its presence array and is the
reference; ``find_all_disagreements`` gives the same lists for every code from the (unit, coder, code) cells
that have a coding, so a project with hundreds of codes is read once and no dense array is built.
``disagreement_labels`` finds the labels each coder with the code gave a listed unit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import compress

import numpy as np

from codebench.domain.agreement._arrays import expand_ranges, run_lengths, sorted_unique
from codebench.domain.agreement.codings import CodingTable
from codebench.domain.agreement.report import AgreementInput, Disagreement, _coded_units


def find_all_disagreements(
    data: AgreementInput, codes: Sequence[str] | None = None, min_overlap: int = 1
) -> dict[str, list[Disagreement]]:
    """``find_disagreements(data, code, min_overlap)`` of every code in ``codes`` (default: every code used,
    sorted), keyed by code in that order; no code, no check of the input."""
    codings = CodingTable.of(data.codings)
    codes = list(codes) if codes is not None else codings.used_codes()
    if not codes:
        return {}
    units, unit, coder, code = _coded_units(data, codings, codes, min_overlap)
    coders, unit_count = len(data.coders), units.transcript.size
    cell, coder = np.divmod(sorted_unique((code * unit_count + unit) * coders + coder), coders)
    sizes = run_lengths(cell)  # how many coders gave each (code, unit) cell its code
    first = np.cumsum(sizes) - sizes
    cell_code, cell_unit = np.divmod(cell[first], unit_count)
    split = np.flatnonzero(sizes < units.observed.sum(1)[cell_unit])  # some observing coder has not the code
    split_unit = cell_unit[split]
    owner, position = expand_ranges(first[split], first[split] + sizes[split])
    coded = np.zeros((split.size, coders), dtype=bool)
    coded[owner, coder[position]] = True
    not_coded = units.observed[split_unit] & ~coded
    found: dict[str, list[Disagreement]] = {name: [] for name in codes}
    names = [t.name for t in data.transcripts]
    for k, transcript, index, start, end, with_code, without_code in zip(
        cell_code[split].tolist(), units.transcript[split_unit].tolist(), units.index[split_unit].tolist(),
        units.start[split_unit].tolist(), units.end[split_unit].tolist(), coded.tolist(), not_coded.tolist(),
        strict=True,
    ):
        found[codes[k]].append(Disagreement(transcript=names[transcript], unit_index=index, unit=(start, end),
                                            coders_with=tuple(compress(data.coders, with_code)),
                                            coders_without=tuple(compress(data.coders, without_code))))
    return found


def disagreement_labels(
    codings: CodingTable, labels: Sequence[str], found: Mapping[str, Sequence[Disagreement]], min_overlap: int = 1
) -> list[dict[str, tuple[str, ...]]]:
    """For every disagreement of ``found`` (code by code, in order): each coder with the code mapped to the
    distinct ``labels`` (one per row of ``codings``), sorted, of their codings of the code that overlap the
    unit by at least ``min_overlap`` characters."""
    coder_index = {name: i for i, name in enumerate(codings.coders)}
    transcript_index = {name: i for i, name in enumerate(codings.transcripts)}
    code_index = {name: i for i, name in enumerate(codings.codes)}
    asked = np.array([(transcript_index[row.transcript], coder_index[coder], code_index[code], *row.unit)
                      for code, rows in found.items() for row in rows for coder in row.coders_with],
                     dtype=np.int64).reshape(-1, 5)
    group_of = np.array([len(codings.coders) * len(codings.codes), len(codings.codes), 1])  # (transcript, coder, code)
    group = codings.columns[:, [1, 0, 2]] @ group_of
    order = np.argsort(group, kind="stable")
    asked_group = asked[:, :3] @ group_of
    owner, position = expand_ranges(np.searchsorted(group[order], asked_group, side="left"),
                                    np.searchsorted(group[order], asked_group, side="right"))
    coding = order[position]
    start, end = codings.columns[coding, 3], codings.columns[coding, 4]
    hit = np.minimum(end, asked[owner, 4]) - np.maximum(start, asked[owner, 3]) >= min_overlap
    names, label = np.unique(np.asarray(labels, dtype=object), return_inverse=True)
    size = max(len(names), 1)
    pair, name = np.divmod(sorted_unique(owner[hit] * size + label[coding[hit]]), size)
    ends = np.cumsum(np.bincount(pair, minlength=len(asked)))
    texts = names[name].tolist()
    per_coder = iter([tuple(texts[first:last]) for first, last in zip([0, *ends[:-1].tolist()], ends.tolist())])
    return [{coder: next(per_coder) for coder in row.coders_with} for rows in found.values() for row in rows]
