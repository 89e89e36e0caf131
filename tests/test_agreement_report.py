"""The agreement report end to end, the unitized example and disagreement listing."""

from __future__ import annotations

import krippendorff
import numpy as np
import pytest

from codebench.domain.agreement.report import (
    AgreementInput,
    Disagreement,
    TranscriptUnits,
    compute_agreement,
    find_disagreements,
)
from codebench.domain.agreement.unitized import unitized_agreement
from codebench.domain.errors import InputError
from codebench.domain.model import CodedSpan


def span(coder, transcript, start, end, code="x"):
    return CodedSpan(coder, transcript, start, end, code)


# Methods notes example: L = 60, two coders.
UNITIZED = [
    span("A", "t", 5, 20, "cost"), span("A", "t", 30, 45, "trust"),
    span("B", "t", 8, 22, "cost"), span("B", "t", 28, 34, "cost"), span("B", "t", 34, 40, "trust"),
    span("B", "t", 50, 55, "cost"),
]


def test_unitized_example_from_the_methods_notes():
    result = unitized_agreement({"t": 60}, UNITIZED, ["A", "B"])
    assert result.values == ("", "cost", "trust")
    assert result.coincidences.tolist() == [[42, 12, 5], [12, 24, 4], [5, 4, 12]]
    assert result.u_alpha.value == pytest.approx(0.463922, abs=5e-7)
    assert result.binary_u_alpha.value == pytest.approx(0.464745, abs=5e-7)
    assert result.cu_alpha.value == pytest.approx(0.696429, abs=5e-7)
    assert result.ku_alpha["cost"].value == pytest.approx(0.704082, abs=5e-7)
    assert result.ku_alpha["trust"].value == pytest.approx(0.683036, abs=5e-7)


def test_code_u_alpha_treats_other_codes_as_gap():
    # Cost alone: A [5,20); B [8,22), [28,34), [50,55). Disagreeing length 3 + 2 + 6 + 5 = 16 (both orders: 16),
    # l_cost = 15 + 25 = 40, l.. = 120, weights 225 + 196 + 36 + 25 + 80 (gaps) = 562,
    # e = 40 * 80 / (120 - 562/120); alpha = 1 - 16 / e.
    result = unitized_agreement({"t": 60}, UNITIZED, ["A", "B"])
    assert result.code_u_alpha["cost"].value == pytest.approx(1 - 16 / (3200 / (120 - 562 / 120)))


def test_concatenated_transcripts_equal_one_long_continuum():
    split = [span("A", "one", 5, 20, "cost"), span("B", "one", 8, 22, "cost"),
             span("A", "two", 0, 10, "cost"), span("B", "two", 2, 10, "cost")]
    joined = [span("A", "t", 5, 20, "cost"), span("B", "t", 8, 22, "cost"),
              span("A", "t", 30, 40, "cost"), span("B", "t", 32, 40, "cost")]
    apart = unitized_agreement({"one": 30, "two": 10}, split, ["A", "B"])
    together = unitized_agreement({"t": 40}, joined, ["A", "B"])
    assert apart.u_alpha.value == pytest.approx(together.u_alpha.value)
    np.testing.assert_allclose(apart.coincidences, together.coincidences)


# End-to-end example: two transcripts, turns as units, three coders; Cy did not observe "t2".
#   t1 units [0,10) [10,20) [20,30); t2 units [0,10) [10,20)
#   code x:  Ana t1 [0,5), t2 [10,15);  Ben t1 [2,8), [12,18), t2 [10,20);  Cy t1 [0,10)
#   values:  t1u0 Ana 1 Ben 1 Cy 1 | t1u1 0 1 0 | t1u2 0 0 0 | t2u0 0 0 - | t2u1 1 1 -
# Coincidences: o11 = 3 (t1u0) + 2 (t2u1) = 5; o01 = o10 = 1 (t1u1); o00 = 1 + 3 + 2 = 6.
# n0 = 7, n1 = 6, n = 13: alpha = 1 - 12 * 1 / (7 * 6) = 5/7.
# Percent agreement: agreeing ordered pairs 6 + 2 + 6 + 2 + 2 = 18 of 6 + 6 + 6 + 2 + 2 = 22 -> 9/11.
# Fleiss over t1 (all three coders): P_i = 1, 1/3, 1 -> 7/9; p1 = 4/9 -> P_e = 41/81; kappa = 22/40.
# Cohen Ana|Ben over all 5 units: n11 = 2, n01 = 1, n00 = 2 -> p_o = 4/5, p_e = 12/25, kappa = 8/13.
# Prevalence: 6 coded values of 13 observed values.
ENDS = AgreementInput(
    coders=("Ana", "Ben", "Cy"),
    transcripts=(TranscriptUnits("t1", 30, ((0, 10), (10, 20), (20, 30))),
                 TranscriptUnits("t2", 20, ((0, 10), (10, 20)))),
    observed={"Ana": frozenset({"t1", "t2"}), "Ben": frozenset({"t1", "t2"}), "Cy": frozenset({"t1"})},
    codings=(span("Ana", "t1", 0, 5), span("Ana", "t2", 10, 15), span("Ben", "t1", 2, 8), span("Ben", "t1", 12, 18),
             span("Ben", "t2", 10, 20), span("Cy", "t1", 0, 10)),
)


