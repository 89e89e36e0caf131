"""Agreement coefficients against published worked examples, the krippendorff package and brute force."""

from __future__ import annotations

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nltk.metrics.distance import masi_distance as nltk_masi

from codebench.domain.agreement.coefficients import (
    cohen_kappa,
    fleiss_kappa,
    gwet_ac1,
    krippendorff_alpha,
    krippendorff_alpha_ci,
    percent_agreement,
)
from codebench.domain.agreement.masi import krippendorff_alpha_masi, masi_distance
from codebench.domain.errors import InputError

N = None
# Krippendorff (2011), 4 observers x 12 units.
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
    [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
]
FLEISS_1971 = [
    [0, 0, 0, 6, 0], [0, 3, 0, 0, 3], [0, 1, 4, 0, 1], [0, 0, 0, 0, 6], [0, 3, 0, 3, 0], [2, 0, 4, 0, 0],
    [0, 0, 4, 0, 2], [2, 0, 3, 1, 0], [2, 0, 0, 4, 0], [0, 0, 0, 0, 6], [1, 0, 0, 5, 0], [1, 1, 0, 4, 0],
    [0, 3, 3, 0, 0], [1, 0, 0, 5, 0], [0, 2, 0, 3, 1], [0, 0, 5, 0, 1], [3, 0, 0, 1, 2], [5, 1, 0, 0, 0],
    [0, 2, 0, 4, 0], [1, 0, 2, 0, 3], [0, 0, 0, 0, 6], [0, 1, 0, 5, 0], [0, 2, 0, 1, 3], [2, 0, 0, 4, 0],
    [1, 0, 0, 4, 1], [0, 5, 0, 1, 0], [4, 0, 0, 0, 2], [0, 2, 0, 4, 0], [1, 0, 5, 0, 0], [0, 0, 0, 0, 6],
]


@pytest.mark.parametrize(
    ("level", "expected"), [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)]
)
def test_alpha_matches_krippendorff_2011(level, expected):
    assert round(krippendorff_alpha(KRIPPENDORFF_2011, level).value, 3) == expected


def test_alpha_exact_fractions_and_binary_example():
    assert krippendorff_alpha(KRIPPENDORFF_2011).value == pytest.approx(113 / 152)
    assert krippendorff_alpha(KRIPPENDORFF_2011, "interval").value == pytest.approx(951 / 1120)
    binary = [[0, 1, 0, 0, 0, 0, 0, 0, 1, 0], [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]]
    assert krippendorff_alpha(binary).value == pytest.approx(2 / 21)


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
def test_alpha_agrees_with_krippendorff_package_on_every_level(level):
    data = np.array(KRIPPENDORFF_2011, dtype=float)
    expected = krippendorff.alpha(reliability_data=data, level_of_measurement=level)
    assert krippendorff_alpha(data, level).value == pytest.approx(expected)


def test_undefined_alpha_has_a_reason_instead_of_a_number():
    no_pairs = krippendorff_alpha([[1, N], [N, 2]])
    no_variation = krippendorff_alpha([[1, 1, 1], [1, 1, 1]])
    assert no_pairs.value is None and "two or more coders" in no_pairs.reason
    assert no_variation.value is None and "no variation" in no_variation.reason


def test_unknown_level_and_negative_ratio_values_are_input_errors():
    with pytest.raises(InputError):
        krippendorff_alpha([[1, 2], [1, 2]], "cardinal")
    with pytest.raises(InputError):
        krippendorff_alpha([[-1, 2], [1, 2]], "ratio")


def test_fleiss_1971_example():
    assert round(fleiss_kappa(FLEISS_1971).value, 3) == 0.430


def test_fleiss_needs_equal_raters_per_unit():
    with pytest.raises(InputError):
        fleiss_kappa([[1, 1], [2, 1]])


def test_cohen_kappa_example_and_no_variation():
    assert cohen_kappa([[20, 5], [10, 15]]).value == pytest.approx(0.4)
    assert cohen_kappa([[7, 0], [0, 0]]).value is None


def test_gwet_ac1_by_hand():
    # Units (counts of category 0, 1): [2,0], [1,1], [0,2], [2,0].
    # p_a = (1 + 0 + 1 + 1) / 4 = 3/4; pi_1 = (0 + 1/2 + 1 + 0) / 4 = 3/8; p_e = 2 * 3/8 * 5/8 = 15/32.
    # AC1 = (3/4 - 15/32) / (1 - 15/32) = (9/32) / (17/32) = 9/17.
    assert gwet_ac1([[2, 0], [1, 1], [0, 2], [2, 0]]).value == pytest.approx(9 / 17)


