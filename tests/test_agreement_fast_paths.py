"""The report's fast paths against straightforward reference computations on random small inputs."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from codebench.domain.agreement.binary import (
    binary_alpha,
    binary_fleiss_kappa,
    binary_gwet_ac1,
    binary_percent_agreement,
    unit_histogram,
)
from codebench.domain.agreement.coefficients import (
    alpha_from_coincidences,
    coincidences,
    fleiss_kappa_array,
    gwet_ac1_array,
    percent_agreement_array,
)
from codebench.domain.agreement.masi import _sum_pair_similarity, masi_similarity
from codebench.domain.agreement.report import _cohen_tables, _ones, _Presence
from codebench.domain.agreement.unitized import (
    _build_continuum,
    _code_groups,
    _observed_coincidences,
    _summary,
    coding_rows,
    unitized_coefficients,
)
from codebench.domain.errors import InputError
from codebench.domain.model import CodedSpan


@st.composite
def coded_units(draw):
    """(observed units x coders, present units x coders x codes) with codes only where observed."""
    coders, units, codes = draw(st.integers(1, 4)), draw(st.integers(1, 25)), draw(st.integers(1, 4))
    observed = draw(arrays(bool, (units, coders)))
    present = draw(arrays(bool, (units, coders, codes))) & observed[..., None]
    return observed, present


def _presence(observed: np.ndarray, present: np.ndarray) -> _Presence:
    empty = np.zeros(0, dtype=np.int64)
    return _Presence(transcript=empty, index=empty, start=empty, end=empty, observed=observed, lengths=empty,
                     transcript_observers=observed, codings=np.zeros((0, 5), dtype=np.int64), present=present)


def _histogram(units) -> np.ndarray:
    observed, present = units
    return unit_histogram(_ones(_presence(observed, present)), observed.sum(1), observed.shape[1])


def _same(fast, reference) -> None:
    """Equal values up to floating-point rounding and the same reasons where undefined."""
    np.testing.assert_allclose(fast.values, reference.values, rtol=1e-12, atol=1e-12)
    assert fast.reasons.tolist() == reference.reasons.tolist()


@pytest.mark.filterwarnings("ignore:Mean of empty slice")  # the reference's Fleiss on no common unit
@settings(max_examples=300, deadline=None)
@given(coded_units())
def test_binary_coefficients_equal_the_general_array_functions(units):
    observed, present = units
    m = observed.sum(1)
    ones = _ones(_presence(observed, present))
    histogram = _histogram(units)
    tables = np.stack([m[None, :] - ones.T, ones.T], axis=-1).astype(float)  # (codes, units, 2), as before
    _same(binary_alpha(histogram), alpha_from_coincidences(coincidences(tables), np.array([0.0, 1.0]), "nominal"))
    _same(binary_percent_agreement(histogram), percent_agreement_array(tables))
    _same(binary_fleiss_kappa(histogram), fleiss_kappa_array(tables[:, m == observed.shape[1], :]))
    _same(binary_gwet_ac1(histogram), gwet_ac1_array(tables))


@settings(max_examples=300, deadline=None)
@given(coded_units())
def test_binary_alpha_is_one_minus_the_correctly_rounded_exact_ratio(units):
    """So codes with equal alphas get equal floats and ties sort by code name, not by rounding noise."""
    histogram = _histogram(units)
    alphas = binary_alpha(histogram).values
    for k, table in enumerate(histogram.tolist()):
        cells = [(m, x, count) for m, row in enumerate(table) for x, count in enumerate(row) if m >= 2]
        zeros, ones = sum((m - x) * c for m, x, c in cells), sum(x * c for m, x, c in cells)
        if zeros * ones == 0:
            continue
        mixed = sum(Fraction(x * (m - x) * c, m - 1) for m, x, c in cells)
        ratio = (zeros + ones - 1) * 2 * mixed / (2 * zeros * ones)
        assert alphas[k] == 1.0 - float(ratio)


@settings(max_examples=200, deadline=None)
@given(coded_units())
def test_cohen_tables_count_every_cell_of_the_units_both_coders_observed(units):
    observed, present = units
    if observed.shape[1] < 2:
        return
    tables = _cohen_tables(_presence(observed, present), 0, 1)
    both = observed[:, 0] & observed[:, 1]
    a, b = present[both, 0, :], present[both, 1, :]
    reference = [[(~a & ~b).sum(0), (~a & b).sum(0)], [(a & ~b).sum(0), (a & b).sum(0)]]
    np.testing.assert_array_equal(tables, np.moveaxis(np.array(reference, dtype=float), -1, 0))


@settings(max_examples=300, deadline=None)
@given(st.tuples(st.integers(1, 40), st.integers(1, 9)).flatmap(lambda shape: arrays(bool, shape)))
def test_pair_similarity_sum_equals_all_pairs_spelled_out(sets):
    sizes = sets.sum(1)
    overlaps = sets.astype(int) @ sets.T.astype(int)
    brute = masi_similarity(sizes[:, None], sizes[None, :], overlaps).sum()
    assert _sum_pair_similarity(sets) == pytest.approx(brute, rel=1e-12)


def test_pair_similarity_sum_uses_both_paths_on_large_sets():
    rng = np.random.default_rng(3)
    sets = rng.random((12, 9)) < 0.6  # sizes around 5: 2^size > 12 rows, so these are compared directly
    sets[:4, :] = False
    sets[:4, :2] = True  # small sets go through subset counting
    sizes = sets.sum(1)
    brute = masi_similarity(sizes[:, None], sizes[None, :], sets.astype(int) @ sets.T.astype(int)).sum()
    assert _sum_pair_similarity(sets) == pytest.approx(brute, rel=1e-12)


@st.composite
def continua(draw):
    """Transcript lengths, observers (transcripts x coders) and checked coding rows of a random project."""
    coders, codes = draw(st.integers(2, 4)), draw(st.integers(1, 3))
    length = np.array(draw(st.lists(st.integers(1, 40), min_size=1, max_size=3)), dtype=np.int64)
    observers = draw(arrays(bool, (length.size, coders)))
    rows = []
    for _ in range(draw(st.integers(0, 14))):
        transcript = draw(st.integers(0, length.size - 1))
        watching = np.flatnonzero(observers[transcript])
        if watching.size == 0:
            continue
        start = draw(st.integers(0, int(length[transcript]) - 1))
        end = draw(st.integers(start + 1, int(length[transcript])))
        rows.append((draw(st.sampled_from(watching.tolist())), transcript, draw(st.integers(0, codes - 1)), start, end))
    return length, observers, np.array(rows, dtype=np.int64).reshape(-1, 5), codes


@settings(max_examples=300, deadline=None)
@given(continua())
def test_coincidence_summary_equals_the_full_matrix(project):
    length, observers, rows, codes = project
    cont = _build_continuum(length, observers, rows, codes)
    matrix = _observed_coincidences(cont)
    summary = _summary(cont, _code_groups(cont))
    np.testing.assert_allclose(summary.diagonal, np.diag(matrix), rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(summary.totals, matrix.sum(1), rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(summary.gap, matrix[0], rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(summary.totals[1:] - summary.gap[1:], matrix[1:, 1:].sum(1), rtol=1e-12, atol=1e-9)


def span(coder, transcript, start, end, code="x"):
    return CodedSpan(coder, transcript, start, end, code)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (span("Eve", "t1", 0, 5), "unknown coder 'Eve'"),
        (span("Ana", "t9", 0, 5), "unknown transcript 't9'"),
        (span("Ana", "t1", 5, 5), "coding span is empty or outside its transcript"),
        (span("Ana", "t1", 0, 31), "coding span is empty or outside its transcript"),
        (span("Cy", "t2", 0, 4), "coder has codings in a transcript they did not observe"),
    ],
)
def test_coding_rows_names_the_first_bad_coding_whatever_its_code(bad, message):
    later = span("Eve", "t9", 0, 99, "other")
    codings = [span("Ana", "t1", 0, 5), bad, later]
    observers = np.array([[True, True, True], [True, True, False]])
    with pytest.raises(InputError) as raised:
        coding_rows(codings, {"Ana": 0, "Ben": 1, "Cy": 2}, {"t1": 0, "t2": 1}, {"x": 0}, np.array([30, 20]),
                    observers)
    assert raised.value.message == message
    assert raised.value.where == f"{bad.coder}/{bad.transcript}[{bad.start}:{bad.end}]"


def test_coding_rows_keep_only_the_chosen_codes():
    codings = [span("Ana", "t1", 0, 5, "x"), span("Ana", "t1", 3, 9, "y"), span("Ben", "t1", 1, 2, "x")]
    rows = coding_rows(codings, {"Ana": 0, "Ben": 1}, {"t1": 0}, {"x": 0}, np.array([10]), np.ones((1, 2), bool))
    assert rows.tolist() == [[0, 0, 0, 0, 5], [1, 0, 0, 1, 2]]


@settings(max_examples=200, deadline=None)
@given(continua())
def test_cu_alpha_of_a_single_code_is_undefined_not_a_rounding_artefact(project):
    length, observers, rows, _ = project
    rows[:, 2] = 0
    cu_alpha = unitized_coefficients(length, observers, rows, ["only"]).cu_alpha
    assert cu_alpha.value is None and cu_alpha.reason is not None
