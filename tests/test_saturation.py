"""Saturation (Guest, Namey & Chen 2020), order robustness, ordering helper and plots, on hand-made studies."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codebench.domain.errors import InputError
from codebench.domain.plots import accumulation_plot, accumulation_text
from codebench.domain.saturation import (
    Interview,
    _first_saturation,
    _Incidence,
    expected_accumulation,
    order_interviews,
    saturation,
)

METHODS_EXAMPLE = [20, 9, 5, 3, 3, 2, 1, 0, 1, 0, 0, 0]


def study(new_counts: list[int], shared: bool = True) -> list[Interview]:
    """Interviews P1.. where interview i brings exactly new_counts[i] fresh codes.

    With ``shared`` every interview also repeats the first code ever seen, so repeated codes are not new.
    """
    interviews, seen = [], 0
    for i, count in enumerate(new_counts):
        fresh = {f"c{seen + j:03d}" for j in range(count)}
        repeat = {"c000"} if shared and seen else set()
        interviews.append(Interview(f"P{i + 1}", frozenset(fresh | repeat)))
        seen += count
    return interviews


def reference(codes: list[set[str]], base: int, run: int, threshold: Fraction, mode: str) -> tuple[list[int], int | None]:
    """The definition, written out literally: new codes per interview and the 1-based saturation index."""
    seen: set[str] = set()
    new = []
    for found in codes:
        new.append(len(found - seen))
        seen |= found
    if len(codes) < base:
        return new, None
    b = sum(new[:base])
    start = base
    while start + run <= len(codes):
        if b > 0 and Fraction(sum(new[start : start + run]), b) <= threshold:
            return new, start + run
        start += 1 if mode == "sliding" else run
    return new, None


# --- Guest, Namey & Chen -------------------------------------------------------------------------


def test_methods_example_saturates_at_interview_8() -> None:
    report = saturation(study(METHODS_EXAMPLE))
    assert report.denominator == 37
    assert [row.new for row in report.interviews] == METHODS_EXAMPLE
    assert report.interviews[-1].cumulative == sum(METHODS_EXAMPLE)
    assert [(r.start, r.end, r.new) for r in report.runs[:3]] == [("P5", "P6", 5), ("P6", "P7", 3), ("P7", "P8", 1)]
    assert report.runs[2].ratio == pytest.approx(1 / 37)
    assert report.saturation_index == 8 and report.saturation_point == "P8"
    assert (report.confirming, report.later) == (3, 4)
    assert report.verdict().startswith("saturation reached at interview 8 (base 4, run 2, <= 5%); 3 of 4 later")


def test_new_codes_are_named_and_sorted() -> None:
    interviews = [Interview("A", frozenset({"zeal", "anger"})), Interview("B", frozenset({"anger", "calm", "bias"}))]
    rows = saturation(interviews, base=1, run=1).interviews
    assert rows[0].new_codes == ("anger", "zeal")
    assert rows[1].new_codes == ("bias", "calm") and rows[1].codes == 3 and rows[1].cumulative == 4


def test_saturated_early_and_all_later_interviews_confirm() -> None:
    report = saturation(study([10, 5, 3, 2, 0, 0, 0, 0, 0]))
    assert report.saturation_index == 6
    assert (report.confirming, report.later) == (3, 3)
    assert report.verdict() == "saturation reached at interview 6 (base 4, run 2, <= 5%); 3 later interviews added no new code"


def test_never_saturated() -> None:
    report = saturation(study([5, 5, 5, 5, 2, 2, 2, 2]))
    assert report.saturation_point is None and report.status == "not_reached"
    assert [r.ratio for r in report.runs] == [0.2, 0.2, 0.2]
    assert report.verdict() == "saturation not reached (base 4, run 2, <= 5%): the last run added 4 new codes (20%)"


def test_threshold_is_inclusive() -> None:
    interviews = study([5, 5, 5, 5, 1, 0, 1, 0])  # B = 20, each run adds 1 code = exactly 5%
    assert saturation(interviews, threshold=0.05).saturation_index == 6
    assert saturation(interviews, threshold=0.049).saturation_index is None


def test_threshold_zero_needs_a_run_without_new_codes() -> None:
    assert saturation(study(METHODS_EXAMPLE), threshold=0).saturation_index == 11


def test_sliding_and_block_runs_differ() -> None:
    interviews = study([5, 5, 5, 5, 2, 0, 0, 2])
    sliding = saturation(interviews, runs="sliding")
    block = saturation(interviews, runs="block")
    assert sliding.saturation_index == 7
    assert block.saturation_index is None
    assert [r.end for r in block.runs] == ["P6", "P8"]
    assert block.to_dict()["runs_mode"] == "block"


def test_incomplete_trailing_block_is_not_a_run() -> None:
    report = saturation(study([5, 5, 5, 5, 2, 0, 0]), runs="block")
    assert [r.end for r in report.runs] == ["P6"]


def test_base_larger_than_study() -> None:
    report = saturation(study([4, 3, 1]), base=4)
    assert report.status == "too_few_interviews"
    assert report.denominator is None and report.runs == () and report.saturation_index is None
    assert "not assessed" in report.verdict() and "3 interviews" in report.verdict()


def test_empty_base_gives_undefined_ratios_without_crashing() -> None:
    interviews = [Interview(f"P{i}", frozenset()) for i in range(1, 6)] + [Interview("P6", frozenset({"late"}))]
    report = saturation(interviews)
    assert report.denominator == 0 and report.status == "empty_base"
    assert [r.ratio for r in report.runs] == [None]
    assert "undefined" in report.verdict()
    json.dumps(report.to_dict())


def test_no_interviews() -> None:
    report = saturation([], permutations=5)
    assert report.status == "too_few_interviews" and report.interviews == ()
    assert report.permutations is not None and report.permutations.p_not_reached == 1.0


@pytest.mark.parametrize(
    "kwargs", [{"base": 0}, {"run": 0}, {"threshold": 1.5}, {"threshold": -0.1}, {"runs": "rolling"}, {"permutations": -1}]
)
def test_bad_parameters(kwargs: dict) -> None:
    with pytest.raises(InputError):
        saturation(study(METHODS_EXAMPLE), **kwargs)


def test_duplicate_interview_names() -> None:
    with pytest.raises(InputError, match="P1"):
        saturation([Interview("P1", frozenset({"a"})), Interview("P1", frozenset({"b"}))])


def test_json_contract_keys() -> None:
    data = saturation(study(METHODS_EXAMPLE), permutations=10).to_dict()
    contract = ["level", "order", "interviews", "base", "run", "threshold", "runs", "saturation_point",
                "saturation_index", "confirming", "permutations", "by_category"]
    assert list(data)[: len(contract)] == contract
    assert {"runs_mode", "denominator"} <= set(data)
    assert set(data["interviews"][0]) >= {"name", "codes", "new", "new_codes", "cumulative"}
    assert set(data["runs"][0]) >= {"end", "ratio"}
    assert data["by_category"] is None and data["level"] == "raw"
    json.dumps(data)


@settings(max_examples=150, deadline=None)
@given(
    codes=st.lists(st.sets(st.sampled_from("abcdefghij"), max_size=6), min_size=0, max_size=12),
    base=st.integers(1, 5),
    run=st.integers(1, 3),
    threshold=st.sampled_from([0.0, 0.05, 0.1, 0.25, 0.5]),
    mode=st.sampled_from(["sliding", "block"]),
)
def test_matches_the_literal_definition(codes: list[set[str]], base: int, run: int, threshold: float, mode: str) -> None:
    interviews = [Interview(f"I{i}", frozenset(c)) for i, c in enumerate(codes)]
    report = saturation(interviews, base=base, run=run, threshold=threshold, runs=mode)  # type: ignore[arg-type]
    new, index = reference(codes, base, run, Fraction(threshold).limit_denominator(1000), mode)
    assert [row.new for row in report.interviews] == new
    assert report.saturation_index == index


@settings(max_examples=60, deadline=None)
@given(
    codes=st.lists(st.sets(st.sampled_from("abcdefgh"), max_size=5), min_size=1, max_size=9),
    seed=st.integers(0, 1000),
)
def test_vectorised_orders_match_the_definition(codes: list[set[str]], seed: int) -> None:
    orders = np.random.default_rng(seed).permuted(np.tile(np.arange(len(codes)), (7, 1)), axis=1)
    incidence = _Incidence.build([frozenset(c) for c in codes])
    new = incidence.new_per_position(orders)
    index = _first_saturation(new, 2, 2, "sliding", Fraction(1, 10))
    for row, order in enumerate(orders):
        expected_new, expected_index = reference([codes[i] for i in order], 2, 2, Fraction(1, 10), "sliding")
        assert new[row].tolist() == expected_new
        assert index[row] == (expected_index or 0)


# --- groups ---------------------------------------------------------------------------------------


def test_by_category_and_theme() -> None:
    interviews = [
        Interview("P1", frozenset({"rent", "debt"})),
        Interview("P2", frozenset({"rent", "fear"})),
        Interview("P3", frozenset({"rent"})),
        Interview("P4", frozenset({"shame", "debt"})),
        Interview("P5", frozenset({"rent"})),
    ]
    groups = {
        "category": {"rent": "money", "debt": "money", "fear": "feelings", "shame": "feelings"},
        "theme": {"rent": "housing"},
    }
    report = saturation(interviews, base=2, run=1, threshold=0, groups=groups)
    money = report.by_category["categories"]["money"]  # type: ignore[index]
    feelings = report.by_category["categories"]["feelings"]  # type: ignore[index]
    assert money.denominator == 2 and money.saturation_point == "P3"
    assert feelings.denominator == 1 and [r.new for r in feelings.runs] == [0, 1, 0]
    assert feelings.saturation_point == "P3" and feelings.confirming == 1
    data = report.to_dict()["by_category"]
    assert set(data) == {"categories", "themes"} and list(data["themes"]) == ["housing"]
    assert "permutations" not in data["categories"]["money"]
    assert data["categories"]["money"]["interviews"][1]["new_codes"] == []


def test_unknown_group_kind() -> None:
    with pytest.raises(InputError, match="colour"):
        saturation(study([1, 1]), groups={"colour": {"c000": "red"}})


# --- ordering -------------------------------------------------------------------------------------

NAMES = ["P10", "p2", "P1", "Q1", "P2b"]


def test_order_import_and_natural_name() -> None:
    assert order_interviews(NAMES, "import") == NAMES
    assert order_interviews(NAMES, "name") == ["P1", "p2", "P2b", "P10", "Q1"]


def test_order_by_numeric_attribute_with_ties_in_import_order() -> None:
    attributes = {"P10": {"age": "31"}, "p2": {"age": "9"}, "P1": {"age": "31"}, "Q1": {"age": "100"}, "P2b": {"age": "9.5"}}
    assert order_interviews(NAMES, "attribute:age", attributes) == ["p2", "P2b", "P10", "P1", "Q1"]


def test_order_by_text_attribute() -> None:
    attributes = {n: {"site": s} for n, s in zip(NAMES, ["north", "East", "north", "west", "10 Downs"])}
    assert order_interviews(NAMES, "attribute:site", attributes) == ["P2b", "p2", "P10", "P1", "Q1"]


def test_order_by_attribute_needs_every_value() -> None:
    with pytest.raises(InputError, match="P1, Q1"):
        order_interviews(NAMES, "attribute:age", {"P10": {"age": "3"}, "p2": {"age": "1"}, "P2b": {"age": "2"}})


def test_order_from_file() -> None:
    listed = ["Q1", "P2b", "P1", "p2", "P10"]
    assert order_interviews(NAMES, "file", file_order=listed) == listed
    with pytest.raises(InputError, match=r"unknown: P99.*missing: P10"):
        order_interviews(NAMES, "file", file_order=["Q1", "P2b", "P1", "p2", "P99"])
    with pytest.raises(InputError):
        order_interviews(NAMES, "file")


def test_unknown_order_mode() -> None:
    with pytest.raises(InputError, match="unknown order"):
        order_interviews(NAMES, "random")


# --- permutations and the closed form -------------------------------------------------------------

SMALL = [
    Interview("A", frozenset({"x", "y"})),
    Interview("B", frozenset({"y", "z"})),
    Interview("C", frozenset({"x"})),
    Interview("D", frozenset({"w", "x", "y"})),
    Interview("E", frozenset({"v"})),
]


def test_closed_form_equals_exact_enumeration_of_all_orders() -> None:
    cumulative_sums = [Fraction(0)] * len(SMALL)
    new_sums = [Fraction(0)] * len(SMALL)
    orders = list(itertools.permutations(SMALL))
    for order in orders:
        for k, row in enumerate(saturation(list(order), base=1, run=1).interviews):
            cumulative_sums[k] += row.cumulative
            new_sums[k] += row.new
    frequencies = [sum(code in iv.codes for iv in SMALL) for code in "vwxyz"]
    cumulative, new = expected_accumulation(frequencies, len(SMALL))
    assert list(cumulative) == [s / len(orders) for s in cumulative_sums]
    assert list(new) == [s / len(orders) for s in new_sums]


def test_closed_form_rejects_impossible_frequency() -> None:
    with pytest.raises(InputError):
        expected_accumulation([0, 2], 3)


def test_closed_form_handles_large_studies() -> None:
    cumulative, new = expected_accumulation([1, 100, 200] * 50, 200)
    assert cumulative[-1] == 150 and sum(new) == 150
    assert cumulative[0] == Fraction(50 * 1 + 50 * 100 + 50 * 200, 200)


def test_permutation_mean_is_close_to_the_closed_form() -> None:
    interviews = study([6, 4, 3, 2, 2, 1, 1, 0, 1, 0])
    perms = saturation(interviews, permutations=4000, seed=7).permutations
    assert perms is not None
    assert np.allclose(perms.mean_cumulative, perms.expected_cumulative_exact, atol=0.15)
    assert np.allclose(perms.mean_new, perms.expected_new_exact, atol=0.15)
    frequencies = [sum(f"c{j:03d}" in iv.codes for iv in interviews) for j in range(20)]
    assert perms.expected_cumulative_exact == tuple(float(x) for x in expected_accumulation(frequencies, 10)[0])


def test_permutations_are_reproducible_and_consistent() -> None:
    interviews = study(METHODS_EXAMPLE)
    first = saturation(interviews, permutations=300, seed=3).to_dict()["permutations"]
    again = saturation(interviews, permutations=300, seed=3).to_dict()["permutations"]
    other = saturation(interviews, permutations=300, seed=4).to_dict()["permutations"]
    assert first == again and first != other
    by = first["p_saturated_by"]
    assert len(by) == len(interviews) and all(a <= b for a, b in zip(by, by[1:]))
    assert by[-1] == pytest.approx(1 - first["p_not_reached"])
    assert by[4] == 0  # no order can saturate before interview 6: base 4 plus a run of 2
    assert first["p5"] <= first["median"] <= first["p95"]
    assert all(lo <= hi for lo, hi in zip(first["cumulative_p5"], first["cumulative_p95"]))
    assert "expected_cumulative_exact" in first["exact"] and "mean_cumulative" in first["estimated"]


def test_permutations_when_no_order_saturates() -> None:
    interviews = [Interview(f"P{i}", frozenset({f"own{i}"})) for i in range(8)]  # every interview brings one new code
    perms = saturation(interviews, permutations=50).permutations
    assert perms is not None and perms.p_not_reached == 1.0 and perms.median is None


# --- plots ----------------------------------------------------------------------------------------


def test_png_and_svg_plots(tmp_path) -> None:
    report = saturation(study(METHODS_EXAMPLE), permutations=100)
    png = accumulation_plot(report, tmp_path / "curve.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = accumulation_plot(saturation(study([5, 5, 5, 5, 2, 2])), tmp_path / "curve.SVG")
    assert ET.parse(svg).getroot().tag == "{http://www.w3.org/2000/svg}svg"


def test_plot_rejects_other_suffixes(tmp_path) -> None:
    with pytest.raises(InputError, match=".pdf"):
        accumulation_plot(saturation(study([1, 1])), tmp_path / "curve.pdf")
    assert not (tmp_path / "curve.pdf").exists()


def test_plots_use_no_pyplot_and_no_rich() -> None:
    code = (
        "import sys, tempfile, pathlib\n"
        "from codebench.domain.saturation import Interview, saturation\n"
        "from codebench.domain.plots import accumulation_plot, accumulation_text\n"
        "r = saturation([Interview('A', frozenset('ab')), Interview('B', frozenset('c'))], base=1, run=1)\n"
        "accumulation_plot(r, pathlib.Path(tempfile.mkdtemp()) / 'x.png'); accumulation_text(r)\n"
        "print(sorted(m for m in ('matplotlib.pyplot', 'rich', 'textual') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_text_chart() -> None:
    report = saturation(study(METHODS_EXAMPLE))
    lines = accumulation_text(report, width=30).splitlines()
    assert lines[0] == report.verdict() and len(lines) == 13
    assert "◀ saturation" in lines[8] and lines[8].startswith("P8")
    bars = [line.split("│")[1] for line in lines[1:]]
    assert all(len(bar) == 30 for bar in bars)
    assert bars[-1].count("█") + bars[-1].count("░") == 30  # the full study fills the width
    assert bars[0].count("░") == round(20 * 30 / 44) and "█" not in bars[0]  # all of P1's codes are new
    assert lines[2].rstrip().endswith("29 +9")
    with pytest.raises(InputError):
        accumulation_text(report, width=5)
