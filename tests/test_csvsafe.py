"""CSV-injection-safe cells and strict CSV reading."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from codebench.domain.csvsafe import (
    TRIGGERS,
    _plain_lines,
    csv_record_runs,
    parse_csv_records,
    neutralise_cell,
    read_csv_rows,
    restore_cell,
    write_csv,
)
from codebench.domain.errors import InputError, RowError

LABELS = [
    "plain",
    "with, comma",
    'say "hello"',
    "two\nlines",
    "windows\r\nline",
    "Émilie à Besançon — ça va",
    "=HYPERLINK(\"http://example.invalid\",\"x\")",
    "+1",
    "-3",
    "@SUM(A1)",
    "\tindented",
    "\rreturn",
    "'=already quoted",
    "''+twice",
    "'plain quote",
    "'",
    "",
]


@pytest.mark.parametrize("value", LABELS)
def test_neutralised_cell_never_starts_with_a_trigger_and_restores(value: str) -> None:
    safe = neutralise_cell(value)
    assert safe[:1] not in TRIGGERS
    assert restore_cell(safe) == value


def test_escape_examples() -> None:
    assert neutralise_cell("=1+1") == "'=1+1"
    assert neutralise_cell("'=1+1") == "''=1+1"
    assert neutralise_cell("'quoted") == "'quoted"
    assert neutralise_cell("a=b") == "a=b"
    assert restore_cell("'quoted") == "'quoted"


@given(st.text())
def test_round_trip_any_string(value: str) -> None:
    assert restore_cell(neutralise_cell(value)) == value
    assert neutralise_cell(value)[:1] not in TRIGGERS


@given(st.text(alphabet=st.sampled_from(["'", "=", "+", "-", "@", "\t", "\r", "a", ","]), max_size=8))
def test_round_trip_quote_and_trigger_runs(value: str) -> None:
    assert restore_cell(neutralise_cell(value)) == value


@given(st.text())
def test_escape_is_a_bijection_onto_cells_without_leading_trigger(cell: str) -> None:
    """Every cell that does not start with a trigger is the escape of exactly one label."""
    if cell[:1] in TRIGGERS:
        assert restore_cell(cell) == cell  # a formula typed into the file is left as typed
    else:
        assert neutralise_cell(restore_cell(cell)) == cell


@pytest.mark.parametrize("excel_bom", [False, True])
def test_file_round_trip(tmp_path: Path, excel_bom: bool) -> None:
    path = tmp_path / "codes.csv"
    rows = [{"code": label, "note": f"n{i}"} for i, label in enumerate(LABELS)]
    write_csv(rows, ["code", "note"], path, excel_bom=excel_bom)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") is excel_bom
    for row in csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")):
        assert all(cell[:1] not in TRIGGERS for cell in row)
    assert read_csv_rows(path) == rows


def test_sequence_rows_and_text_file_dest(tmp_path: Path) -> None:
    buf = io.StringIO(newline="")
    write_csv([["=x", 3], ["y", None]], ["-label", "n"], buf)
    assert buf.getvalue().splitlines()[0] == "'-label,n"
    path = tmp_path / "out.csv"
    path.write_text(buf.getvalue(), encoding="utf-8", newline="")
    assert read_csv_rows(path) == [{"-label": "=x", "n": "3"}, {"-label": "y", "n": ""}]


def test_rows_must_fit_the_header() -> None:
    with pytest.raises(ValueError, match="cells"):
        write_csv([["a"]], ["x", "y"], io.StringIO())
    with pytest.raises(ValueError, match="not in the header"):
        write_csv([{"z": 1}], ["x"], io.StringIO())


def _write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "in.csv"
    path.write_bytes(data)
    return path


def test_wrong_field_counts_are_reported_by_row(tmp_path: Path) -> None:
    path = _write(tmp_path, b"a,b\r\n1,2\r\n3\r\n4,5\r\n6,7,8\r\n")
    with pytest.raises(RowError) as err:
        read_csv_rows(path)
    assert [n for n, _ in err.value.rows] == [3, 5]
    assert "row 3" in err.value.line() and str(path) in err.value.line()


def test_nul_bytes_are_refused(tmp_path: Path) -> None:
    with pytest.raises(RowError) as err:
        read_csv_rows(_write(tmp_path, b"a,b\n1,2\nx\x00y,3\n"))
    assert err.value.rows == [(3, "NUL character")]


def test_undecodable_bytes_name_the_row(tmp_path: Path) -> None:
    with pytest.raises(RowError) as err:
        read_csv_rows(_write(tmp_path, b'a,b\n1,"two\nlines"\n3,\xff\n'))
    assert err.value.rows[0][0] == 3
    with pytest.raises(RowError) as err:
        read_csv_rows(_write(tmp_path, b"a,b\n1,2\n\xfe,3\n"))
    assert err.value.rows[0][0] == 3


def test_bom_is_accepted_and_stripped(tmp_path: Path) -> None:
    assert read_csv_rows(_write(tmp_path, "\ufeffcode,n\nbé,1\n".encode())) == [{"code": "bé", "n": "1"}]


def test_broken_quoting_empty_file_and_repeated_columns(tmp_path: Path) -> None:
    with pytest.raises(RowError) as err:
        read_csv_rows(_write(tmp_path, b'a,b\n1,2\n"x"y,3\n'))
    assert err.value.rows[0][0] == 3
    with pytest.raises(InputError, match="empty"):
        read_csv_rows(_write(tmp_path, b""))
    with pytest.raises(InputError, match="repeated"):
        read_csv_rows(_write(tmp_path, b"a,a\n1,2\n"))


@given(st.text(alphabet=st.sampled_from(["a", "b", ",", "\r", "\n", " ", "é", "\t", "'", "\x00", "\u2028"]),
               max_size=40))
def test_files_without_double_quotes_are_split_as_the_csv_module_reads_them(text: str) -> None:
    lines = _plain_lines(text)
    if "\x00" in text:
        assert lines is None
    else:
        assert [line.split(",") if line else [] for line in lines] == list(
            csv.reader(io.StringIO(text, newline=""), strict=True))


def test_files_with_double_quotes_or_long_lines_are_left_to_the_csv_module() -> None:
    assert _plain_lines('a,"b, c"\n') is None
    assert _plain_lines("a," + "x" * (csv.field_size_limit() + 1)) is None


@given(st.lists(st.lists(st.sampled_from(["", "x", "'=1", "a b", "é", "say \"hi\"", "x,y"]), min_size=2, max_size=2),
                max_size=12),
       st.sampled_from(["\n", "\r\n", "\r"]), st.booleans(), st.integers(1, 5))
def test_runs_of_rows_join_up_to_the_whole_file(rows: list[list[str]], end: str, blank: bool, size: int) -> None:
    lines = [",".join(f'"{c}"' if '"' in c or "," in c else c for c in row).replace('"hi"', '""hi""')
             for row in [["a", "b"], *rows]]
    if blank:
        lines.insert(1, "")
    data = end.join(lines).encode()
    header, count, runs = csv_record_runs(data, "f.csv", size)
    whole = parse_csv_records(data, "f.csv")
    assert (header, count) == (whole[0], len(whole[1]))
    pieces = list(runs)
    assert [row for piece in pieces for row in piece] == whole[1] == [
        [restore_cell(c) for c in row] for row in rows]
    assert all(len(piece) == size for piece in pieces[:-1])
    header, count, runs = csv_record_runs(data, "f.csv", size, columns=True)
    assert [list(row) for piece in runs for row in zip(*piece, strict=True)] == whole[1]


@pytest.mark.parametrize("quoted", [False, True])
def test_both_ways_of_reading_report_the_same_bad_rows(quoted: bool) -> None:
    cell = '"b"' if quoted else "b"
    data = f"a,b\n\n1,{cell}\n1,2,3\n4\n".encode()
    for columns in (False, True):
        with pytest.raises(RowError) as error:
            list(csv_record_runs(data, "f.csv", 2, columns=columns)[2])
        assert error.value.rows == [(4, "3 fields, header has 2"), (5, "1 fields, header has 2")]
