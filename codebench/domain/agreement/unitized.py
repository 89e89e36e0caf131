"""Unitized alpha family on a character continuum (Krippendorff, Mathet, Bouvry & Widloecher 2016,
"On the reliability of unitizing textual continua: Further developments", Quality & Quantity 50(6)).

Each coder partitions a transcript into sections: the union of their spans of a code is that code's
sections, everything else is gap. From the coders' sections:

- ``u_alpha``: all values (gap and every code) together, eq. 5 of the paper;
- ``binary_u_alpha`` (|u-alpha): every code merged into "coded" against gap, ``1 - l_gap,coded / e_gap,coded``;
- ``cu_alpha``: the codes only, on the stretches that two coders both coded, with the squared-overlap
  correction in the expected term (eq. 10-11);
- ``ku_alpha[k]`` ((k)u-alpha): eq. 13b on the cu coincidences, ``1 - e_k./l_k. * (l_k. - l_kk) / (e_k. - e_kk)``;
- ``code_u_alpha[k]``: |u-alpha computed on code k's sections alone (all other codes are gap for it).

Readings this module implements, where the paper leaves room:

- Several transcripts are concatenated: coincidences and section weights are summed over transcripts,
  then one expected term is computed. Only coders who observed a transcript take part in it, and each
  transcript's pairs are weighted 1/(m_t - 1) with m_t its observing coders (as alpha does for units
  with missing values); transcripts with fewer than two observing coders drop out.
- 3+ coders: observed coincidences sum over ordered coder pairs / (m - 1) (the paper's m-coder form).
  For cu-alpha a coder's section weight is, for every other observing coder, the squared length of the
  section's overlap with that coder's coded stretches, summed over the other coders and divided by
  (m - 1); with two coders this is the paper's squared overlap.
- A coder may give one stretch several codes (sections of different codes overlap). Each character
  then carries one unit of mass per coder, shared equally among that coder's codes there (a character
  coded cost and trust counts 1/2 for each), and a section's weight is its mass squared. Without
  overlapping codes this is exactly the paper's definition.
- A coefficient whose expected disagreement is zero up to rounding (1e-9 of its scale), e.g. cu-alpha
  with a single code, is undefined ("no variation") rather than a ratio of rounding errors.

The coefficients need only the diagonal, the row totals and the gap row of the observed coincidences;
these come from per-segment sums in time linear in the sections' segment incidences. The full matrix
(pairs of values on every segment) is built only for ``UnitizedAgreement.coincidences``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, fields

import numpy as np

from codebench.domain.agreement._arrays import expand_ranges, pairs_within_groups, run_lengths, sorted_unique
from codebench.domain.agreement.codings import CodingTable
from codebench.domain.agreement.coefficients import NO_VARIATION, Coefficient, Coefficients, guarded
from codebench.domain.errors import InputError
from codebench.domain.model import CodedSpan

NO_SHARED_TRANSCRIPT = "no transcript was observed by two or more coders"


@dataclass(frozen=True)
class UnitizedAgreement:
    """The unitized coefficients; ``coincidences`` are the observed l_ck over ``values`` (gap first, as "")."""

    values: tuple[str, ...]
    coincidences: np.ndarray
    u_alpha: Coefficient
    binary_u_alpha: Coefficient
    cu_alpha: Coefficient
    code_u_alpha: Mapping[str, Coefficient]
    ku_alpha: Mapping[str, Coefficient]


@dataclass(frozen=True)
class _Continuum:
    """Coders' sections cut into elementary segments (all transcripts concatenated, one separator between)."""

    coders: int
    codes: int
    seg_len: np.ndarray  # (S,) length of each elementary segment
    seg_pair_weight: np.ndarray  # (S,) 1 / (m_t - 1) where the segment counts, else 0
    seg_observers: np.ndarray  # (S, C) which coders observed the segment's transcript (and it counts)
    section_code: np.ndarray  # (N,) code of each section (a union of one coder's spans of one code)
    section_length: np.ndarray  # (N,)
    section_pair_weight: np.ndarray  # (N,) 1 / (m_t - 1) of the section's transcript
    inc_section: np.ndarray  # (I,) incidences: section covers segment
    inc_seg: np.ndarray
    inc_coder: np.ndarray
    inc_share: np.ndarray  # (I,) the section's share of its coder's unit mass at the segment
    coded_count: np.ndarray  # (S, C) number of codes each coder has on each segment


