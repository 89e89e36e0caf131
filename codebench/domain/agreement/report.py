"""The agreement report: per-code and overall coefficients for coders' codings of transcript units.

Contract: a coder's units of transcripts they did not observe are missing (not 0). For code k,
value(coder, unit) = 1 if the coder has a coding of k overlapping the unit by >= ``min_overlap``
characters, else 0. Per code the report gives nominal alpha on these binary values, pairwise percent
agreement, Fleiss' kappa (units observed by every coder), Cohen's kappa per coder pair, Gwet's AC1,
the number of units with two or more observing coders, prevalence (coded values / observed values),
the unitized |u-alpha and (k)u-alpha of the code, and optionally a bootstrap interval for alpha.
Overall: alpha with MASI distance over each unit's set of codes, the prevalence-weighted mean of the
per-code alphas, and the unitized u-alpha and cu-alpha across codes. Undefined values are ``None``
with a reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from functools import cached_property
from typing import Any

import numpy as np

from codebench.domain.agreement._arrays import expand_ranges
from codebench.domain.agreement.binary import (
    binary_alpha,
    binary_fleiss_kappa,
    binary_gwet_ac1,
    binary_percent_agreement,
    unit_histogram_of,
)
from codebench.domain.agreement.codings import CodingTable
from codebench.domain.agreement.coefficients import Coefficient, bootstrap_alpha, cohen_kappa_array
from codebench.domain.agreement.masi import alpha_masi_entries
from codebench.domain.agreement.unitized import coding_rows, unitized_coefficients
from codebench.domain.errors import InputError
from codebench.domain.model import CodedSpan

BINARY = np.array([0.0, 1.0])


@dataclass(frozen=True, slots=True)
class TranscriptUnits:
    """A transcript's name, text length and units of analysis (character spans [start, end))."""

    name: str
    length: int
    units: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class AgreementInput:
    """Everything the report needs: coders, transcripts with units, who observed what, and the codings."""

    coders: tuple[str, ...]
    transcripts: tuple[TranscriptUnits, ...]
    observed: dict[str, frozenset[str]]
    codings: Sequence[CodedSpan] | CodingTable


@dataclass(frozen=True)
class CodeAgreement:
    """All coefficients of one code."""

    code: str
    alpha: Coefficient
    ci95: tuple[float, float] | None
    percent_agreement: Coefficient
    fleiss_kappa: Coefficient
    cohen_kappa: Mapping[str, Coefficient]
    gwet_ac1: Coefficient
    u_alpha: Coefficient
    ku_alpha: Coefficient
    units: int
    prevalence: float | None

    def to_dict(self) -> dict[str, Any]:
        named = {
            "alpha": self.alpha,
            "percent_agreement": self.percent_agreement,
            "fleiss_kappa": self.fleiss_kappa,
            "gwet_ac1": self.gwet_ac1,
            "u_alpha": self.u_alpha,
            "ku_alpha": self.ku_alpha,
            **{f"cohen_kappa.{pair}": kappa for pair, kappa in self.cohen_kappa.items()},
        }
        return {
            "code": self.code,
            "alpha": self.alpha.value,
            "ci95": list(self.ci95) if self.ci95 else None,
            "percent_agreement": self.percent_agreement.value,
            "fleiss_kappa": self.fleiss_kappa.value,
            "cohen_kappa": {pair: kappa.value for pair, kappa in self.cohen_kappa.items()},
            "gwet_ac1": self.gwet_ac1.value,
            "u_alpha": self.u_alpha.value,
            "ku_alpha": self.ku_alpha.value,
            "units": self.units,
            "prevalence": self.prevalence,
            "reasons": _reasons(named),
        }


