"""`codebench saturation` and its service, end to end on small hand-made projects.

The study used by most tests (two coders, eight interviews P1..P8 imported in that order):

    interview  ana               ben       union (raw, case-folded)   new  cumulative
    P1         alpha, beta       Alpha     alpha, beta                 2    2
    P2         gamma             zeta      gamma, zeta                 2    4
    P3         alpha             -         alpha                       0    4
    P4         delta             -         delta                       1    5
    P5         -                 gamma     gamma                       0    5
    P6         beta              -         beta                        0    5
    P7         epsilon           -         epsilon                     1    6
    P8         -                 alpha     alpha                       0    6

With base 4, run 2, <= 5%: B = 5, the run P5-P6 adds nothing, so saturation is reached at interview 6;
of the two later interviews only P8 added nothing.
"""

from __future__ import annotations

import csv
import io
import json
import math
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from codebench.services.project import open_project
from codebench.services.saturation import saturation_analysis, saturation_report
from codebench.store import models as m

NAMES = [f"P{i}" for i in range(1, 9)]
STUDY = {
    "ana": {"P1": ["alpha", "beta"], "P2": ["gamma"], "P3": ["alpha"], "P4": ["delta"], "P6": ["beta"],
            "P7": ["epsilon"]},
    "ben": {"P1": ["Alpha"], "P2": ["zeta"], "P5": ["gamma"], "P8": ["alpha"]},
}
# raw label -> (harmonised code, theme, category); delta's harmonised code has no theme, epsilon stays raw
HARMONISATION = {
    "alpha": ("Tuning by hand", "Manual work", "methods"),
    "beta": ("Search tools", "Automated search", "methods"),
    "gamma": ("Deadlines", "Time pressure", "contextual factors"),
    "zeta": ("Deadlines", "Time pressure", "contextual factors"),
    "delta": ("Curiosity", None, None),
}


def sentence(code: str) -> str:
    return f"We discussed {code.casefold()}."


def build(cli, tmp_path: Path, names: list[str], codings: dict[str, dict[str, list[str]]],
          attributes: dict[str, dict[str, str]] | None = None) -> None:
    """A project through the CLI: one transcript per name (imported in that order), codings, attributes."""
    cli("init")
    folder = tmp_path / "transcripts"
    folder.mkdir()
    paths = []
    for name in names:
        codes = sorted({c.casefold() for coder in codings.values() for c in coder.get(name, [])})
        answer = " ".join(map(sentence, codes)) or "Nothing much comes to mind today."
        path = folder / f"{name}.txt"
        path.write_text(f"Interviewer: Please tell me about your work, {name}.\n\n{name}: {answer}\n",
                        encoding="utf-8")
        paths.append(path)
    cli("import", *paths)
    table = tmp_path / "codings.csv"
    with table.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["transcript", "coder", "code", "quote"])
        for coder, by_interview in codings.items():
            for name, codes in by_interview.items():
                writer.writerows([name, coder, code, sentence(code)] for code in codes)
    cli("codings", "import", table, "--add-coders")
    if attributes:
        people = tmp_path / "people.csv"
        keys = sorted({k for values in attributes.values() for k in values})
        with people.open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(["transcript", *keys])
            writer.writerows([name, *(values.get(k, "") for k in keys)] for name, values in attributes.items())
        cli("attributes", "import", people)


def harmonise(url: str, mapping: dict[str, tuple[str, str | None, str | None]], coder: str | None = None) -> None:
    """Attach raw codes (by label, of one coder or all) to harmonised codes, themes and categories."""
    engine = create_engine(url)
    with Session(engine) as session, session.begin():
        def one(model, name: str | None, **values):  # noqa: ANN001, ANN202
            if name is None:
                return None
            row = session.scalar(select(model).where(model.name == name))
            if row is None:
                row = model(name=name, **values)
                session.add(row)
                session.flush()
            return row

        for label, (harmonised, theme, category) in mapping.items():
            cat = one(m.Category, category)
            th = one(m.Theme, theme, category_id=cat.id if cat else None)
            code = one(m.HarmonisedCode, harmonised, theme_id=th.id if th else None)
            query = select(m.Code).where(m.Code.label_key == label.casefold())
            if coder is not None:
                query = query.join(m.Coder, m.Coder.id == m.Code.coder_id).where(m.Coder.name == coder)
            for raw in session.scalars(query):
                raw.harmonised_code_id = code.id
    engine.dispose()