def test_percent_agreement_pools_coder_pairs():
    # Unit 1: 3 coders agree (6 ordered agreeing pairs of 6); unit 2: 2 of 3 agree (2 of 6).
    assert percent_agreement([[3, 0], [1, 2]]).value == pytest.approx(8 / 12)


def test_bootstrap_interval_is_reproducible_and_brackets_alpha():
    first = krippendorff_alpha_ci(KRIPPENDORFF_2011, "interval", resamples=400, seed=3)
    again = krippendorff_alpha_ci(KRIPPENDORFF_2011, "interval", resamples=400, seed=3)
    other = krippendorff_alpha_ci(KRIPPENDORFF_2011, "interval", resamples=400, seed=4)
    assert first == again and first != other
    assert first[0] < krippendorff_alpha(KRIPPENDORFF_2011, "interval").value <= first[1]


def test_masi_distance_matches_nltk_and_treats_empty_sets_as_equal():
    for a, b in [({1, 2}, {2, 3}), ({1}, {1, 2}), ({1, 2}, {1, 2}), ({1}, {2}), ({1, 2, 3}, {3, 4})]:
        assert masi_distance(a, b) == pytest.approx(nltk_masi(a, b))
    assert masi_distance(set(), set()) == 0.0
    assert masi_distance(set(), {1}) == 1.0


def _brute_force_masi_alpha(data):
    """Alpha from its definition with every pair of values spelled out."""
    values, observed_sum = [], 0.0
    for unit in zip(*data, strict=True):
        present = [v for v in unit if v is not None]
        if len(present) < 2:
            continue
        values += present
        observed_sum += sum(
            masi_distance(a, b) for i, a in enumerate(present) for j, b in enumerate(present) if i != j
        ) / (len(present) - 1)
    expected_sum = sum(masi_distance(a, b) for a in values for b in values)
    return None if expected_sum == 0 else 1 - (len(values) - 1) * observed_sum / expected_sum


set_values = st.one_of(st.none(), st.frozensets(st.integers(0, 5), max_size=4))


@settings(max_examples=150, deadline=None)
@given(st.integers(2, 4).flatmap(lambda coders: st.integers(1, 12).flatmap(
    lambda units: st.lists(st.lists(set_values, min_size=units, max_size=units), min_size=coders, max_size=coders))))
def test_masi_alpha_equals_brute_force(data):
    expected = _brute_force_masi_alpha(data)
    result = krippendorff_alpha_masi(data).value
    assert (result is None) == (expected is None)
    if expected is not None:
        assert result == pytest.approx(expected, abs=1e-9)


binary_with_missing = st.integers(2, 5).flatmap(lambda coders: st.integers(2, 30).flatmap(
    lambda units: st.lists(st.lists(st.sampled_from([0.0, 1.0, np.nan]), min_size=units, max_size=units),
                           min_size=coders, max_size=coders)))


@settings(max_examples=200, deadline=None)
@given(binary_with_missing)
def test_binary_alpha_equals_krippendorff_package(rows):
    data = np.array(rows)
    ours = krippendorff_alpha(data)
    present = ~np.isnan(data)
    pairable = (present.sum(0) >= 2).any()
    if ours.value is None:
        assert not pairable or np.unique(data[:, present.sum(0) >= 2][present[:, present.sum(0) >= 2]]).size < 2
    else:
        assert ours.value == pytest.approx(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))


@settings(max_examples=100, deadline=None)
@given(binary_with_missing, st.randoms())
def test_alpha_does_not_depend_on_coder_order(rows, rng):
    shuffled = list(rows)
    rng.shuffle(shuffled)
    assert krippendorff_alpha(np.array(rows)) == pytest.approx(krippendorff_alpha(np.array(shuffled)))


@settings(max_examples=100, deadline=None)
@given(binary_with_missing)
def test_a_coder_with_only_missing_values_changes_nothing(rows):
    data = np.array(rows)
    padded = np.vstack([data, np.full(data.shape[1], np.nan)])
    assert krippendorff_alpha(padded) == krippendorff_alpha(data)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from([0.0, 1.0, 2.0]), min_size=2, max_size=20).filter(lambda v: len(set(v)) > 1),
       st.integers(2, 4))
def test_perfect_agreement_gives_one(values, coders):
    assert krippendorff_alpha(np.tile(values, (coders, 1))).value == pytest.approx(1.0)


def test_missing_values_are_ignored_not_counted_as_zero():
    with_missing = krippendorff_alpha([[1, 0, 1, N], [1, 0, 1, 1]])
    as_zero = krippendorff_alpha([[1, 0, 1, 0], [1, 0, 1, 1]])
    assert with_missing.value == pytest.approx(1.0)
    assert as_zero.value < 1.0
