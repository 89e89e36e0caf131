"""Co-occurrence and frequencies on a hand-made project whose counts are worked out by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import Cli

from codebench.domain.cooccurrence import cooccurrence, frequencies, units_of
from codebench.domain.csvsafe import write_csv
from codebench.domain.errors import InputError
from codebench.domain.model import AnalysisCoding
from codebench.services.analysis import cooccurrence_analysis, frequency_analysis
from codebench.store.store import Store

A = "Ann: one two three.\n\nBo: four five six.\n\nAnn: seven eight.\n"
B = "Cy: alpha beta.\n\nDee: gamma delta.\n"

# (transcript, coder, raw code, quote). Turns: A1 "one two three.", A2 "four five six.", A3 "seven eight.",
# B1 "alpha beta.", B2 "gamma delta."
CODINGS = [
    ("A", "x", "grid", "one two"), ("A", "x", "speed", "three"),  # A1: grid + speed
    ("A", "x", "grid", "four five"), ("A", "x", "cost", "six"),  # A2: grid + cost
    ("A", "x", "bayes", "seven"), ("A", "x", "speed", "eight"),  # A3: bayes + speed
    ("B", "x", "bayes", "alpha"),  # B1: bayes
    ("B", "x", "speed", "gamma"), ("B", "y", "bo", "delta"),  # B2: speed + bayes (y's "bo")
    ("B", "y", "loose end", "beta"),  # never harmonised: left out
]


@pytest.fixture
def hand(cli: Cli, tmp_path: Path) -> Cli:
    (tmp_path / "A.txt").write_text(A)
    (tmp_path / "B.txt").write_text(B)
    cli("init")
    cli("import", tmp_path / "A.txt", tmp_path / "B.txt")
    write_csv([["A", "academia"], ["B", "industry"]], ["transcript", "field"], tmp_path / "attrs.csv")
    cli("attributes", "import", tmp_path / "attrs.csv")
    write_csv(CODINGS, ["transcript", "coder", "code", "quote"], tmp_path / "codings.csv")
    cli("codings", "import", tmp_path / "codings.csv", "--add-coders")
    cli("harmonise", "merge", "x:grid", "--into", "grid")
    cli("harmonise", "merge", "x:bayes", "y:bo", "--into", "bayes")
    cli("harmonise", "merge", "x:speed", "--into", "speed")
    cli("harmonise", "merge", "x:cost", "--into", "cost")
    cli("theme", "add", "search", "--category", "methods")
    cli("theme", "add", "aims", "--category", "goals")
    cli("theme", "assign", "grid", "bayes", "--theme", "search")
    cli("theme", "assign", "speed", "cost", "--theme", "aims")
    return cli


def _store(cli: Cli) -> Store:
    return Store.open(cli.url)


def test_methods_by_goals_per_turn(hand: Cli) -> None:
    result = cooccurrence_analysis(_store(hand), rows="methods", cols="goals", unit="turn")
    m = result.matrix
    assert (m.rows, m.cols, m.units) == (("bayes", "grid"), ("cost", "speed"), 5)
    assert m.counts == ((0, 2), (1, 1))  # bayes+speed in A3 and B2; grid+cost in A2; grid+speed in A1
    assert m.row_units == (3, 2) and m.col_units == (1, 3)
    assert m.share(0, 1) == pytest.approx(2 / 5) and m.share_of_row(0, 1) == pytest.approx(2 / 3)
    assert result.left_out == 1


def test_methods_by_goals_per_transcript(hand: Cli) -> None:
    m = cooccurrence_analysis(_store(hand), rows="methods", cols="goals", unit="transcript").matrix
    assert m.units == 2
    assert m.counts == ((1, 2), (1, 1))  # bayes is in A and B, with speed in both and cost in A


def test_theme_level_and_default_all_codes(hand: Cli) -> None:
    m = cooccurrence_analysis(_store(hand), level="theme", unit="turn").matrix
    assert m.rows == m.cols == ("aims", "search")
    assert m.counts == ((4, 4), (4, 5))  # search in all 5 turns; aims in A1, A2, A3, B2


def test_unknown_category_is_refused(hand: Cli) -> None:
    result = hand("cooccurrence", "--rows", "nonsense", ok=False)
    assert result.exit_code == 2 and "unknown category 'nonsense'" in result.stderr


def test_cli_json_and_heatmap(hand: Cli, tmp_path: Path) -> None:
    result = hand("cooccurrence", "--rows", "methods", "--cols", "goals", "--format", "json",
                  "--plot", tmp_path / "heat.png")
    payload = json.loads(result.stdout)
    assert payload["counts"] == [[0, 2], [1, 1]] and payload["units"] == 5
    cell = next(c for c in payload["cells"] if (c["row"], c["col"]) == ("bayes", "speed"))
    assert cell == {"row": "bayes", "col": "speed", "count": 2, "share": 0.4, "share_of_row": 0.6667}
    assert (tmp_path / "heat.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    bad = hand("cooccurrence", "--plot", tmp_path / "heat.gif", ok=False)
    assert bad.exit_code == 2 and ".png or .svg" in bad.stderr


def test_frequencies_by_attribute(hand: Cli) -> None:
    result = frequency_analysis(_store(hand), by="field")
    rows = {f.code: f for f in result.rows}
    assert [f.code for f in result.rows] == ["bayes", "speed", "grid", "cost"]  # interviews, codings, name
    assert (rows["speed"].interviews, rows["speed"].codings, rows["speed"].coders) == (2, 3, 1)
    assert rows["speed"].by_group == {"academia": (1, 2), "industry": (1, 1)}
    assert rows["bayes"].coders == 2 and rows["bayes"].by_group == {"academia": (1, 1), "industry": (1, 2)}
    assert result.groups == {"academia": 1, "industry": 1} and result.left_out == 1
    table = json.loads(hand("frequencies", "--by", "field", "--level", "theme", "--format", "json").stdout)
    aims = next(r for r in table if r["code"] == "aims")
    assert (aims["interviews"], aims["codings"], aims["codings:academia"], aims["codings:industry"]) == (2, 4, 3, 1)
    unknown = hand("frequencies", "--by", "age", ok=False)
    assert unknown.exit_code == 2 and "field" in unknown.stderr


def _coding(transcript: str, start: int, end: int, code: str, coder: str = "x") -> AnalysisCoding:
    return AnalysisCoding(coder, transcript, start, end, code, code, None, None)


def test_a_span_over_two_turns_counts_in_both_and_empty_spans_in_their_turn() -> None:
    spans = {"T": [(0, 10), (12, 20)]}
    assert units_of(_coding("T", 5, 15, "a"), "turn", spans) == [("T", 0), ("T", 1)]
    assert units_of(_coding("T", 11, 11, "a"), "turn", spans) == [("T", 0)]
    assert units_of(_coding("U", 3, 4, "a"), "turn", spans) == [("U", 0)]  # no turns: one unit
    m = cooccurrence([_coding("T", 5, 15, "a"), _coding("T", 13, 14, "b")], ["T"], spans)
    assert m.counts == ((2, 1), (1, 1)) and m.units == 2  # "a" is in both turns, "b" in the second


def test_domain_refuses_unknown_unit_and_level() -> None:
    with pytest.raises(InputError, match="unit"):
        cooccurrence([], [], {}, unit="page")
    with pytest.raises(InputError, match="level"):
        cooccurrence([], [], {}, level="raw")


def test_frequencies_count_missing_group() -> None:
    codings = [_coding("T", 0, 1, "a"), _coding("U", 0, 1, "a", coder="y")]
    (f,) = frequencies(codings, "harmonised", {"T": "one"})
    assert (f.interviews, f.codings, f.coders) == (2, 2, 2)
    assert f.by_group == {"(missing)": (1, 1), "one": (1, 1)}