def as_json(cli, *args: str) -> dict:
    return json.loads(cli("saturation", "--format", "json", *args).stdout)


def column(data: dict, key: str) -> list:
    return [row[key] for row in data["interviews"]]


@pytest.fixture
def study(cli, tmp_path: Path):  # noqa: ANN201
    build(cli, tmp_path, NAMES, STUDY)
    return cli


@pytest.fixture
def harmonised_study(study):  # noqa: ANN001, ANN201
    harmonise(study.url, HARMONISATION)
    return study


# --- raw level, coders ----------------------------------------------------------------------------


def test_raw_level_union_of_coders(study) -> None:
    data = as_json(study)
    assert data["level"] == "raw"
    assert data["order"] == NAMES
    assert column(data, "codes") == [2, 2, 1, 1, 1, 1, 1, 1]
    assert column(data, "new") == [2, 2, 0, 1, 0, 0, 1, 0]
    assert column(data, "cumulative") == [2, 4, 4, 5, 5, 5, 6, 6]
    # ben's code keeps his first spelling "Alpha" (2 codings), ana's is "alpha" (2): a tie, first by name
    assert column(data, "new_codes")[:2] == [["Alpha", "beta"], ["gamma", "zeta"]]
    assert data["denominator"] == 5
    assert [(r["start"], r["end"], r["new"]) for r in data["runs"]] == [("P5", "P6", 0), ("P6", "P7", 1),
                                                                       ("P7", "P8", 1)]
    assert (data["saturation_point"], data["saturation_index"], data["confirming"], data["later"]) == ("P6", 6, 1, 2)
    assert data["coders"] == ["ana", "ben"]
    assert data["unharmonised_codings"] == 0
    assert data["permutations"] is None and data["by_category"] is None


def test_union_flag_is_the_default(study) -> None:
    assert as_json(study, "--union") == as_json(study)


def test_one_coder_and_interviews_without_codings(study) -> None:
    ana = as_json(study, "--coder", "ana")
    assert ana["coders"] == ["ana"]
    assert column(ana, "codes") == [2, 1, 1, 1, 0, 1, 1, 0]  # P5 and P8: no codings, still interviews
    assert column(ana, "cumulative") == [2, 3, 3, 4, 4, 4, 5, 5]
    ben = as_json(study, "--coder", "ben")
    assert column(ben, "new") == [1, 1, 0, 0, 1, 0, 0, 0]
    assert column(ben, "new_codes")[0] == ["Alpha"]  # ben's only spelling
    both = as_json(study, "--coder", "ana", "--coder", "ben")
    assert column(both, "cumulative") == column(as_json(study), "cumulative")


def test_unknown_coder_is_one_error_line(study) -> None:
    result = study("saturation", "--coder", "nobody", ok=False)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "unknown coder" in lines[0] and "'nobody'" in lines[0] and "ana, ben" in lines[0]


def test_coder_and_union_together_are_refused(study) -> None:
    result = study("saturation", "--coder", "ana", "--union", ok=False)
    assert result.exit_code == 2 and "not both" in result.stderr