def coding_rows(
    codings: Sequence[CodedSpan] | CodingTable,
    coder_index: Mapping[str, int],
    transcript_index: Mapping[str, int],
    code_index: Mapping[str, int],
    lengths: np.ndarray,
    observers: np.ndarray,
) -> np.ndarray:
    """Check the codings and return those of the codes in ``code_index`` as int64 rows
    (coder, transcript, code, start, end). ``lengths`` and ``observers`` (transcripts x coders) are indexed
    like ``transcript_index``. Raise InputError on the first bad coding, whatever its code."""
    table = CodingTable.of(codings)
    rows = table.indexed(coder_index, transcript_index, code_index)
    coder, transcript, _, start, end = rows.T
    padded_lengths, padded_observers = np.append(lengths, 0), np.pad(observers, ((0, 1), (0, 1)))  # index -1: unknown
    failures = {
        "unknown coder": coder < 0,
        "unknown transcript": transcript < 0,
        "coding span is empty or outside its transcript": ~((start >= 0) & (start < end)
                                                             & (end <= padded_lengths[transcript])),
        "coder has codings in a transcript they did not observe": ~padded_observers[transcript, coder],
    }
    bad = np.logical_or.reduce(list(failures.values())) if rows.size else np.zeros(0, dtype=bool)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        span = table.span(first)
        message = next(reason for reason, failed in failures.items() if failed[first])
        named = {"unknown coder": span.coder, "unknown transcript": span.transcript}
        if message in named:
            message = f"{message} {named[message]!r}"
        raise InputError(message, where=f"{span.coder}/{span.transcript}[{span.start}:{span.end}]")
    return rows[rows[:, 2] >= 0]