@dataclass(frozen=True)
class OverallAgreement:
    """Coefficients across all codes."""

    alpha_masi: Coefficient
    mean_alpha: Coefficient
    u_alpha: Coefficient
    cu_alpha: Coefficient

    def to_dict(self) -> dict[str, Any]:
        named = {"alpha_masi": self.alpha_masi, "mean_alpha": self.mean_alpha, "u_alpha": self.u_alpha,
                 "cu_alpha": self.cu_alpha}
        return {**{name: c.value for name, c in named.items()}, "reasons": _reasons(named)}


@dataclass(frozen=True)
class AgreementReport:
    """The report; ``codes`` are sorted by alpha, lowest first, undefined alphas last."""

    level: str | None
    unit: str | None
    coders: tuple[str, ...]
    codes: tuple[CodeAgreement, ...]
    overall: OverallAgreement

    def to_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "unit": self.unit,
            "coders": list(self.coders),
            "codes": [code.to_dict() for code in self.codes],
            "overall": self.overall.to_dict(),
        }


@dataclass(frozen=True)
class Disagreement:
    """A unit where the observing coders differ on a code."""

    transcript: str
    unit_index: int
    unit: tuple[int, int]
    coders_with: tuple[str, ...]
    coders_without: tuple[str, ...]


def _reasons(named: Mapping[str, Coefficient]) -> dict[str, str]:
    return {name: c.reason for name, c in named.items() if c.reason is not None}


@dataclass(frozen=True)
class _Units:
    """Units (sorted by transcript and start) with who observed them, and the checked codings."""

    transcript: np.ndarray  # (U,) transcript position in the input
    index: np.ndarray  # (U,) the unit's index in its transcript's ``units``
    start: np.ndarray  # (U,) local offsets
    end: np.ndarray
    observed: np.ndarray  # (U, C) bool
    lengths: np.ndarray  # (T,) transcript lengths
    transcript_observers: np.ndarray  # (T, C) bool
    codings: np.ndarray  # (N, 5) checked codings of the chosen codes: coder, transcript, code, start, end


