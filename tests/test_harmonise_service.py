"""Harmonisation decisions through the CLI: merge, reject, split, rename, undo, log, themes, codebook import."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from codebench.services.coding_session import CodingSession
from codebench.services.project import open_project
from codebench.store import models as m
from tests.conftest import Cli
from tests.test_foundation_cli import STUDY, counts


@pytest.fixture
def coded(cli: Cli) -> Cli:
    cli("init")
    cli("import", STUDY / "T01.txt", STUDY / "T02.txt")
    cli("codings", "import", STUDY / "codings.csv", "--add-coders")
    return cli


def mapping(url: str) -> dict[str, str | None]:
    """coder:label -> harmonised code name, read straight from the database."""
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            select(m.Coder.name, m.Code.label, m.HarmonisedCode.name)
            .join(m.Coder, m.Coder.id == m.Code.coder_id)
            .outerjoin(m.HarmonisedCode, m.HarmonisedCode.id == m.Code.harmonised_code_id)).all()
    engine.dispose()
    return {f"{c}:{lab}": h for c, lab, h in rows}


def log(cli: Cli) -> list[dict]:
    return json.loads(cli("harmonise", "log", "-f", "json").stdout)


def test_merge_maps_raw_codes_and_keeps_them(coded: Cli) -> None:
    before = counts(coded.url)
    coded("harmonise", "merge", "ana:manual tuning", "ben:hand tuning", "--into", "manual tuning",
          "--definition", "Tuning by hand", "--by", "lead", "--note", "same practice", "--score", "0.7")
    after = counts(coded.url)
    assert after["codes"] == before["codes"] and after["codings"] == before["codings"]
    assert mapping(coded.url)["ana:manual tuning"] == "manual tuning"
    assert mapping(coded.url)["ben:hand tuning"] == "manual tuning"
    entry = log(coded)[-1]
    assert (entry["action"], entry["by"], entry["note"], entry["score"]) == ("merge", "lead", "same practice", 0.7)
    codes = json.loads(coded("harmonise", "codes", "-f", "json").stdout)
    assert codes[0]["definition"] == "Tuning by hand"


def test_merging_again_changes_and_logs_nothing(coded: Cli) -> None:
    args = ("harmonise", "merge", "ana:manual tuning", "--into", "manual tuning")
    coded(*args)
    assert "nothing to change" in coded(*args).stdout
    assert len(log(coded)) == 1


def test_unknown_raw_code_is_one_error_line(coded: Cli) -> None:
    before = counts(coded.url)
    result = coded("harmonise", "merge", "ana:manual tuning", "ana:nope", "--into", "x", ok=False)
    assert result.exit_code == 2 and "nope" in result.stderr and len(result.stderr.splitlines()) == 1
    assert counts(coded.url) == before
    assert coded("harmonise", "merge", "no-colon", "--into", "x", ok=False).exit_code == 2


def test_each_decision_and_its_undo(coded: Cli) -> None:
    start = mapping(coded.url)
    coded("harmonise", "merge", "ana:random search", "ben:random sampling", "--into", "random")
    coded("harmonise", "rename", "random", "random search")
    coded("harmonise", "split", "ben:random sampling")
    coded("theme", "add", "Search strategies", "--category", "methods")
    coded("theme", "assign", "random search", "--theme", "Search strategies")
    coded("theme", "move", "Search strategies", "--category", "goals")
    coded("harmonise", "reject", "ana:compute budget", "ben:reproducibility")
    states = []
    for _ in range(7):
        states.append(mapping(coded.url))
        coded("harmonise", "undo")
    assert mapping(coded.url) == start
    assert "nothing to undo" in coded("harmonise", "undo").stdout
    # the states in between: after rename the name changed, after split ben was unmapped
    assert states[-1]["ben:random sampling"] == "random"  # before undoing the merge
    assert states[-2]["ben:random sampling"] == "random search"  # before undoing the rename
    entries = log(coded)
    assert [e["action"] for e in entries].count("undo") == 7
    assert all(e["undone"] for e in entries if e["action"] != "undo")


def test_rejected_pairs_are_never_proposed_again(coded: Cli) -> None:
    groups = json.loads(coded("harmonise", "suggest", "-f", "json").stdout)["groups"]
    pair = {"ana:manual tuning", "ben:hand tuning"}
    assert any({f"{c['coder']}:{c['label']}" for c in g["codes"]} == pair for g in groups)
    coded("harmonise", "reject", "ana:manual tuning", "ben:hand tuning", "--note", "not the same")
    groups = json.loads(coded("harmonise", "suggest", "-f", "json").stdout)["groups"]
    assert not any(pair <= {f"{c['coder']}:{c['label']}" for c in g["codes"]} for g in groups)
    assert set(groups[0]) >= {"codes", "score", "label_similarity", "overlap"} if groups else True


def test_merged_groups_are_not_proposed(coded: Cli) -> None:
    coded("harmonise", "merge", "ana:manual tuning", "ben:hand tuning", "--into", "manual tuning")
    groups = json.loads(coded("harmonise", "suggest", "-f", "json").stdout)["groups"]
    pair = {"ana:manual tuning", "ben:hand tuning"}
    assert not any({f"{c['coder']}:{c['label']}" for c in g["codes"]} == pair for g in groups)


def test_glossary_round_trip(coded: Cli) -> None:
    coded("harmonise", "glossary", "BO=bayesian optimisation")
    assert json.loads(coded("harmonise", "glossary", "-f", "json").stdout) == {"bo": "bayesian optimisation"}
    coded("harmonise", "glossary", "BO=")
    assert json.loads(coded("harmonise", "glossary", "-f", "json").stdout) == {}


def test_funnel_counts(coded: Cli) -> None:
    coded("harmonise", "merge", "ana:manual tuning", "ben:hand tuning", "--into", "manual tuning")
    coded("harmonise", "merge", "ana:compute budget", "--into", "budget")
    coded("theme", "add", "Search strategies", "--category", "methods")
    coded("theme", "assign", "manual tuning", "--theme", "Search strategies")
    f = json.loads(coded("funnel", "-f", "json").stdout)
    assert f == {"raw_per_coder": {"ana": 4, "ben": 4}, "raw": 8, "harmonised": 2, "themes": 1, "categories": 1,
                 "raw_unharmonised": 5, "harmonised_without_theme": 1}


def test_categories_are_configurable(coded: Cli) -> None:
    assert [r["category"] for r in json.loads(coded("category", "list", "-f", "json").stdout)] == [
        "methods", "goals", "contextual factors"]
    coded("category", "add", "outcomes")
    coded("theme", "add", "Results", "--category", "outcomes")
    assert coded("theme", "add", "Other", "--category", "missing", ok=False).exit_code == 2


CODEBOOK = (
    "category,theme,code,definition,coder,raw_code\n"
    "methods,Search strategies,manual tuning,Tuning by hand,ana,manual tuning\n"
    "methods,Search strategies,manual tuning,Tuning by hand,ben,hand tuning\n"
    "methods,Search strategies,random search,,ana,random search\n"
    "methods,Search strategies,random search,,ben,random sampling\n"
    "contextual factors,Resources,compute budget,Limited compute,ana,compute budget\n"
    "goals,Trust,reproducibility,,ben,reproducibility\n"
    ",,,,ana,bayesian optimisation\n"
)


def test_codebook_import_is_idempotent_and_logged(coded: Cli, tmp_path: Path) -> None:
    path = tmp_path / "codebook.csv"
    path.write_text(CODEBOOK, encoding="utf-8")
    assert "decision(s) applied" in coded("codebook", "import", str(path), "--by", "lead").stdout
    mapped = mapping(coded.url)
    assert mapped["ben:random sampling"] == "random search"
    assert mapped["ana:bayesian optimisation"] is None
    n_log = len(log(coded))
    assert "already applied" in coded("codebook", "import", str(path)).stdout
    assert len(log(coded)) == n_log
    f = json.loads(coded("funnel", "-f", "json").stdout)
    assert (f["harmonised"], f["themes"], f["categories"]) == (4, 3, 3)


def test_codebook_import_refuses_unknown_coders_and_codes(coded: Cli, tmp_path: Path) -> None:
    path = tmp_path / "codebook.csv"
    path.write_text(CODEBOOK + "goals,Trust,trust,,zoe,anything\nmethods,X,y,,ana,no such code\n", encoding="utf-8")
    before = counts(coded.url)
    result = coded("codebook", "import", str(path), ok=False)
    assert result.exit_code == 2
    assert "row 9" in result.stderr and "zoe" in result.stderr and "row 10" in result.stderr
    assert counts(coded.url) == before


def test_blind_coding_holds_while_the_lead_harmonises(coded: Cli) -> None:
    coded("harmonise", "merge", "ana:manual tuning", "ben:hand tuning", "--into", "manual tuning")
    store = open_project(coded.url)
    try:
        ana = CodingSession(store, "ana")
        labels = {c.label for c in ana.codes()}
        assert labels == {"manual tuning", "random search", "compute budget", "bayesian optimisation"}
        assert all(c.coder == "ana" for c in ana.codings("T01"))
    finally:
        store.close()