def _build_continuum(length: np.ndarray, observers: np.ndarray, rows: np.ndarray, codes: int) -> _Continuum:
    """Cut the coders' sections into elementary segments; ``rows`` are checked codings (see ``coding_rows``)."""
    coders = observers.shape[1]
    coder, transcript, code, start, end = rows.T
    m = observers.sum(1)
    counts = m[transcript] >= 2
    coder, transcript, code, start, end = (x[counts] for x in (coder, transcript, code, start, end))
    offset = np.cumsum(length + 1) - (length + 1)
    group = coder * codes + code
    sections = _merge(group, offset[transcript] + start, offset[transcript] + end, int(offset[-1] + length[-1] + 2))
    section_group, section_start, section_end = sections
    bounds = sorted_unique(np.concatenate([section_start, section_end, offset, offset + length]))
    seg_start, seg_len = bounds[:-1], np.diff(bounds)
    seg_transcript = np.searchsorted(offset, seg_start, side="right") - 1
    seg_counts = (seg_start < offset[seg_transcript] + length[seg_transcript]) & (m[seg_transcript] >= 2)
    pair_weight = np.divide(1.0, m - 1, out=np.zeros(m.size), where=m >= 2)
    inc_section, inc_seg = expand_ranges(
        np.searchsorted(bounds, section_start), np.searchsorted(bounds, section_end)
    )
    inc_coder = (section_group // codes)[inc_section]
    coded_count = np.bincount(inc_seg * coders + inc_coder, minlength=seg_len.size * coders)
    coded_count = coded_count.reshape(seg_len.size, coders)
    return _Continuum(
        coders=coders,
        codes=codes,
        seg_len=seg_len.astype(float),
        seg_pair_weight=np.where(seg_counts, pair_weight[seg_transcript], 0.0),
        seg_observers=observers[seg_transcript] & seg_counts[:, None],
        section_code=section_group % codes,
        section_length=(section_end - section_start).astype(float),
        section_pair_weight=pair_weight[np.searchsorted(offset, section_start, side="right") - 1],
        inc_section=inc_section,
        inc_seg=inc_seg,
        inc_coder=inc_coder,
        inc_share=1.0 / coded_count[inc_seg, inc_coder],
        coded_count=coded_count,
    )


def _merge(group: np.ndarray, start: np.ndarray, end: np.ndarray, stride: int) -> tuple[np.ndarray, ...]:
    """Union of the intervals of each group: (group, start, end) of the merged intervals, sorted."""
    order = np.lexsort((start, group))
    group, start, end = group[order], start[order], end[order]
    reach = np.maximum.accumulate(group * stride + end)
    new = np.r_[True, group[1:] * stride + start[1:] > reach[:-1]] if group.size else np.zeros(0, dtype=bool)
    first = np.flatnonzero(new)
    merged_end = np.maximum.reduceat(end, first) if first.size else end
    return group[first], start[first], merged_end


def _observed_coincidences(cont: _Continuum) -> np.ndarray:
    """l_ck over gap (index 0) and codes: sum over segments and ordered coder pairs i != j, weighted 1/(m - 1)."""
    gap_seg, gap_coder = np.nonzero(cont.seg_observers & (cont.coded_count == 0))
    seg = np.concatenate([gap_seg, cont.inc_seg])
    coder = np.concatenate([gap_coder, cont.inc_coder])
    value = np.concatenate([np.zeros(gap_seg.size, dtype=np.int64), cont.section_code[cont.inc_section] + 1])
    share = np.concatenate([np.ones(gap_seg.size), cont.inc_share])
    order = np.argsort(seg, kind="stable")
    seg, coder, value, share = seg[order], coder[order], value[order], share[order]
    left, right = pairs_within_groups(run_lengths(seg))
    keep = coder[left] != coder[right]
    left, right = left[keep], right[keep]
    size = cont.codes + 1
    weight = share[left] * share[right] * (cont.seg_len * cont.seg_pair_weight)[seg[left]]
    return np.bincount(value[left] * size + value[right], weights=weight, minlength=size * size).reshape(size, size)


@dataclass(frozen=True)
class _CodeGroups:
    """Incidences grouped by (segment, code): the coders having the code there and the sum of their shares."""

    seg: np.ndarray
    code: np.ndarray
    coders: np.ndarray  # how many coders have the code on the segment
    shares: np.ndarray  # sum of their shares
    squared_shares: np.ndarray  # sum of their squared shares


def _code_groups(cont: _Continuum) -> _CodeGroups:
    """Group the incidences by (segment, code); a coder has at most one section of a code on a segment."""
    key = cont.inc_seg * cont.codes + cont.section_code[cont.inc_section]
    order = np.argsort(key, kind="stable")
    sizes = run_lengths(key[order])
    first = np.cumsum(sizes) - sizes
    seg, code = np.divmod(key[order][first], cont.codes)
    group = np.repeat(np.arange(sizes.size), sizes)
    share = cont.inc_share[order]
    sums = np.bincount(group, weights=share, minlength=sizes.size)
    squares = np.bincount(group, weights=share**2, minlength=sizes.size)
    return _CodeGroups(seg, code, sizes, sums, squares)


@dataclass(frozen=True)
class _Summary:
    """What the coefficients need of the observed coincidences l_ck (value 0 is gap, code k is value k + 1)."""

    diagonal: np.ndarray  # l_cc
    totals: np.ndarray  # l_c. (row totals, the value's mass)
    gap: np.ndarray  # l_0c (the gap row)


def _summary(cont: _Continuum, groups: _CodeGroups) -> _Summary:
    """Diagonal, row totals and gap row of l_ck without the full matrix, from per-segment sums.

    Over the ordered pairs of different coders on a segment (weight length / (m - 1)): two coders with code k
    add their shares' product, so a segment adds ``(sum share)^2 - sum share^2``; g gap coders add g (g - 1)
    to l_00 and g times the share of each code to l_0k. Every coder's shares on a segment sum to 1, so a
    value's row total is its mass (length times share).
    """
    weight = cont.seg_len * cont.seg_pair_weight
    gap_coders = (cont.seg_observers & (cont.coded_count == 0)).sum(1)
    codes = cont.codes
    inc_code = cont.section_code[cont.inc_section]
    code_diagonal = np.bincount(
        groups.code, weights=(groups.shares**2 - groups.squared_shares) * weight[groups.seg], minlength=codes
    )
    gap_row = np.bincount(inc_code, weights=cont.inc_share * (weight * gap_coders)[cont.inc_seg], minlength=codes)
    gap_agreeing = (gap_coders * (gap_coders - 1) * weight).sum()
    code_totals = np.bincount(inc_code, weights=_inc_mass(cont), minlength=codes)
    return _Summary(
        diagonal=np.r_[gap_agreeing, code_diagonal],
        totals=np.r_[(gap_coders * cont.seg_len).sum(), code_totals],
        gap=np.r_[gap_agreeing, gap_row],
    )


def _inc_mass(cont: _Continuum) -> np.ndarray:
    """Each incidence's mass: segment length times the section's share of its coder there."""
    return cont.inc_share * cont.seg_len[cont.inc_seg]


def _section_mass(cont: _Continuum, where: np.ndarray | None = None) -> np.ndarray:
    """Each section's mass (length times share), optionally only over incidences selected by ``where``."""
    mass = _inc_mass(cont) if where is None else _inc_mass(cont) * where
    return np.bincount(cont.inc_section, weights=mass, minlength=cont.section_code.size)


def _vanishes(disagreement: np.ndarray | float, scale: np.ndarray | float) -> np.ndarray:
    """An expected disagreement that is zero up to rounding (relative to ``scale``) or not a number."""
    return ~(np.asarray(disagreement) > 1e-9 * np.abs(scale))


@dataclass(frozen=True)
class _Alpha:
    """One alpha with the diagonal and row totals of its expected coincidences e_ck."""

    alpha: Coefficient
    expected_diagonal: np.ndarray
    expected_totals: np.ndarray


def _alpha_with_expected(
    marginals: np.ndarray, agreeing: np.ndarray, weights: np.ndarray, empty_reason: str
) -> _Alpha:
    """Nominal alpha ``1 - (l.. - sum l_cc) / (l.. - sum e_cc)`` from the observed row totals and diagonal,
    with ``e_ck = (l_c. l_.k - [c == k] w_c) / (l.. - sum w / l..)`` (paper eq. 4/10)."""
    total = marginals.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        denominator = total - weights.sum() / total
        expected_diagonal = (marginals**2 - weights) / denominator
        expected_totals = (marginals * total - weights) / denominator
        disagreement_expected = total - expected_diagonal.sum()
        alpha = 1 - (total - agreeing.sum()) / disagreement_expected
    checks = [(total <= 0, empty_reason), (_vanishes(disagreement_expected, total), NO_VARIATION)]
    return _Alpha(guarded(alpha, checks)[()], expected_diagonal, expected_totals)


def _code_u_alpha(cont: _Continuum, groups: _CodeGroups, total: float) -> Coefficients:
    """|u-alpha of each code on its own sections, every other code counting as gap."""
    weight = cont.seg_len * cont.seg_pair_weight
    agreeing = np.bincount(
        groups.code, weights=groups.coders * (groups.coders - 1) * weight[groups.seg], minlength=cont.codes
    )
    coded = np.bincount(cont.section_code, weights=cont.section_length, minlength=cont.codes)
    weights = np.bincount(cont.section_code, weights=cont.section_length**2, minlength=cont.codes) + total - coded
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = coded * (total - coded) / (total - weights / total)
        alpha = 1 - (coded - agreeing) / expected
    return guarded(alpha, [(np.full(cont.codes, total <= 0), NO_SHARED_TRANSCRIPT), (~(expected > 0), NO_VARIATION)])


def _cu_weights(cont: _Continuum) -> np.ndarray:
    """Per code: squared overlaps of each section with each other observing coder's coded stretches, / (m - 1)."""
    coded = cont.coded_count > 0
    weights = np.zeros(cont.codes)
    for other in range(cont.coders):
        meets = coded[cont.inc_seg, other] & (cont.inc_coder != other)
        overlap = _section_mass(cont, meets)
        weights += np.bincount(
            cont.section_code, weights=overlap**2 * cont.section_pair_weight, minlength=cont.codes
        )
    return weights


def _ku_alpha(marginals: np.ndarray, agreeing: np.ndarray, cu: _Alpha) -> Coefficients:
    """(k)u-alpha, eq. 13b: ``1 - e_k./l_k. * (l_k. - l_kk) / (e_k. - e_kk)`` on the cu coincidences."""
    expected_marginals, expected_agreeing = cu.expected_totals, cu.expected_diagonal
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = 1 - expected_marginals / marginals * (marginals - agreeing) / (expected_marginals - expected_agreeing)
    return guarded(
        alpha,
        [(marginals <= 0, "the code never meets another coder's coding"),
         (_vanishes(expected_marginals - expected_agreeing, expected_marginals), NO_VARIATION)],
    )


@dataclass(frozen=True)
class UnitizedCoefficients:
    """The unitized coefficients of ``UnitizedAgreement`` without the coincidence matrix."""

    u_alpha: Coefficient
    binary_u_alpha: Coefficient
    cu_alpha: Coefficient
    code_u_alpha: Mapping[str, Coefficient]
    ku_alpha: Mapping[str, Coefficient]


def unitized_coefficients(
    length: np.ndarray, observers: np.ndarray, rows: np.ndarray, codes: Sequence[str]
) -> UnitizedCoefficients:
    """The unitized coefficients from transcript ``length`` (T,), ``observers`` (T, coders) and checked
    coding ``rows`` (see ``coding_rows``; code indices into ``codes``)."""
    return _coefficients(_build_continuum(length, observers, rows, len(codes)), codes)


def _coefficients(cont: _Continuum, codes: Sequence[str]) -> UnitizedCoefficients:
    """Every unitized coefficient of a continuum, from the summary of its observed coincidences."""
    groups = _code_groups(cont)
    observed = _summary(cont, groups)
    weights = np.r_[observed.totals[0], np.bincount(cont.section_code, weights=_section_mass(cont) ** 2,
                                                    minlength=cont.codes)]
    u_alpha = _alpha_with_expected(observed.totals, observed.diagonal, weights, NO_SHARED_TRANSCRIPT)
    total = observed.totals.sum()
    gap_total, gap_agreeing = observed.totals[0], observed.diagonal[0]
    binary = _alpha_with_expected(
        np.array([gap_total, total - gap_total]),
        np.array([gap_agreeing, total - 2 * gap_total + gap_agreeing]),
        np.array([weights[0], weights[1:].sum()]),
        NO_SHARED_TRANSCRIPT,
    )
    cu_marginals = observed.totals[1:] - observed.gap[1:]
    cu = _alpha_with_expected(
        cu_marginals, observed.diagonal[1:], _cu_weights(cont), "no stretch was coded by two or more coders"
    )
    ku = _ku_alpha(cu_marginals, observed.diagonal[1:], cu)
    per_code = _code_u_alpha(cont, groups, total)
    return UnitizedCoefficients(
        u_alpha=u_alpha.alpha,
        binary_u_alpha=binary.alpha,
        cu_alpha=cu.alpha,
        code_u_alpha={code: per_code[i] for i, code in enumerate(codes)},
        ku_alpha={code: ku[i] for i, code in enumerate(codes)},
    )


def _indices(
    lengths: Mapping[str, int], coders: Sequence[str], observed: Mapping[str, Set[str]] | None
) -> tuple[dict[str, int], dict[str, int], np.ndarray, np.ndarray]:
    """Transcript and coder indices, transcript lengths and the transcripts x coders observer table."""
    names = list(lengths)
    observers = np.ones((len(names), len(coders)), dtype=bool)
    if observed is not None:
        observers[:] = [[name in observed.get(coder, ()) for coder in coders] for name in names]
    length = np.array([lengths[name] for name in names], dtype=np.int64)
    return {n: i for i, n in enumerate(names)}, {c: i for i, c in enumerate(coders)}, length, observers


def unitized_agreement(
    lengths: Mapping[str, int],
    codings: Iterable[CodedSpan],
    coders: Sequence[str],
    *,
    observed: Mapping[str, Set[str]] | None = None,
    codes: Sequence[str] | None = None,
) -> UnitizedAgreement:
    """The unitized alpha family over transcripts of the given ``lengths`` (see the module docstring).

    ``observed`` maps a coder to the transcripts they observed (default: all); ``codes`` restricts and
    orders the codes (default: every code used, sorted). Codings of other codes are ignored.
    """
    codings = list(codings)
    codes = list(codes) if codes is not None else sorted({span.code for span in codings})
    transcript_index, coder_index, length, observers = _indices(lengths, coders, observed)
    code_index = {code: k for k, code in enumerate(codes)}
    rows = coding_rows(codings, coder_index, transcript_index, code_index, length, observers)
    cont = _build_continuum(length, observers, rows, len(codes))
    coefficients = _coefficients(cont, codes)
    return UnitizedAgreement(
        values=("", *codes),
        coincidences=_observed_coincidences(cont),
        **{f.name: getattr(coefficients, f.name) for f in fields(coefficients)},
    )