def test_unknown_coder_exit_code_in_a_real_process(study) -> None:
    done = subprocess.run([sys.executable, "-m", "codebench", "saturation", "--coder", "nobody", "--db", study.url],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 2
    assert "unknown coder" in done.stderr and "Traceback" not in done.stderr


# --- rule parameters --------------------------------------------------------------------------------


def test_sliding_and_block_runs_differ(study) -> None:
    sliding = as_json(study, "--base", "3", "--threshold", "0")
    block = as_json(study, "--base", "3", "--threshold", "0", "--runs", "block")
    assert sliding["denominator"] == block["denominator"] == 4
    assert sliding["saturation_point"] == "P6"  # run P5-P6 adds nothing
    assert [r["end"] for r in block["runs"]] == ["P5", "P7"]  # blocks P4-P5 and P6-P7 each add one code
    assert block["status"] == "not_reached" and block["saturation_point"] is None
    assert block["runs_mode"] == "block"


def test_threshold_is_inclusive(study) -> None:
    # base 2 (B = 4), run 2: P3-P4 adds one code = 25%
    assert as_json(study, "--base", "2", "--threshold", "0.25")["saturation_point"] == "P4"
    assert as_json(study, "--base", "2", "--threshold", "0.24")["saturation_point"] == "P6"


def test_bad_rule_parameters_exit_2(study) -> None:
    assert study("saturation", "--base", "0", ok=False).exit_code == 2
    assert study("saturation", "--threshold", "1.5", ok=False).exit_code == 2


# --- harmonised and theme levels, categories ------------------------------------------------------


def test_harmonised_level_leaves_out_unharmonised_codings(harmonised_study) -> None:
    data = as_json(harmonised_study, "--level", "harmonised")
    assert data["level"] == "harmonised"
    assert column(data, "new_codes")[:4] == [["Search tools", "Tuning by hand"], ["Deadlines"], [], ["Curiosity"]]
    assert column(data, "cumulative") == [2, 3, 3, 4, 4, 4, 4, 4]
    assert column(data, "codes")[6] == 0  # P7's only coding (epsilon) is not harmonised
    assert data["unharmonised_codings"] == 1 and data["codings_without_theme"] == 0
    result = harmonised_study("saturation", "--level", "harmonised")
    assert "warning: 1 coding(s) left out: their raw code has no harmonised code" in result.stderr


def test_theme_level_also_leaves_out_codes_without_theme(harmonised_study) -> None:
    data = as_json(harmonised_study, "--level", "theme")
    assert column(data, "new_codes")[:2] == [["Automated search", "Manual work"], ["Time pressure"]]
    assert column(data, "codes")[3] == 0  # delta -> Curiosity, which has no theme
    assert column(data, "cumulative")[-1] == 3
    assert (data["unharmonised_codings"], data["codings_without_theme"]) == (1, 1)
    assert "their harmonised code has no theme" in harmonised_study("saturation", "--level", "theme").stderr


def test_raw_level_reaches_categories_through_harmonised_codes(harmonised_study) -> None:
    data = as_json(harmonised_study, "--by-category")
    groups = data["by_category"]
    assert set(groups) == {"categories", "themes"}
    assert set(groups["categories"]) == {"methods", "contextual factors"}
    methods, context = groups["categories"]["methods"], groups["categories"]["contextual factors"]
    assert column(methods, "new") == [2, 0, 0, 0, 0, 0, 0, 0]
    assert column(context, "new_codes")[1] == ["gamma", "zeta"]
    assert column(methods, "new_codes")[0] == ["Alpha", "beta"]
    assert column(groups["themes"]["Time pressure"], "cumulative")[-1] == 2
    assert data["ungrouped_codes"] == {"category": 2, "theme": 2}  # delta and epsilon
    assert data["split_codes"] == []
    assert data["unharmonised_codings"] == 0  # nothing is left out of the raw-level report itself


def test_categories_at_harmonised_and_theme_level(harmonised_study) -> None:
    harmonised = as_json(harmonised_study, "--level", "harmonised", "--by-category")
    assert column(harmonised["by_category"]["categories"]["methods"], "new_codes")[0] == [
        "Search tools", "Tuning by hand"]
    assert column(harmonised["by_category"]["themes"]["Time pressure"], "new_codes")[1] == ["Deadlines"]
    theme = as_json(harmonised_study, "--level", "theme", "--by-category")
    assert set(theme["by_category"]) == {"categories"}
    assert column(theme["by_category"]["categories"]["methods"], "cumulative")[0] == 2


def test_a_raw_code_split_across_categories_goes_where_most_codings_are(study) -> None:
    harmonise(study.url, HARMONISATION)
    harmonise(study.url, {"alpha": ("Gut feeling", "Intuition", "goals")}, coder="ben")  # ben: P1, P8
    data = as_json(study, "--by-category")
    assert data["split_codes"] == ["Alpha"]
    # ana's two alpha codings say methods, ben's two say goals: the tie goes to the first name
    assert column(data["by_category"]["categories"]["goals"], "new_codes")[0] == ["Alpha"]
    assert column(data["by_category"]["categories"]["methods"], "new_codes")[0] == ["beta"]
    assert "more than one category or theme" in study("saturation", "--by-category").stderr


# --- orders -----------------------------------------------------------------------------------------

ORDER_PEOPLE = ["Lou", "P10", "Ari", "P2"]
ORDER_CODINGS = {"cara": {"Lou": ["x"], "P10": ["x", "y"], "Ari": ["z"], "P2": ["y"]}}
ORDER_ATTRIBUTES = {"Lou": {"week": "3", "site": "north"}, "P10": {"week": "12", "site": "east"},
                    "Ari": {"week": "1", "site": "west"}, "P2": {"week": "3", "site": "east"}}


@pytest.fixture
def ordered(cli, tmp_path: Path):  # noqa: ANN201
    build(cli, tmp_path, ORDER_PEOPLE, ORDER_CODINGS, ORDER_ATTRIBUTES)
    return cli


@pytest.mark.parametrize(("order", "expected"), [
    ("import", ["Lou", "P10", "Ari", "P2"]),
    ("name", ["Ari", "Lou", "P2", "P10"]),
    ("attribute:week", ["Ari", "Lou", "P2", "P10"]),  # numeric: 1, 3, 3 (import order), 12
    ("attribute:site", ["P10", "P2", "Lou", "Ari"]),
])
def test_orders(ordered, order: str, expected: list[str]) -> None:
    data = as_json(ordered, "--order", order, "--base", "1", "--run", "1")
    assert data["order"] == expected
    assert data["order_by"] == order
    assert [r["name"] for r in data["interviews"]] == expected
    assert data["interviews"][0]["cumulative"] == {"Lou": 1, "P10": 2, "Ari": 1}[expected[0]]


def test_order_from_file(ordered, tmp_path: Path) -> None:
    listing = tmp_path / "order.txt"
    listing.write_text("# analysis order\nP2\n\nAri\nP10\nLou\n", encoding="utf-8")
    data = as_json(ordered, "--order", f"file:{listing}")
    assert data["order"] == ["P2", "Ari", "P10", "Lou"]
    assert column(data, "new") == [1, 1, 1, 0]


def test_bad_orders_exit_2(ordered, tmp_path: Path) -> None:
    short = tmp_path / "short.txt"
    short.write_text("P2\nAri\nNobody\n", encoding="utf-8")
    for order, message in [(f"file:{short}", "missing: Lou, P10"), (f"file:{tmp_path / 'none.txt'}", "cannot read"),
                           ("attribute:age", "no value of attribute 'age'"), ("random", "unknown order"),
                           ("file", "file:PATH")]:
        result = ordered("saturation", "--order", order, ok=False)
        assert result.exit_code == 2, order
        assert message in result.stderr, (order, result.stderr)


# --- permutations -------------------------------------------------------------------------------


def test_permutations_are_reproducible_with_a_seed(study) -> None:
    first = as_json(study, "--permutations", "300", "--seed", "11")["permutations"]
    again = as_json(study, "--permutations", "300", "--seed", "11")["permutations"]
    other = as_json(study, "--permutations", "300", "--seed", "12")["permutations"]
    assert first == again
    assert first["mean_cumulative"] != other["mean_cumulative"]
    assert (first["n"], first["seed"]) == (300, 11)
    assert len(first["p_saturated_by"]) == len(NAMES)
    assert first["p_saturated_by"] == sorted(first["p_saturated_by"])


def test_permutations_agree_with_the_closed_form(study) -> None:
    perms = as_json(study, "--permutations", "4000", "--seed", "1")["permutations"]
    # interviews holding each union code: alpha 3, beta 2, gamma 2, zeta 1, delta 1, epsilon 1
    frequencies, n = [3, 2, 2, 1, 1, 1], len(NAMES)
    exact = [sum(1 - math.comb(n - f, k) / math.comb(n, k) for f in frequencies) for k in range(1, n + 1)]
    assert perms["expected_cumulative_exact"] == pytest.approx(exact)
    assert perms["mean_cumulative"] == pytest.approx(exact, abs=0.1)
    assert perms["mean_cumulative"][-1] == 6


def test_permutation_lines_in_the_table(study) -> None:
    text = study("saturation", "--permutations", "100", "--seed", "4").stdout
    assert "Over 100 random orders (seed 4)" in text
    assert "Order robustness" in text and "exact closed form" in text


# --- output formats and plots ------------------------------------------------------------------------


def test_table_shows_rows_verdict_and_chart(study) -> None:
    text = study("saturation").stdout
    assert "run ratio" in text and "cumulative" in text
    assert "0.0%" in text and "20.0%" in text  # runs ending at P6 (0 of 5) and P7 (1 of 5)
    assert "saturation reached at interview 6 (base 4, run 2, <= 5%); 1 of 2 later interviews added no new code" in text
    assert text.index("saturation reached") > text.index("run ratio")
    assert "◀ saturation" in text


def test_csv_rows_per_interview(study) -> None:
    rows = list(csv.DictReader(io.StringIO(study("saturation", "--format", "csv").stdout)))
    assert [r["interview"] for r in rows] == NAMES
    assert [int(r["number"]) for r in rows] == list(range(1, 9))
    assert [int(r["cumulative"]) for r in rows] == [2, 4, 4, 5, 5, 5, 6, 6]
    assert [r["run_ratio"] for r in rows] == ["", "", "", "", "", "0.0", "0.2", "0.2"]
    assert rows[1]["new_codes"] == "gamma; zeta"


def test_csv_by_category_is_long(harmonised_study) -> None:
    rows = list(csv.DictReader(io.StringIO(harmonised_study("saturation", "--by-category", "--format", "csv").stdout)))
    groups = {(r["grouping"], r["group"]) for r in rows}
    assert ("all", "") in groups and ("categories", "methods") in groups and ("themes", "Manual work") in groups
    assert len(rows) == len(NAMES) * len(groups)


def test_table_by_category(harmonised_study) -> None:
    text = harmonised_study("saturation", "--by-category").stdout
    assert "Per category and theme" in text and "contextual factors" in text
    assert "6 (P6)" in text


def test_by_category_before_harmonisation(study) -> None:
    result = study("saturation", "--by-category")
    assert "no code belongs to a category or theme yet" in result.stdout
    assert "6 code(s) belong to no category" in result.stderr


@pytest.mark.parametrize("suffix", ["png", "svg"])
def test_plot_files(study, tmp_path: Path, suffix: str) -> None:
    target = tmp_path / f"curve.{suffix}"
    result = study("saturation", "--permutations", "50", "--plot", target)
    assert f"plot written to {target}" in result.stdout
    if suffix == "png":
        assert target.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    else:
        assert ET.parse(target).getroot().tag.endswith("svg")


def test_plot_with_json_keeps_stdout_json(study, tmp_path: Path) -> None:
    target = tmp_path / "curve.svg"
    result = study("saturation", "--format", "json", "--plot", target)
    assert json.loads(result.stdout)["saturation_point"] == "P6"
    assert "plot written" in result.stderr and target.exists()


def test_plot_needs_png_or_svg(study, tmp_path: Path) -> None:
    result = study("saturation", "--plot", tmp_path / "curve.pdf", ok=False)
    assert result.exit_code == 2 and ".png or .svg" in result.stderr
    assert not (tmp_path / "curve.pdf").exists()


# --- the service ------------------------------------------------------------------------------------


def test_service_report_matches_the_command(harmonised_study) -> None:
    store = open_project(harmonised_study.url)
    try:
        report = saturation_report(store, level="harmonised", permutations=50, seed=3)
        result = saturation_analysis(store, level="theme", coders=["ana"])
    finally:
        store.close()
    cli_data = as_json(harmonised_study, "--level", "harmonised", "--permutations", "50", "--seed", "3")
    assert report.to_dict() == {k: v for k, v in cli_data.items() if k in report.to_dict()}
    assert result.coders == ("ana",) and result.codings_without_theme == 1 and result.left_out == 2
    assert result.report.verdict().startswith("saturation")


def test_empty_project(cli) -> None:
    cli("init")
    data = as_json(cli)
    assert data["interviews"] == [] and data["status"] == "too_few_interviews"
    assert "saturation not assessed" in cli("saturation").stdout
