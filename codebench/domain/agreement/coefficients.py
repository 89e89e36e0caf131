"""Agreement coefficients for coded units: Krippendorff's alpha, Fleiss', Cohen's and Gwet's coefficients.

Every coefficient is computed by an array function that works on a whole batch of tables at once
(leading axes are batch axes, e.g. one table per code), so the report computes 500 codes in one pass.
The public single-table functions call the same array functions.

An undefined coefficient (nothing to compare, or no variation so chance agreement is total) is never
reported as 0 or 1: its value is ``None`` and ``reason`` says why.

Sources: Krippendorff (2011) "Computing Krippendorff's Alpha-Reliability"; Fleiss (1971); Cohen (1960);
Gwet (2008, 2014). Formulas as listed in ``docs`` / the methods notes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from codebench.domain.errors import InputError

Level = Literal["nominal", "ordinal", "interval", "ratio"]
LEVELS: tuple[Level, ...] = ("nominal", "ordinal", "interval", "ratio")

NO_PAIRS = "no unit has values from two or more coders"
NO_VARIATION = "no variation: every compared value is the same, so chance agreement is total"


@dataclass(frozen=True, slots=True)
class Coefficient:
    """A coefficient's value, or ``None`` with the reason it is undefined."""

    value: float | None
    reason: str | None = None


@dataclass(frozen=True)
class Coefficients:
    """One coefficient for a batch of tables: ``values`` (NaN where undefined) and ``reasons``."""

    values: np.ndarray
    reasons: np.ndarray

    def __getitem__(self, index: int | tuple[int, ...]) -> Coefficient:
        value = float(self.values[index])
        if np.isnan(value):
            return Coefficient(None, str(self.reasons[index]))
        return Coefficient(value, None)


def guarded(values: np.ndarray, checks: Sequence[tuple[np.ndarray | bool, str]]) -> Coefficients:
    """Mark ``values`` undefined wherever a check fails; the first failing check gives the reason."""
    values = np.array(values, dtype=float)
    reasons = np.full(values.shape, None, dtype=object)
    for failed, reason in reversed(checks):
        mask = np.broadcast_to(np.asarray(failed, dtype=bool), values.shape)
        reasons[mask] = reason
        values[mask] = np.nan
    still_nan = np.isnan(values) & (reasons == None)  # noqa: E711 - elementwise test on an object array
    reasons[still_nan] = "not computable from these data"
    return Coefficients(values, reasons)


# ---------------------------------------------------------------- reliability data -> value counts


