"""Closed-form agreement coefficients for binary (coded / not coded) values, many codes at once.

For binary values every coefficient of the report depends on a unit only through two integers:
m, the number of coders who observed it, and x, how many of them gave it the code. So each code is
summarised by a histogram ``h[k, m, x]`` (how many units have m observers and x of them coding k) and
every per-unit sum becomes a small integer-weighted sum over the (m, x) cells. The integer parts are
exact; the results equal the general array functions in ``coefficients`` on the (units, values)
count tables up to floating-point rounding.
"""

from __future__ import annotations

import numpy as np

from codebench.domain.agreement._arrays import nonzero_2d
from codebench.domain.agreement.coefficients import NO_PAIRS, NO_VARIATION, Coefficients, guarded


def unit_histogram(ones: np.ndarray, observers: np.ndarray, coders: int) -> np.ndarray:
    """``h[k, m, x]``: units with ``m`` observing coders of whom ``x`` gave code k.

    ``ones`` (units, codes) counts the coders who gave each unit each code; ``observers`` (units,) counts
    the coders who observed each unit.
    """
    unit, code = nonzero_2d(ones)
    return unit_histogram_of(unit, code, ones[unit, code], observers, ones.shape[1], coders)


def unit_histogram_of(
    unit: np.ndarray, code: np.ndarray, given: np.ndarray, observers: np.ndarray, codes: int, coders: int
) -> np.ndarray:
    """``unit_histogram`` from the non-zero cells of ``ones`` only: ``given`` coders gave ``unit`` code ``code``."""
    side = coders + 1
    coded = np.bincount((code * side + observers[unit]) * side + given, minlength=codes * side * side)
    histogram = coded.reshape(codes, side, side)
    histogram[:, :, 0] = np.bincount(observers, minlength=side)[None, :] - histogram.sum(2)
    return histogram


def _cells(histogram: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The (m, x) grids matching the last two axes of a histogram, as int64."""
    side = histogram.shape[-1]
    m, x = np.indices((side, side), dtype=np.int64)
    return m, x


def _sum_by_observers(histogram: np.ndarray, per_unit: np.ndarray) -> np.ndarray:
    """``sum_x h[..., m, x] * per_unit[m, x]`` for every m: exact integer sums, shape (..., m)."""
    return (histogram * per_unit).sum(-1)


def binary_alpha(histogram: np.ndarray) -> Coefficients:
    """Nominal Krippendorff's alpha on binary values: ``1 - (n - 1) * 2 o_01 / (2 n_0 n_1)``.

    ``o_01 = sum_u x (m - x) / (m - 1)`` is scaled by the least common multiple of the (m - 1) to stay an
    integer, so alpha is one correctly rounded division of two integers: codes with equal alphas get equal
    floats, and the report's order of tied codes does not depend on rounding.
    """
    m, x = _cells(histogram)
    pairable = m >= 2
    pair_divisors = m[2:, 0] - 1
    scale = int(np.lcm.reduce(pair_divisors)) if pair_divisors.size else 1
    mixed = _sum_by_observers(histogram, x * (m - x))[..., 2:]
    disagreement = 2 * (mixed * (scale // pair_divisors)).sum(-1)  # 2 o_01 * scale
    n_zero = (histogram * ((m - x) * pairable)).sum((-2, -1))
    n_one = (histogram * (x * pairable)).sum((-2, -1))
    n = n_zero + n_one
    expected = 2 * n_zero * n_one
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = 1.0 - ((n - 1) * disagreement) / (expected * scale)
    return guarded(alpha, [(n < 2, NO_PAIRS), (expected <= 0, NO_VARIATION)])


def _agreeing_pairs(m: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Ordered coder pairs that agree in a unit with m observers, x of them coding."""
    return x * (x - 1) + (m - x) * (m - x - 1)


def binary_percent_agreement(histogram: np.ndarray) -> Coefficients:
    """Pairwise percent agreement: agreeing ordered coder pairs / all ordered coder pairs, pooled over units."""
    m, x = _cells(histogram)
    agreeing = (histogram * _agreeing_pairs(m, x)).sum((-2, -1))
    pairs = (histogram * (m * (m - 1))).sum((-2, -1))
    with np.errstate(divide="ignore", invalid="ignore"):
        share = agreeing / pairs
    return guarded(share, [(pairs == 0, NO_PAIRS)])


def binary_fleiss_kappa(histogram: np.ndarray) -> Coefficients:
    """Fleiss' kappa over the units observed by every coder (the last m row of the histogram)."""
    full = histogram[..., -1, :]
    raters = full.shape[-1] - 1
    x = np.arange(raters + 1, dtype=np.int64)
    units = full.sum(-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_agreement = (full * (x**2 + (raters - x) ** 2 - raters)).sum(-1) / (units * raters * (raters - 1))
        p_one = (full * x).sum(-1) / (units * raters)
        p_zero = (full * (raters - x)).sum(-1) / (units * raters)
        chance = p_zero**2 + p_one**2
        kappa = (mean_agreement - chance) / (1 - chance)
    return guarded(
        kappa,
        [(units == 0, "no unit was observed by every coder"), (np.full(units.shape, raters < 2), NO_PAIRS),
         (np.isclose(chance, 1), NO_VARIATION)],
    )


def binary_gwet_ac1(histogram: np.ndarray) -> Coefficients:
    """Gwet's AC1 with two categories; units may have different numbers of observing coders."""
    m, x = _cells(histogram)
    observers = m[:, 0]
    per_m = histogram.sum(-1)  # (..., m): units by observer count (the same for every code)
    paired = per_m[..., 2:].sum(-1)
    rated = per_m[..., 1:].sum(-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        unit_agreement = _sum_by_observers(histogram, _agreeing_pairs(m, x))[..., 2:] / (
            observers[2:] * (observers[2:] - 1)
        )
        agreement = unit_agreement.sum(-1) / paired
        share_one = (_sum_by_observers(histogram, x)[..., 1:] / observers[1:]).sum(-1) / rated
        share_zero = (_sum_by_observers(histogram, m - x)[..., 1:] / observers[1:]).sum(-1) / rated
        chance = share_zero * (1 - share_zero) + share_one * (1 - share_one)
        ac1 = (agreement - chance) / (1 - chance)
    return guarded(ac1, [(paired == 0, NO_PAIRS)])
