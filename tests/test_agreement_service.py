"""`codebench agreement` / `codebench disagreements` and their service, end to end on a hand-made project.

The project: two transcripts, three coders (ana, ben, cy); every turn is a unit (its speech).

    T1  turn 1  Interviewer  First question please.
        turn 2  Ola          I tune by hand every week. The cluster is slow.
        turn 3  Interviewer  Anything else?
        turn 4  Ola          We use random search on the cluster.
    T2  turn 1  Interviewer  Tell me about deadlines.
        turn 2  Piet         Deadlines decide everything here.
        turn 3  Interviewer  And the money?
        turn 4  Piet         Budgets matter too, honestly. <blank line> We never have enough time.

    coder  T1 turn 2 (sentence 1)  T1 turn 2 (sentence 2)  T1 turn 4      T2 turn 2   T2 turn 4 (paragraph 1)
    ana    hand tuning             -                       random search  deadlines   -
    ben    Hand Tuning             -                       -              deadlines   budget
    cy     -                       manual                  random search  (cy did not observe T2: missing values)

Harmonised mapping (HARMONISE): hand tuning, Hand Tuning, manual -> "manual tuning";
deadlines (ana, ben), budget -> "time pressure"; random search stays unharmonised (2 codings left out).

Hand computation of nominal alpha, alpha = 1 - (n - 1) * sum_{c != k} o_ck / sum_{c != k} n_c n_k, where a unit
with m values adds (pairs of values in it) / (m - 1) to the coincidences o. T1 units have m = 3, T2 units m = 2.

- raw "hand tuning", turns: T1 turn 2 is (1, 1, 0): o11 += 1, o10 += 1, o01 += 1; three T1 zero units add 3 each
  to o00 and four T2 zero units 2 each: o00 = 17, n0 = 18, n1 = 2, n = 20, alpha = 1 - 19 * 2 / (2 * 18 * 2)
  = 1 - 38/72. Were cy's missing T2 values zeros (cy marks T2 done), T2 units add 3 each: o00 = 21, n0 = 22,
  n = 24, alpha = 1 - 23 * 2 / (2 * 22 * 2) = 1 - 46/88.
- harmonised "time pressure", turns: T2 turn 2 (1, 1): o11 = 2; T2 turn 4 (0, 1): o01 = o10 = 1; o00 = 4 * 3 + 2 * 2
  = 16; n0 = 17, n1 = 3, n = 20: alpha = 1 - 19 * 2 / (2 * 17 * 3) = 1 - 38/102.
  Coders ana, ben only: o00 = 4 * 2 + 2 * 2 = 12, n0 = 13, n = 16: 1 - 15 * 2 / (2 * 13 * 3) = 1 - 30/78.
  Transcript T2 only (then only ana and ben observed it): o00 = 4, n0 = 5, n = 8: 1 - 7 * 2 / (2 * 5 * 3) = 1 - 14/30.
  Paragraphs (T2 turn 4 splits in two; ben coded the first): one more zero unit, o00 = 18, n0 = 19, n = 22:
  1 - 21 * 2 / (2 * 19 * 3) = 1 - 42/114.
  Percent agreement: agreeing ordered pairs 4 * 6 (T1) + 2 + 0 + 2 + 2 (T2) = 30 of 32. Prevalence 3 / 20.
  Cohen ana|ben over the 8 shared units: [[6, 1], [0, 1]]: p_o = 7/8, p_e = (7 * 6 + 1 * 2) / 64 = 44/64,
  kappa = (56 - 44) / (64 - 44) = 0.6. Cohen ana|cy and Fleiss (units observed by all three: T1 only) see no
  variation: undefined.
- harmonised "manual tuning": at turn level every coder codes T1 turn 2, so alpha = 1. At sentence level
  (T1: 5 sentences, T2: 5) ana and ben code sentence 1, cy sentence 2: (1, 1, 0) and (0, 0, 1) give o11 = 1,
  o01 = o10 = 2, o00 = 1 + 3 * 3 + 5 * 2 = 20; n0 = 22, n1 = 3, n = 25: alpha = 1 - 24 * 4 / (2 * 22 * 3) = 1 - 96/132.
- MASI over the harmonised sets (turns): only T2 turn 4 differs ({} vs {time pressure}, distance 1, both orders,
  m = 2): observed 2. Pooled values: {manual tuning} x 3, {time pressure} x 3, {} x 14, pairwise distance 1:
  expected 2 * (3 * 3 + 3 * 14 + 3 * 14) = 186; alpha = 1 - 19 * 2 / 186.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from codebench.domain.agreement import krippendorff_alpha_ci
from codebench.services.agreement import agreement_report, disagreements
from codebench.services.project import open_project

T1 = ("Interviewer: First question please.\n\n"
      "Ola: I tune by hand every week. The cluster is slow.\n\n"
      "Interviewer: Anything else?\n\n"
      "Ola: We use random search on the cluster.\n")
T2 = ("Interviewer: Tell me about deadlines.\n\n"
      "Piet: Deadlines decide everything here.\n\n"
      "Interviewer: And the money?\n\n"
      "Piet: Budgets matter too, honestly.\n\nWe never have enough time.\n")
CODINGS = [
    ("T1", "ana", "hand tuning", "I tune by hand every week."),
    ("T1", "ben", "Hand Tuning", "I tune by hand every week."),
    ("T1", "cy", "manual", "The cluster is slow."),
    ("T1", "ana", "random search", "We use random search on the cluster."),
    ("T1", "cy", "random search", "We use random search on the cluster."),
    ("T2", "ana", "deadlines", "Deadlines decide everything here."),
    ("T2", "ben", "deadlines", "Deadlines decide everything here."),
    ("T2", "ben", "budget", "Budgets matter too, honestly."),
]
HARMONISE = [
    (["ana:hand tuning", "ben:Hand Tuning", "cy:manual"], "manual tuning"),
    (["ana:deadlines", "ben:deadlines", "ben:budget"], "time pressure"),
]
CONTRACT_CODE_KEYS = {"code", "alpha", "ci95", "percent_agreement", "fleiss_kappa", "cohen_kappa", "gwet_ac1",
                      "u_alpha", "units", "prevalence"}
CONTRACT_OVERALL_KEYS = {"alpha_masi", "mean_alpha", "u_alpha", "cu_alpha"}


def build(cli, tmp_path: Path, *, harmonised: bool = True) -> None:
    cli("init")
    for name, text in (("T1", T1), ("T2", T2)):
        (tmp_path / f"{name}.txt").write_text(text, encoding="utf-8")
    cli("import", tmp_path / "T1.txt", tmp_path / "T2.txt")
    table = tmp_path / "codings.csv"
    with table.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["transcript", "coder", "code", "quote"])
        writer.writerows(CODINGS)
    cli("codings", "import", table, "--add-coders")
    if harmonised:
        for codes, name in HARMONISE:
            cli("harmonise", "merge", *codes, "--into", name)


@pytest.fixture
def study(cli, tmp_path: Path):
    build(cli, tmp_path)
    return cli


def report(cli, *args: str) -> dict:
    return json.loads(cli("agreement", "--format", "json", *args).stdout)


def by_code(payload: dict) -> dict[str, dict]:
    return {c["code"]: c for c in payload["codes"]}


def test_harmonised_level_matches_the_hand_computation(study):
    payload = report(study)
    assert payload["level"] == "harmonised" and payload["level_auto"] is True
    assert payload["unit"] == "turn" and payload["coders"] == ["ana", "ben", "cy"]
    assert payload["unharmonised_codings"] == 2
    codes = by_code(payload)
    assert [c["code"] for c in payload["codes"]] == ["time pressure", "manual tuning"]  # sorted by alpha
    pressure = codes["time pressure"]
    assert pressure["alpha"] == pytest.approx(1 - 38 / 102)
    assert pressure["percent_agreement"] == pytest.approx(30 / 32)
    assert pressure["prevalence"] == pytest.approx(3 / 20)
    assert pressure["units"] == 8
    assert pressure["cohen_kappa"]["ana|ben"] == pytest.approx(0.6)
    assert pressure["cohen_kappa"]["ana|cy"] is None and "no variation" in pressure["reasons"]["cohen_kappa.ana|cy"]
    assert pressure["fleiss_kappa"] is None and "no variation" in pressure["reasons"]["fleiss_kappa"]
    assert codes["manual tuning"]["alpha"] == pytest.approx(1.0)
    overall = payload["overall"]
    assert overall["alpha_masi"] == pytest.approx(1 - 38 / 186)
    assert overall["mean_alpha"] == pytest.approx((1 + 1 - 38 / 102) / 2)  # equal prevalences 3/20


def test_left_out_codings_are_reported_on_stderr(study):
    for command in ("agreement", "disagreements"):
        assert "warning: 2 coding(s) left out" in study(command).stderr
        assert "left out" not in study(command, "--level", "raw").stderr


def test_json_has_the_contract_keys(study):
    payload = report(study)
    assert {"level", "unit", "coders", "codes", "overall"} <= set(payload)
    for code in payload["codes"]:
        assert CONTRACT_CODE_KEYS <= set(code)
        assert code["ci95"] is None
    assert CONTRACT_OVERALL_KEYS <= set(payload["overall"])


def test_raw_level_compares_labels_case_insensitively(study):
    payload = report(study, "--level", "raw")
    assert payload["level"] == "raw" and payload["level_auto"] is False
    codes = by_code(payload)
    assert set(codes) == {"hand tuning", "manual", "random search", "deadlines", "budget"}
    assert codes["hand tuning"]["alpha"] == pytest.approx(1 - 38 / 72)
    assert payload["unharmonised_codings"] == 0


def test_default_level_is_raw_until_something_is_harmonised(cli, tmp_path):
    build(cli, tmp_path, harmonised=False)
    payload = report(cli)
    assert payload["level"] == "raw" and payload["level_auto"] is True
    assert by_code(payload)["hand tuning"]["alpha"] == pytest.approx(1 - 38 / 72)
    assert "raw (chosen automatically)" in cli("agreement").stdout


def test_missing_coder_gives_missing_values_not_zeros(study, sqlite_url):
    assert by_code(report(study, "--level", "raw"))["hand tuning"]["alpha"] == pytest.approx(1 - 38 / 72)
    store = open_project(sqlite_url)
    try:
        store.write(lambda tx: tx.set_status("cy", "T2", "done"))  # now cy observed T2 and coded nothing there
    finally:
        store.close()
    assert by_code(report(study, "--level", "raw"))["hand tuning"]["alpha"] == pytest.approx(1 - 46 / 88)


def test_coders_subset(study):
    payload = report(study, "--coders", "ana,ben")
    assert payload["coders"] == ["ana", "ben"]
    pressure = by_code(payload)["time pressure"]
    assert pressure["alpha"] == pytest.approx(1 - 30 / 78)
    assert list(pressure["cohen_kappa"]) == ["ana|ben"]


def test_transcripts_filter_picks_the_coders_who_observed_them(study):
    payload = report(study, "--transcripts", "T2")
    assert payload["coders"] == ["ana", "ben"] and payload["transcripts"] == ["T2"]
    assert by_code(payload)["time pressure"]["alpha"] == pytest.approx(1 - 14 / 30)


def test_code_filter_restricts_codes_and_whole_codebook(study):
    payload = report(study, "--code", "time pressure")
    assert [c["code"] for c in payload["codes"]] == ["time pressure"]
    # MASI over the single code's sets equals its binary alpha (distance 1 between {} and {code}).
    assert payload["overall"]["alpha_masi"] == pytest.approx(1 - 38 / 102)
    raw = report(study, "--level", "raw", "--code", "HAND TUNING")
    assert [c["code"] for c in raw["codes"]] == ["hand tuning"]


def test_units_sentence_and_paragraph(study):
    sentences = by_code(report(study, "--unit", "sentence"))
    assert sentences["manual tuning"]["alpha"] == pytest.approx(1 - 96 / 132)
    assert sentences["manual tuning"]["units"] == 10
    paragraphs = by_code(report(study, "--unit", "paragraph"))
    assert paragraphs["time pressure"]["alpha"] == pytest.approx(1 - 42 / 114)
    assert paragraphs["manual tuning"]["alpha"] == pytest.approx(1.0)
    assert paragraphs["time pressure"]["units"] == 9


def test_min_overlap_drops_codings_that_barely_touch_a_unit(study):
    # ben's "budget" coding lies inside one turn, so any overlap up to its length counts; beyond it, none does.
    length = len("Budgets matter too, honestly.")
    assert by_code(report(study, "--min-overlap", str(length)))["time pressure"]["alpha"] == pytest.approx(1 - 38 / 102)
    assert by_code(report(study, "--min-overlap", str(length + 1)))["time pressure"]["alpha"] != pytest.approx(
        1 - 38 / 102)


def test_bootstrap_is_reproducible_with_a_seed(study):
    first = report(study, "--bootstrap", "300", "--seed", "11")
    again = report(study, "--bootstrap", "300", "--seed", "11")
    interval = by_code(first)["time pressure"]["ci95"]
    assert interval is not None and interval[0] <= interval[1]
    assert first == again
    assert first["seed"] == 11
    # the same interval as the domain's bootstrap on the "time pressure" reliability data (None = missing)
    data = [[0, 0, 0, 0, 0, 1, 0, 0], [0, 0, 0, 0, 0, 1, 0, 1], [0, 0, 0, 0, None, None, None, None]]
    assert interval == pytest.approx(list(krippendorff_alpha_ci(data, resamples=300, seed=11)))


def test_min_alpha_exit_codes(study):
    assert study("agreement", "--min-alpha", "0.6").exit_code == 0
    failed = study("agreement", "--min-alpha", "0.7", ok=False)
    assert failed.exit_code == 1
    assert "time pressure" in failed.stderr and "manual tuning" not in failed.stderr
    assert "Whole codebook" in failed.stdout  # the report is printed before the gate fails
    # T1 with ana and ben: "manual tuning" and MASI alphas are 1, "time pressure" is undefined and not checked
    undefined = study("agreement", "--coders", "ana,ben", "--transcripts", "T1", "--min-alpha", "0.9", ok=False)
    assert undefined.exit_code == 0


def test_min_alpha_counts_the_whole_codebook_alpha(study, sqlite_url):
    store = open_project(sqlite_url)
    try:
        result = agreement_report(store)
    finally:
        store.close()
    assert result.below(0.7) == {"time pressure": pytest.approx(1 - 38 / 102)}
    assert set(result.below(0.8)) == {"time pressure", "whole codebook (MASI)"}


def test_table_shows_undefined_values_with_a_footnote(study):
    output = study("agreement", "--coders", "ana,ben", "--transcripts", "T1").stdout
    assert "—¹" in output and "¹ no variation" in output
    assert "harmonised (chosen automatically)" in output and "Krippendorff's thresholds" in output


def test_csv_has_one_row_per_code(study):
    rows = list(csv.DictReader(io.StringIO(study("agreement", "--format", "csv").stdout)))
    assert [r["code"] for r in rows] == ["time pressure", "manual tuning"]
    assert {"alpha", "ci95_low", "ci95_high", "cohen_kappa ana|ben", "gwet_ac1", "units", "prevalence"} <= set(rows[0])
    assert float(rows[0]["alpha"]) == pytest.approx(1 - 38 / 102, abs=5e-4)
    assert rows[0]["fleiss_kappa"] == ""


def test_disagreements_link_back_to_the_turn(study):
    payload = json.loads(study("disagreements", "--code", "time pressure", "--format", "json").stdout)
    assert payload["level"] == "harmonised"
    [row] = payload["disagreements"]
    assert (row["transcript"], row["turn"], row["speaker"]) == ("T2", 4, "Piet")
    assert row["coders_with"] == ["ben"] and row["coders_without"] == ["ana"]
    assert row["labels"] == {"ben": ["budget"]}
    assert row["text"] == T2[row["start"]:row["end"]] == "Budgets matter too, honestly.\n\nWe never have enough time."


def test_disagreements_at_raw_level_and_in_csv(study):
    rows = list(csv.DictReader(io.StringIO(
        study("disagreements", "--level", "raw", "--code", "hand tuning", "--format", "csv").stdout)))
    assert [(r["transcript"], r["turn"], r["coders_with"], r["coders_without"]) for r in rows] == [
        ("T1", "2", "ana; ben", "cy")]
    assert rows[0]["labels"] == "ana: hand tuning | ben: Hand Tuning"
    assert rows[0]["text"] == "I tune by hand every week. The cluster is slow."


def test_disagreements_without_code_list_every_code_and_table_shows_them(study, sqlite_url):
    store = open_project(sqlite_url)
    try:
        result = disagreements(store, unit="sentence")
    finally:
        store.close()
    assert [(r.code, r.transcript, r.turn, r.coders_with) for r in result.rows] == [
        ("manual tuning", "T1", 2, ("ana", "ben")), ("manual tuning", "T1", 2, ("cy",)),
        ("time pressure", "T2", 4, ("ben",)),
    ]
    table = study("disagreements").stdout
    assert "ben (budget)" in table and ": 1" in table


@pytest.mark.parametrize(("args", "message"), [
    (["--coders", "ana,zoe"], "unknown coder(s) 'zoe'"),
    (["--code", "nothing like it"], "unknown code(s) at harmonised level: 'nothing like it'"),
    (["--transcripts", "T9"], "unknown transcript(s) 'T9'"),
    (["--coders", "ana"], "two or more coders"),
])
def test_unknown_names_exit_2_with_one_line(study, args, message):
    for command in ("agreement", "disagreements"):
        result = study(command, *args, ok=False)
        assert result.exit_code == 2
        assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_exit_codes_in_a_real_process(study, sqlite_url):
    def run(*args: str) -> int:
        return subprocess.run([sys.executable, "-m", "codebench", "agreement", "--db", sqlite_url, *args],
                              capture_output=True, check=False).returncode

    assert (run("--min-alpha", "0.6"), run("--min-alpha", "0.7"), run("--coders", "zoe,ana")) == (0, 1, 2)