def value_counts(data: Sequence[Sequence[object]] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Turn reliability data (coders x units, ``None``/NaN = missing) into (sorted values, units x values counts)."""
    if isinstance(data, np.ndarray):
        matrix = data.astype(float)
    else:
        matrix = np.array([[np.nan if v is None else v for v in row] for row in data], dtype=float)
    if matrix.ndim != 2:
        raise InputError("reliability data must be a coders x units table")
    present = ~np.isnan(matrix)
    values = np.unique(matrix[present])
    counts = np.zeros((matrix.shape[1], values.size))
    coder, unit = np.nonzero(present)
    np.add.at(counts, (unit, np.searchsorted(values, matrix[coder, unit])), 1)
    return values, counts


def coincidences(counts: np.ndarray) -> np.ndarray:
    """Coincidence matrices ``o_ck = sum_u n_uc (n_uk - [c == k]) / (m_u - 1)`` over units with m_u >= 2.

    ``counts`` has shape (..., units, values); the result (..., values, values).
    """
    counts = np.asarray(counts, dtype=float)
    m = counts.sum(-1, keepdims=True)
    weight = np.divide(1.0, m - 1, out=np.zeros_like(m), where=m >= 2)
    weighted = counts * weight
    result = np.einsum("...uc,...uk->...ck", weighted, counts)
    diagonal = np.arange(counts.shape[-1])
    result[..., diagonal, diagonal] -= weighted.sum(-2)
    return result


def differences(values: np.ndarray, level: Level, marginals: np.ndarray) -> np.ndarray:
    """Squared difference ``d2(c, k)`` between the sorted distinct ``values`` at a level of measurement.

    ``marginals`` (..., values) are the pairable-value counts n_c; only the ordinal level uses them.
    """
    c, k = values[:, None], values[None, :]
    if level == "nominal":
        return (c != k).astype(float)
    if level == "interval":
        return (c - k) ** 2
    if level == "ratio":
        if (values < 0).any():
            raise InputError("ratio-level values must not be negative")
        total = c + k
        return np.divide((c - k) ** 2, total**2, out=np.zeros((values.size, values.size)), where=total > 0)
    if level == "ordinal":
        index = np.arange(values.size)
        low, high = np.minimum.outer(index, index), np.maximum.outer(index, index)
        cumulative = np.cumsum(marginals, axis=-1)
        between = cumulative[..., high] - cumulative[..., low] + marginals[..., low]
        return (between - (marginals[..., :, None] + marginals[..., None, :]) / 2) ** 2
    raise InputError(f"unknown level of measurement {level!r}; use one of {', '.join(LEVELS)}")


def alpha_from_coincidences(observed: np.ndarray, values: np.ndarray, level: Level) -> Coefficients:
    """Krippendorff's alpha ``1 - (n - 1) sum o_ck d2_ck / sum n_c n_k d2_ck`` for a batch of coincidence matrices."""
    marginals = observed.sum(-1)
    n = marginals.sum(-1)
    d2 = differences(values, level, marginals)
    disagreement = (observed * d2).sum((-2, -1))
    expected = (marginals[..., :, None] * marginals[..., None, :] * d2).sum((-2, -1))
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = 1.0 - (n - 1) * disagreement / expected
    return guarded(alpha, [(n < 2, NO_PAIRS), (expected <= 0, NO_VARIATION)])


def krippendorff_alpha(data: Sequence[Sequence[object]] | np.ndarray, level: Level = "nominal") -> Coefficient:
    """Krippendorff's alpha for coders x units data with numeric values; ``None``/NaN marks a missing value."""
    values, counts = value_counts(data)
    return alpha_from_coincidences(coincidences(counts), values, level)[()]


# ---------------------------------------------------------------- bootstrap interval


def bootstrap_alpha(
    counts: np.ndarray,
    values: np.ndarray,
    level: Level,
    *,
    resamples: int,
    seed: int,
    confidence: float = 0.95,
) -> np.ndarray:
    """Percentile bootstrap interval of alpha, one (low, high) row per table in the batch; NaN when undefined.

    This is a unit-level nonparametric bootstrap, not Krippendorff's (2016) resampling of coincidences:
    the units with two or more values are drawn with replacement (``resamples`` times, with
    ``numpy.random.default_rng(seed)``, the same draws for every table of the batch), alpha is
    recomputed from the resampled units' coincidences, resamples where alpha is undefined are dropped,
    and the interval is the central ``confidence`` share of the remaining alphas.
    """
    counts = np.asarray(counts, dtype=float)
    m = counts.sum(-1)
    pairable = np.flatnonzero((m >= 2).reshape(-1, counts.shape[-2]).any(0))
    batch = counts.shape[:-2]
    if pairable.size == 0 or resamples < 1:
        return np.full((*batch, 2), np.nan)
    units = counts[..., pairable, :]
    per_unit = np.moveaxis(coincidences(units[..., :, None, :]), -3, 0)  # (units, ..., V, V)
    flat = per_unit.reshape(pairable.size, -1)
    rng = np.random.default_rng(seed)
    alphas = []
    for start in range(0, resamples, 100):
        size = min(100, resamples - start)
        draws = rng.multinomial(pairable.size, np.full(pairable.size, 1.0 / pairable.size), size=size)
        resampled = (draws @ flat).reshape(size, *batch, values.size, values.size)
        alphas.append(alpha_from_coincidences(resampled, values, level).values)
    tail = (1 - confidence) / 2 * 100
    stacked = np.concatenate(alphas)
    defined = ~np.isnan(stacked).all(0)
    low_high = np.full((2, *batch), np.nan)
    if defined.any():
        low_high[:, defined] = np.nanpercentile(stacked[:, defined], [tail, 100 - tail], axis=0)
    return np.moveaxis(low_high, 0, -1)


def krippendorff_alpha_ci(
    data: Sequence[Sequence[object]] | np.ndarray,
    level: Level = "nominal",
    *,
    resamples: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> tuple[float, float] | None:
    """Bootstrap interval of Krippendorff's alpha (see ``bootstrap_alpha``); ``None`` when alpha is undefined."""
    values, counts = value_counts(data)
    low, high = bootstrap_alpha(counts, values, level, resamples=resamples, seed=seed, confidence=confidence)
    return None if np.isnan(low) else (float(low), float(high))


# ---------------------------------------------------------------- kappas, AC1, percent agreement


def percent_agreement_array(counts: np.ndarray) -> Coefficients:
    """Pairwise percent agreement: agreeing coder pairs / all coder pairs, pooled over units (..., units, values)."""
    counts = np.asarray(counts, dtype=float)
    m = counts.sum(-1)
    agreeing = (counts * (counts - 1)).sum((-2, -1))
    pairs = (m * (m - 1)).sum(-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = agreeing / pairs
    return guarded(share, [(pairs == 0, NO_PAIRS)])


def fleiss_kappa_array(counts: np.ndarray) -> Coefficients:
    """Fleiss' kappa for (..., units, categories) tables in which every unit has the same number of raters."""
    counts = np.asarray(counts, dtype=float)
    raters = counts.sum(-1)
    if raters.size and (raters != raters[..., :1]).any():
        raise InputError("Fleiss' kappa needs the same number of ratings for every unit")
    units = counts.shape[-2]
    n = raters[..., 0] if units else np.zeros(counts.shape[:-2])
    with np.errstate(divide="ignore", invalid="ignore"):
        p_unit = ((counts**2).sum(-1) - raters) / (raters * (raters - 1))
        p_category = counts.sum(-2) / (units * n[..., None])
        chance = (p_category**2).sum(-1)
        kappa = (p_unit.mean(-1) - chance) / (1 - chance)
    return guarded(
        kappa,
        [(np.full(n.shape, units == 0), "no unit was observed by every coder"), (n < 2, NO_PAIRS),
         (np.isclose(chance, 1), NO_VARIATION)],
    )


def fleiss_kappa(table: Sequence[Sequence[float]] | np.ndarray) -> Coefficient:
    """Fleiss' kappa from a units x categories table of rating counts (Fleiss 1971)."""
    return fleiss_kappa_array(np.asarray(table, dtype=float))[()]


def cohen_kappa_array(tables: np.ndarray) -> Coefficients:
    """Cohen's kappa for (..., categories, categories) contingency tables of two coders."""
    tables = np.asarray(tables, dtype=float)
    total = tables.sum((-2, -1))
    with np.errstate(divide="ignore", invalid="ignore"):
        agreement = np.trace(tables, axis1=-2, axis2=-1) / total
        chance = (tables.sum(-1) * tables.sum(-2)).sum(-1) / total**2
        kappa = (agreement - chance) / (1 - chance)
    return guarded(kappa, [(total == 0, "the two coders share no unit"), (np.isclose(chance, 1), NO_VARIATION)])


def cohen_kappa(table: Sequence[Sequence[float]] | np.ndarray) -> Coefficient:
    """Cohen's kappa from a square contingency table (rows: first coder, columns: second coder)."""
    table = np.asarray(table, dtype=float)
    if table.ndim != 2 or table.shape[0] != table.shape[1]:
        raise InputError("Cohen's kappa needs a square contingency table")
    return cohen_kappa_array(table)[()]


def gwet_ac1_array(counts: np.ndarray) -> Coefficients:
    """Gwet's AC1 for (..., units, categories) tables of rating counts; units may have different rater numbers."""
    counts = np.asarray(counts, dtype=float)
    categories = counts.shape[-1]
    raters = counts.sum(-1)
    paired, rated = raters >= 2, raters >= 1
    with np.errstate(divide="ignore", invalid="ignore"):
        unit_agreement = (counts * (counts - 1)).sum(-1) / (raters * (raters - 1))
        agreement = np.where(paired, unit_agreement, 0).sum(-1) / paired.sum(-1)
        shares = np.where(rated[..., None], counts / raters[..., None], 0).sum(-2) / rated.sum(-1)[..., None]
        chance = (shares * (1 - shares)).sum(-1) / (categories - 1)
        ac1 = (agreement - chance) / (1 - chance)
    return guarded(
        ac1, [(np.full(ac1.shape, categories < 2), "AC1 needs at least two categories"), (paired.sum(-1) == 0, NO_PAIRS)]
    )


def gwet_ac1(table: Sequence[Sequence[float]] | np.ndarray) -> Coefficient:
    """Gwet's AC1 from a units x categories table of rating counts."""
    return gwet_ac1_array(np.asarray(table, dtype=float))[()]


def percent_agreement(table: Sequence[Sequence[float]] | np.ndarray) -> Coefficient:
    """Pairwise percent agreement from a units x categories table of rating counts."""
    return percent_agreement_array(np.asarray(table, dtype=float))[()]
