"""Codebook and quotes spreadsheets: columns, every count, unharmonised codes, BOM, CSV round trips."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from _exports_study import (
    EXPECTED_COUNTS,
    N_CODINGS,
    RANDOM_DEFINITION,
    TRICKY_CODE,
    TRICKY_DEFINITION,
    TRICKY_RAW,
    UNHARMONISED,
    build_study,
    import_study,
)
from conftest import Cli

from codebench.domain.csvsafe import read_csv_rows
from codebench.services import exports


@pytest.fixture
def study(cli: Cli, tmp_path: Path) -> Cli:
    build_study(cli, tmp_path)
    return cli


def _export(cli: Cli, path: Path, *options: str) -> list[dict[str, str]]:
    cli("codebook", "export", path, *options)
    return read_csv_rows(path)


def test_codebook_rows_and_every_count(study: Cli, tmp_path: Path) -> None:
    rows = _export(study, tmp_path / "codebook.csv")
    assert list(rows[0]) == list(exports.CODEBOOK_COLUMNS)
    by_code = {r["code"]: r for r in rows if r["code"]}
    assert set(by_code) == set(EXPECTED_COUNTS)
    for code, (coders, transcripts, quotes) in EXPECTED_COUNTS.items():
        row = by_code[code]
        assert (int(row["coders"]), int(row["transcripts"]), int(row["quotes"])) == (coders, transcripts, quotes)
    tricky = by_code[TRICKY_CODE]
    assert (tricky["category"], tricky["theme"], tricky["definition"]) == ("contextual factors", "resources",
                                                                            TRICKY_DEFINITION)
    assert tricky["merged_from"] == f"ana:compute budget; chloe:{TRICKY_RAW}"
    assert by_code["random search"]["example_quote"] == "Mostly a random search"  # the first in text order
    assert sum(int(r["quotes"]) for r in rows) == N_CODINGS


def test_unharmonised_raw_codes_are_listed_with_empty_placement(study: Cli, tmp_path: Path) -> None:
    rows = _export(study, tmp_path / "codebook.csv")
    loose = [r for r in rows if not r["code"]]
    assert {tuple(r["merged_from"].split(":", 1)) for r in loose} == UNHARMONISED
    assert all(r["category"] == r["theme"] == "" and r["quotes"] == "1" for r in loose)
    long_rows = _export(study, tmp_path / "long.csv", "--long")
    assert {(r["coder"], r["raw_code"]) for r in long_rows if not r["code"]} == UNHARMONISED


def test_raw_level_lists_each_coders_raw_codes(study: Cli, tmp_path: Path) -> None:
    rows = _export(study, tmp_path / "raw.csv", "--level", "raw")
    assert list(rows[0]) == list(exports.RAW_COLUMNS)
    assert len(rows) == len({(r["coder"], r["raw_code"]) for r in rows}) == 4 + 4 + 3  # ana, ben, chloe
    chloe = {r["raw_code"]: r for r in rows if r["coder"] == "chloe"}
    assert chloe[TRICKY_RAW]["code"] == TRICKY_CODE and chloe[TRICKY_RAW]["theme"] == "resources"
    assert chloe["team trust"]["code"] == ""
    assert sum(int(r["quotes"]) for r in rows) == N_CODINGS


def test_excel_writes_a_bom_and_plain_does_not(study: Cli, tmp_path: Path) -> None:
    study("codebook", "export", tmp_path / "excel.csv", "--excel")
    study("codebook", "export", tmp_path / "plain.csv")
    excel, plain = (tmp_path / "excel.csv").read_bytes(), (tmp_path / "plain.csv").read_bytes()
    assert excel.startswith(b"\xef\xbb\xbf") and not plain.startswith(b"\xef\xbb\xbf")
    assert excel[3:] == plain
    assert "café".encode() in plain


def test_formula_cells_are_neutralised_on_disk(study: Cli, tmp_path: Path) -> None:
    study("codebook", "export", tmp_path / "codebook.csv")
    with open(tmp_path / "codebook.csv", encoding="utf-8", newline="") as fh:
        cells = [cell for row in csv.reader(fh) for cell in row]
    assert f"'{TRICKY_CODE}" in cells and TRICKY_CODE not in cells
    assert not any(cell and cell[0] in "=+-@" for cell in cells)


def test_long_export_round_trips_through_codebook_import(study: Cli, tmp_path: Path) -> None:
    first = _export(study, tmp_path / "long.csv", "--long")
    assert list(first[0]) == list(exports.LONG_COLUMNS)
    assert {r["definition"] for r in first if r["code"] == "random search"} == {RANDOM_DEFINITION}
    fresh = Cli(f"sqlite:///{tmp_path / 'fresh.db'}")
    (tmp_path / "fresh").mkdir()
    import_study(fresh, tmp_path / "fresh")
    fresh("codebook", "import", tmp_path / "long.csv")
    again = _export(fresh, tmp_path / "again.csv", "--long")
    assert again == first
    assert _export(fresh, tmp_path / "cb2.csv") == _export(study, tmp_path / "cb1.csv")


def test_quotes_sheet_has_one_row_per_coding_with_attributes(study: Cli, tmp_path: Path) -> None:
    study("quotes", "export", tmp_path / "quotes.csv")
    rows = read_csv_rows(tmp_path / "quotes.csv")
    assert len(rows) == N_CODINGS
    assert list(rows[0])[:5] == ["transcript", "turn", "speaker", "field", "level"]
    memo = next(r for r in rows if r["raw_code"] == TRICKY_RAW)
    assert memo["memo"] == "costly\nthe cluster is shared"
    assert (memo["harmonised_code"], memo["theme"], memo["category"]) == (TRICKY_CODE, "resources",
                                                                          "contextual factors")
    assert (memo["speaker"], memo["field"], memo["turn"]) == ("Mara", "academia", "4")
    assert memo["quote"] == "Grid search wastes too many GPU hours"


def test_quotes_filters_by_code_and_theme(study: Cli, tmp_path: Path) -> None:
    study("quotes", "export", tmp_path / "a.csv", "--theme", "search methods")
    assert {r["harmonised_code"] for r in read_csv_rows(tmp_path / "a.csv")} == {"random search",
                                                                               "Bayesian optimisation"}
    study("quotes", "export", tmp_path / "b.csv", "--code", TRICKY_CODE, "--code", "team trust")
    rows = read_csv_rows(tmp_path / "b.csv")
    assert len(rows) == 4 and {r["raw_code"] for r in rows} == {"compute budget", TRICKY_RAW, "team trust"}
    result = study("quotes", "export", tmp_path / "c.csv", "--code", "no such code", ok=False)
    assert result.exit_code == 2 and "no such code" in result.stderr
    assert not (tmp_path / "c.csv").exists()


def test_long_with_raw_level_is_refused(study: Cli, tmp_path: Path) -> None:
    result = study("codebook", "export", tmp_path / "x.csv", "--long", "--level", "raw", ok=False)
    assert result.exit_code == 2 and "--long" in result.stderr