def test_end_to_end_small_example_by_hand():
    report = compute_agreement(ENDS, level="raw", unit="turn")
    (x,) = report.codes
    assert x.alpha.value == pytest.approx(5 / 7)
    assert x.percent_agreement.value == pytest.approx(9 / 11)
    assert x.fleiss_kappa.value == pytest.approx(22 / 40)
    assert x.cohen_kappa["Ana|Ben"].value == pytest.approx(8 / 13)
    assert x.prevalence == pytest.approx(6 / 13)
    assert x.units == 5
    matrix = np.array([[1, 0, 0, 0, 1], [1, 1, 0, 0, 1], [1, 0, 0, np.nan, np.nan]])
    assert x.alpha.value == pytest.approx(krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal"))


def test_report_dict_has_the_contract_shape():
    result = compute_agreement(ENDS, level="raw", unit="turn", bootstrap=200, seed=1).to_dict()
    assert set(result) == {"level", "unit", "coders", "codes", "overall"}
    assert (result["level"], result["unit"], result["coders"]) == ("raw", "turn", ["Ana", "Ben", "Cy"])
    code = result["codes"][0]
    assert {"code", "alpha", "ci95", "percent_agreement", "fleiss_kappa", "cohen_kappa", "gwet_ac1", "u_alpha",
            "units", "prevalence"} <= set(code)
    assert set(code["cohen_kappa"]) == {"Ana|Ben", "Ana|Cy", "Ben|Cy"}
    assert len(code["ci95"]) == 2 and code["ci95"][0] <= code["ci95"][1]
    assert {"alpha_masi", "mean_alpha", "u_alpha", "cu_alpha"} <= set(result["overall"])


def test_undefined_values_are_null_with_a_reason():
    data = AgreementInput(ENDS.coders, ENDS.transcripts, ENDS.observed, ENDS.codings + (span("Ana", "t1", 0, 3, "y"),))
    report = compute_agreement(data, codes=["x", "y", "never"]).to_dict()
    by_code = {c["code"]: c for c in report["codes"]}
    assert by_code["never"]["alpha"] is None and "no variation" in by_code["never"]["reasons"]["alpha"]
    assert [c["code"] for c in report["codes"]][-1] == "never"
    assert report["codes"][0]["alpha"] <= report["codes"][1]["alpha"]


def test_per_code_alpha_equals_krippendorff_package_on_random_projects():
    rng = np.random.default_rng(5)
    transcripts = tuple(TranscriptUnits(f"t{i}", 100, tuple((u * 10, u * 10 + 10) for u in range(10))) for i in range(4))
    coders = ("a", "b", "c")
    observed = {c: frozenset(t.name for t in transcripts if rng.random() < 0.8) | {"t0", "t1"} for c in coders}
    codings = tuple(
        span(c, t.name, int(s), int(s + rng.integers(1, 25)) if s + 25 < 100 else 100, f"k{rng.integers(0, 3)}")
        for c in coders for t in transcripts if t.name in observed[c] for s in rng.integers(0, 99, 6)
    )
    data = AgreementInput(coders, transcripts, observed, codings)
    for entry in compute_agreement(data, min_overlap=3).codes:
        matrix = np.full((3, 40), np.nan)
        for ci, c in enumerate(coders):
            for ti, t in enumerate(transcripts):
                if t.name in observed[c]:
                    for u, (s, e) in enumerate(t.units):
                        matrix[ci, ti * 10 + u] = any(
                            x.coder == c and x.transcript == t.name and x.code == entry.code
                            and min(x.end, e) - max(x.start, s) >= 3 for x in codings)
        expected = krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal")
        assert entry.alpha.value == pytest.approx(expected)


def test_find_disagreements_lists_split_units():
    assert find_disagreements(ENDS, "x") == [
        Disagreement("t1", 1, (10, 20), coders_with=("Ben",), coders_without=("Ana", "Cy"))
    ]


def test_codings_in_unobserved_transcripts_and_overlapping_units_are_rejected():
    bad_coding = AgreementInput(ENDS.coders, ENDS.transcripts, ENDS.observed, ENDS.codings + (span("Cy", "t2", 0, 4),))
    with pytest.raises(InputError):
        compute_agreement(bad_coding)
    overlapping = AgreementInput(ENDS.coders, (TranscriptUnits("t1", 30, ((0, 10), (5, 20))),), ENDS.observed,
                                 ())
    with pytest.raises(InputError):
        compute_agreement(overlapping)