@dataclass(frozen=True)
class _Presence(_Units):
    """The units, and who coded which code there."""

    present: np.ndarray  # (U, C, K) bool, only where observed

    @cached_property
    def entries(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(unit, coder, code) of every true entry of ``present``, in ``np.nonzero`` order."""
        _, coders, codes = self.present.shape
        unit, rest = np.divmod(np.flatnonzero(self.present), coders * codes)
        return (unit, *np.divmod(rest, codes))


def _coded_units(
    data: AgreementInput, codings: CodingTable, codes: Sequence[str], min_overlap: int
) -> tuple[_Units, np.ndarray, np.ndarray, np.ndarray]:
    """The checked units and codings, and (unit, coder, code) of every coding overlapping a unit by at least
    ``min_overlap`` characters (a unit, coder and code may repeat), from one searchsorted pass over all
    ``codings`` (``data.codings`` as a table)."""
    if min_overlap < 1:
        raise InputError("min_overlap must be at least 1 character")
    names = {t.name: i for i, t in enumerate(data.transcripts)}
    coders = {name: i for i, name in enumerate(data.coders)}
    length = np.array([t.length for t in data.transcripts], dtype=np.int64)
    offset = np.cumsum(length + 1) - (length + 1)
    rows = [(names[t.name], i, s, e) for t in data.transcripts for i, (s, e) in enumerate(t.units)]
    transcript, index, start, end = np.array(rows, dtype=np.int64).reshape(-1, 4).T
    if ((start < 0) | (start >= end) | (end > length[transcript])).any():
        bad = int(np.flatnonzero((start < 0) | (start >= end) | (end > length[transcript]))[0])
        raise InputError("unit is empty or outside its transcript", where=data.transcripts[transcript[bad]].name)
    order = np.lexsort((start, transcript))
    transcript, index, start, end = transcript[order], index[order], start[order], end[order]
    same = transcript[1:] == transcript[:-1]
    if (same & (start[1:] < end[:-1])).any():
        bad = int(np.flatnonzero(same & (start[1:] < end[:-1]))[0])
        raise InputError("units overlap", where=data.transcripts[transcript[bad]].name)
    observers = np.array([[t.name in data.observed.get(c, ()) for c in data.coders] for t in data.transcripts],
                         dtype=bool).reshape(len(data.transcripts), len(data.coders))
    code_index = {code: k for k, code in enumerate(codes)}
    spans = coding_rows(codings, coders, names, code_index, length, observers)
    coder, span_transcript, code, span_start, span_end = spans.T
    unit_start, unit_end = offset[transcript] + start, offset[transcript] + end
    span_start, span_end = offset[span_transcript] + span_start, offset[span_transcript] + span_end
    coding, unit = expand_ranges(
        np.searchsorted(unit_end, span_start, side="right"), np.searchsorted(unit_start, span_end, side="left")
    )
    overlap = np.minimum(span_end[coding], unit_end[unit]) - np.maximum(span_start[coding], unit_start[unit])
    hit = overlap >= min_overlap
    units = _Units(transcript, index, start, end, observers[transcript], length, observers, spans)
    return units, unit[hit], coder[coding[hit]], code[coding[hit]]


def _presence(data: AgreementInput, codings: CodingTable, codes: Sequence[str], min_overlap: int) -> _Presence:
    """Build the unit x coder x code presence array of ``_coded_units``."""
    units, unit, coder, code = _coded_units(data, codings, codes, min_overlap)
    present = np.zeros((units.transcript.size, len(data.coders), len(codes)), dtype=bool)
    present[unit, coder, code] = True
    return _Presence(**{f.name: getattr(units, f.name) for f in fields(units)}, present=present)


def _ones(presence: _Presence) -> np.ndarray:
    """(U, K) number of coders who gave each unit each code (summed coder by coder in the smallest integer type)."""
    present = presence.present
    ones = np.zeros((present.shape[0], present.shape[2]), dtype=np.min_scalar_type(present.shape[1]))
    for coder in range(present.shape[1]):
        ones += present[:, coder, :]
    return ones


def _code_tables(ones: np.ndarray, observers: np.ndarray) -> np.ndarray:
    """(K, U, 2) counts of 0 and 1 values per code and unit (the bootstrap resamples these)."""
    return np.stack([observers[None, :] - ones.T, ones.T], axis=-1).astype(float)


def _cohen_tables(presence: _Presence, first: int, second: int) -> np.ndarray:
    """(K, 2, 2) contingency tables of two coders over the units both observed."""
    codes = presence.present.shape[2]
    both = presence.observed[:, first] & presence.observed[:, second]
    total = np.count_nonzero(both)
    unit, coder, code = presence.entries
    in_both = both[unit]
    cells_first = (unit * codes + code)[in_both & (coder == first)]
    cells_second = (unit * codes + code)[in_both & (coder == second)]
    agree_one = np.bincount(np.intersect1d(cells_first, cells_second, assume_unique=True) % codes, minlength=codes)
    only_first = np.bincount(cells_first % codes, minlength=codes) - agree_one
    only_second = np.bincount(cells_second % codes, minlength=codes) - agree_one
    cells = [[total - agree_one - only_first - only_second, only_second], [only_first, agree_one]]
    return np.moveaxis(np.array(cells, dtype=float), -1, 0)


def _mean_alpha(alphas: np.ndarray, prevalence: np.ndarray) -> Coefficient:
    """Prevalence-weighted mean of the defined per-code alphas."""
    defined = ~np.isnan(alphas) & (prevalence > 0)
    if not defined.any():
        return Coefficient(None, "no code has a defined alpha")
    return Coefficient(float(np.average(alphas[defined], weights=prevalence[defined])), None)


def compute_agreement(
    data: AgreementInput,
    *,
    codes: list[str] | None = None,
    min_overlap: int = 1,
    bootstrap: int = 0,
    seed: int = 0,
    level: str | None = None,
    unit: str | None = None,
) -> AgreementReport:
    """Compute the agreement report (see the module docstring); ``level`` and ``unit`` are labels for the report.

    ``codes`` restricts the report to these codes (default: every code used, sorted); ``bootstrap`` is
    the number of bootstrap resamples for the alpha intervals (0: no interval).
    """
    codings = CodingTable.of(data.codings)
    codes = list(codes) if codes is not None else codings.used_codes()
    presence = _presence(data, codings, codes, min_overlap)
    m = presence.observed.sum(1)
    entry_unit, _, entry_code = presence.entries
    cells, given = np.unique(entry_unit * len(codes) + entry_code, return_counts=True)
    histogram = unit_histogram_of(cells // len(codes), cells % len(codes), given, m, len(codes), len(data.coders))
    alpha = binary_alpha(histogram)
    percent = binary_percent_agreement(histogram)
    fleiss = binary_fleiss_kappa(histogram)
    gwet = binary_gwet_ac1(histogram)
    pairs = [(i, j) for i in range(len(data.coders)) for j in range(i + 1, len(data.coders))]
    cohen = {f"{data.coders[i]}|{data.coders[j]}": cohen_kappa_array(_cohen_tables(presence, i, j)) for i, j in pairs}
    observed_values = m.sum()
    prevalence = (np.bincount(entry_code, minlength=len(codes)) / observed_values if observed_values
                  else np.full(len(codes), np.nan))
    intervals = (bootstrap_alpha(_code_tables(_ones(presence), m), BINARY, "nominal", resamples=bootstrap, seed=seed)
                 if bootstrap else None)
    pairable_units = int((m >= 2).sum())
    unitized = unitized_coefficients(presence.lengths, presence.transcript_observers, presence.codings, codes)
    per_code = [
        CodeAgreement(
            code=code,
            alpha=alpha[k],
            ci95=None if intervals is None or np.isnan(intervals[k, 0]) else (float(intervals[k, 0]),
                                                                              float(intervals[k, 1])),
            percent_agreement=percent[k],
            fleiss_kappa=fleiss[k],
            cohen_kappa={pair: kappas[k] for pair, kappas in cohen.items()},
            gwet_ac1=gwet[k],
            u_alpha=unitized.code_u_alpha[code],
            ku_alpha=unitized.ku_alpha[code],
            units=pairable_units,
            prevalence=None if np.isnan(prevalence[k]) else float(prevalence[k]),
        )
        for k, code in enumerate(codes)
    ]
    per_code.sort(key=lambda c: (c.alpha.value is None, c.alpha.value or 0.0, c.code))
    overall = OverallAgreement(
        alpha_masi=alpha_masi_entries(*presence.entries, presence.observed),
        mean_alpha=_mean_alpha(alpha.values, np.nan_to_num(prevalence)),
        u_alpha=unitized.u_alpha,
        cu_alpha=unitized.cu_alpha,
    )
    return AgreementReport(level, unit, tuple(data.coders), tuple(per_code), overall)


def find_disagreements(data: AgreementInput, code: str, min_overlap: int = 1) -> list[Disagreement]:
    """Units where the coders who observed them differ on ``code``, in transcript and text order."""
    presence = _presence(data, CodingTable.of(data.codings), [code], min_overlap)
    coded = presence.present[:, :, 0]
    with_code = coded.sum(1)
    split = np.flatnonzero((presence.observed.sum(1) >= 2) & (with_code > 0) & (with_code < presence.observed.sum(1)))
    return [
        Disagreement(
            transcript=data.transcripts[presence.transcript[u]].name,
            unit_index=int(presence.index[u]),
            unit=(int(presence.start[u]), int(presence.end[u])),
            coders_with=tuple(c for i, c in enumerate(data.coders) if coded[u, i]),
            coders_without=tuple(c for i, c in enumerate(data.coders) if presence.observed[u, i] and not coded[u, i]),
        )
        for u in split
    ]
