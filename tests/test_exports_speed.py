"""The fast CSV path of the quotes export writes exactly what ``write_csv`` writes.

``csv_fields`` + ``write_csv_parts`` encode cells without the csv module (so that cells shared by many
rows are encoded once); they are checked against ``write_csv`` for arbitrary cells, and the quotes export
against ``write_csv`` of ``quote_rows`` on a study with formula-like labels, quotes, commas and line breaks.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from _exports_study import TRICKY_CODE, build_study
from conftest import Cli
from hypothesis import given
from hypothesis import strategies as st

from codebench.domain.csvsafe import csv_field, csv_fields, write_csv, write_csv_parts
from codebench.services import exports
from codebench.services.project import open_project

TRICKY_TEXT = st.text(alphabet=st.sampled_from(["'", "=", "+", "-", "@", "\t", "\r", "\n", ",", '"', " ", "a", "é"]))
CELLS = st.one_of(st.text(), TRICKY_TEXT, st.integers(), st.none(), st.floats(), st.booleans())


def _reference(rows: list[list[object]], header: list[str], excel_bom: bool) -> str:
    out = io.StringIO(newline="")
    write_csv(rows, header, out, excel_bom=excel_bom)
    return out.getvalue()


def _record(cells: list[object]) -> str:
    """The line ``write_csv`` writes for one row of ``cells`` (under a plain header)."""
    return _reference([cells], [f"c{i}" for i in range(len(cells))], False).split("\r\n", 1)[1]


@given(st.lists(st.one_of(st.text(), TRICKY_TEXT), max_size=4), st.data(), st.booleans())
def test_parts_are_written_as_write_csv_writes_the_cells(header: list[str], data: st.DataObject,
                                                          excel_bom: bool) -> None:
    width = len(header)
    rows = data.draw(st.lists(st.lists(CELLS, min_size=width, max_size=width), max_size=5))
    records = []
    for row in rows:  # each row cut into parts of one cell or more at random places
        cuts = sorted(data.draw(st.sets(st.integers(1, width - 1))) if width > 1 else set())
        bounds = [0, *cuts, width] if width else []
        records.append([csv_fields(row[a:b]) for a, b in zip(bounds, bounds[1:])])
    out = io.StringIO(newline="")
    write_csv_parts(records, header, out, excel_bom=excel_bom)
    assert out.getvalue() == _reference(rows, header, excel_bom)


@given(CELLS)
def test_a_field_is_the_csv_modules_text_of_the_neutralised_cell(value: object) -> None:
    assert f"{csv_field(value)},x\r\n" == _record([value, "x"])


@pytest.mark.parametrize(("value", "field"), [("=1+1", "'=1+1"), ("-3", "'-3"), (-3, "'-3"), (7, "7"), (None, ""),
                                              ("a,b", '"a,b"'), ('say "hi"', '"say ""hi"""'), ("\r", "\"'\r\""),
                                              ("'=x", "''=x"), ("'x", "'x"), ("=a\nb", "\"'=a\nb\"")])
def test_field_examples(value: object, field: str) -> None:
    assert csv_field(value) == field
    assert f"{field},x\r\n" == _record([value, "x"])


@given(st.one_of(st.text(), TRICKY_TEXT), st.integers(min_value=0), st.integers(min_value=0),
       st.one_of(st.text(), TRICKY_TEXT))
def test_a_codings_own_cells_are_encoded_as_csv_fields_encodes_them(quote: str, start: int, end: int,
                                                                     memo: str) -> None:
    assert exports._own_fields(quote, start, end, memo) == csv_fields((quote, start, end, memo))


def test_a_lone_empty_cell_is_written_quoted_like_the_csv_module() -> None:
    out = io.StringIO(newline="")
    write_csv_parts([[csv_fields([""])], [csv_fields([None])]], ["only"], out)
    assert out.getvalue() == _reference([[""], [None]], ["only"], False) == 'only\r\n""\r\n""\r\n'


@pytest.mark.parametrize("options", [{}, {"excel": True}, {"codes": [TRICKY_CODE, "team trust"]},
                                     {"themes": ["search methods"]}])
def test_quotes_export_is_write_csv_of_the_quote_rows(cli: Cli, tmp_path: Path, options: dict) -> None:
    build_study(cli, tmp_path)
    store = open_project(cli.url)
    try:
        filters = {k: v for k, v in options.items() if k != "excel"}
        rows, header = exports.quote_rows(store, **filters)
        assert exports.export_quotes(store, tmp_path / "fast.csv", **options) == len(rows) > 0
    finally:
        store.close()
    write_csv(rows, header, tmp_path / "reference.csv", excel_bom=bool(options.get("excel")))
    fast = (tmp_path / "fast.csv").read_bytes()
    assert fast == (tmp_path / "reference.csv").read_bytes()
    assert (b"'=cost" in fast) is ("themes" not in options)  # neutralised cells are part of the comparison
