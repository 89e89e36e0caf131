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
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass

import numpy as np

from codebench.domain.agreement._arrays import expand_ranges, pairs_within_groups, run_lengths
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


def _build_continuum(
    lengths: Mapping[str, int],
    codings: Iterable[CodedSpan],
    coders: Sequence[str],
    observed: Mapping[str, Set[str]] | None,
    codes: Sequence[str],
) -> _Continuum:
    names = list(lengths)
    transcript_index = {name: i for i, name in enumerate(names)}
    coder_index = {name: i for i, name in enumerate(coders)}
    code_index = {name: i for i, name in enumerate(codes)}
    length = np.array([lengths[name] for name in names], dtype=np.int64)
    observers = np.ones((len(names), len(coders)), dtype=bool)
    if observed is not None:
        observers[:] = [[name in observed.get(coder, ()) for coder in coders] for name in names]
    rows = [
        (coder_index[span.coder], transcript_index[span.transcript], code_index[span.code], span.start, span.end)
        for span in checked_codings(codings, coder_index, transcript_index, lengths, observers)
        if span.code in code_index
    ]
    coder, transcript, code, start, end = np.array(rows, dtype=np.int64).reshape(-1, 5).T
    m = observers.sum(1)
    counts = m[transcript] >= 2
    coder, transcript, code, start, end = (x[counts] for x in (coder, transcript, code, start, end))
    offset = np.cumsum(length + 1) - (length + 1)
    group = coder * len(codes) + code
    sections = _merge(group, offset[transcript] + start, offset[transcript] + end, int(offset[-1] + length[-1] + 2))
    section_group, section_start, section_end = sections
    bounds = np.unique(np.concatenate([section_start, section_end, offset, offset + length]))
    seg_start, seg_len = bounds[:-1], np.diff(bounds)
    seg_transcript = np.searchsorted(offset, seg_start, side="right") - 1
    seg_counts = (seg_start < offset[seg_transcript] + length[seg_transcript]) & (m[seg_transcript] >= 2)
    pair_weight = np.divide(1.0, m - 1, out=np.zeros(m.size), where=m >= 2)
    inc_section, inc_seg = expand_ranges(
        np.searchsorted(bounds, section_start), np.searchsorted(bounds, section_end)
    )
    inc_coder = (section_group // len(codes))[inc_section]
    coded_count = np.bincount(inc_seg * len(coders) + inc_coder, minlength=seg_len.size * len(coders))
    coded_count = coded_count.reshape(seg_len.size, len(coders))
    return _Continuum(
        coders=len(coders),
        codes=len(codes),
        seg_len=seg_len.astype(float),
        seg_pair_weight=np.where(seg_counts, pair_weight[seg_transcript], 0.0),
        seg_observers=observers[seg_transcript] & seg_counts[:, None],
        section_code=section_group % len(codes),
        section_length=(section_end - section_start).astype(float),
        section_pair_weight=pair_weight[np.searchsorted(offset, section_start, side="right") - 1],
        inc_section=inc_section,
        inc_seg=inc_seg,
        inc_coder=inc_coder,
        inc_share=1.0 / coded_count[inc_seg, inc_coder],
        coded_count=coded_count,
    )


def checked_codings(
    codings: Iterable[CodedSpan],
    coder_index: Mapping[str, int],
    transcript_index: Mapping[str, int],
    lengths: Mapping[str, int],
    observers: np.ndarray,
) -> Iterable[CodedSpan]:
    """Yield the codings after checking coder, transcript and span; raise InputError on the first bad one."""
    for span in codings:
        where = f"{span.coder}/{span.transcript}[{span.start}:{span.end}]"
        if span.coder not in coder_index:
            raise InputError(f"unknown coder {span.coder!r}", where=where)
        if span.transcript not in transcript_index:
            raise InputError(f"unknown transcript {span.transcript!r}", where=where)
        if not 0 <= span.start < span.end <= lengths[span.transcript]:
            raise InputError("coding span is empty or outside its transcript", where=where)
        if not observers[transcript_index[span.transcript], coder_index[span.coder]]:
            raise InputError("coder has codings in a transcript they did not observe", where=where)
        yield span


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


def _section_mass(cont: _Continuum, where: np.ndarray | None = None) -> np.ndarray:
    """Each section's mass (length times share), optionally only over incidences selected by ``where``."""
    mass = cont.inc_share * cont.seg_len[cont.inc_seg]
    if where is not None:
        mass = mass * where
    return np.bincount(cont.inc_section, weights=mass, minlength=cont.section_code.size)


def _alpha_with_expected(
    observed: np.ndarray, weights: np.ndarray, empty_reason: str
) -> tuple[Coefficients, np.ndarray, float]:
    """Nominal alpha ``1 - (l.. - sum l_cc) / (l.. - sum e_cc)`` and the expected matrix e_ck (paper eq. 4/10)."""
    total = observed.sum()
    marginals = observed.sum(1)
    with np.errstate(divide="ignore", invalid="ignore"):
        denominator = total - weights.sum() / total
        expected = (np.outer(marginals, marginals) - np.diag(weights)) / denominator
        disagreement_expected = total - np.trace(expected)
        alpha = 1 - (total - np.trace(observed)) / disagreement_expected
    return guarded(alpha, [(total <= 0, empty_reason), (~(disagreement_expected > 0), NO_VARIATION)]), expected, total


def _code_u_alpha(cont: _Continuum, total: float) -> Coefficients:
    """|u-alpha of each code on its own sections, every other code counting as gap."""
    key = cont.inc_seg * cont.codes + cont.section_code[cont.inc_section]
    order = np.argsort(key, kind="stable")
    sizes = run_lengths(key[order])
    first = np.cumsum(sizes) - sizes
    seg, code = np.divmod(key[order][first], cont.codes)
    agreeing = np.bincount(
        code, weights=sizes * (sizes - 1) * (cont.seg_len * cont.seg_pair_weight)[seg], minlength=cont.codes
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


def _ku_alpha(observed: np.ndarray, expected: np.ndarray) -> Coefficients:
    """(k)u-alpha, eq. 13b: ``1 - e_k./l_k. * (l_k. - l_kk) / (e_k. - e_kk)`` on the cu coincidences."""
    marginals, agreeing = observed.sum(1), np.diag(observed)
    expected_marginals, expected_agreeing = expected.sum(1), np.diag(expected)
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = 1 - expected_marginals / marginals * (marginals - agreeing) / (expected_marginals - expected_agreeing)
    return guarded(
        alpha,
        [(marginals <= 0, "the code never meets another coder's coding"),
         (~(expected_marginals - expected_agreeing > 0), NO_VARIATION)],
    )


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
    cont = _build_continuum(lengths, codings, coders, observed, codes)
    coincidences = _observed_coincidences(cont)
    gap_mass = float((cont.seg_len[:, None] * (cont.seg_observers & (cont.coded_count == 0))).sum())
    weights = np.r_[gap_mass, np.bincount(cont.section_code, weights=_section_mass(cont) ** 2, minlength=cont.codes)]
    u_alpha, expected, total = _alpha_with_expected(coincidences, weights, NO_SHARED_TRANSCRIPT)
    merged = np.array(
        [[coincidences[0, 0], coincidences[0, 1:].sum()], [coincidences[1:, 0].sum(), coincidences[1:, 1:].sum()]]
    )
    merged_weights = np.array([weights[0], weights[1:].sum()])
    binary, _, _ = _alpha_with_expected(merged, merged_weights, NO_SHARED_TRANSCRIPT)
    cu_observed = coincidences[1:, 1:]
    cu_alpha, cu_expected, _ = _alpha_with_expected(
        cu_observed, _cu_weights(cont), "no stretch was coded by two or more coders"
    )
    ku = _ku_alpha(cu_observed, cu_expected)
    per_code = _code_u_alpha(cont, total)
    return UnitizedAgreement(
        values=("", *codes),
        coincidences=coincidences,
        u_alpha=u_alpha[()],
        binary_u_alpha=binary[()],
        cu_alpha=cu_alpha[()],
        code_u_alpha={code: per_code[i] for i, code in enumerate(codes)},
        ku_alpha={code: ku[i] for i, code in enumerate(codes)},
    )
