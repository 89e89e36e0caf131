"""The fast paths of codings import agree with the plain reference behaviour.

CSV records without dicts (cells restored only where one can start with a quote), the row
validator over cells in any column order, the byte-indexed quote finder for ASCII text, and a
whole import compared with what ``locate_quote`` and ``CodingRow`` say row by row.
"""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from codebench.domain.csvsafe import neutralise_cell, read_csv_records, read_csv_rows, restore_cell
from codebench.domain.errors import CodebenchError, InputError, RowError
from codebench.domain.quotes import KEY, STRIDE, QuoteFinder, locate_quote
from codebench.services import codings as codings_service
from codebench.services.codings import OPTIONAL, REQUIRED, CodingRow, Fields, plain_columns, record_validator
from codebench.services.project import init_project
from codebench.services.transcripts import import_transcripts


def _reference_rows(data: bytes) -> list[dict[str, str]]:
    """The plain reading: every cell restored, rows as dicts; same errors as ``read_csv_rows``."""
    text = data.decode("utf-8-sig")
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as exc:
        raise RowError("f", [(0, str(exc))]) from None
    numbered = [(n, rec) for n, rec in enumerate(records, start=1) if rec]
    if not numbered:
        raise InputError("empty CSV")
    (_, raw_header), body = numbered[0], numbered[1:]
    header = [restore_cell(name) for name in raw_header]
    if len(set(header)) != len(header):
        raise InputError("repeated column name")
    bad = [(n, "NUL character") for n, rec in numbered if any("\x00" in cell for cell in rec)]
    bad += [(n, "fields") for n, rec in body if len(rec) != len(header)]
    if bad:
        raise RowError("f", sorted(bad))
    return [dict(zip(header, (restore_cell(c) for c in rec), strict=True)) for _, rec in body]


cell_text = st.text(alphabet=st.sampled_from(["'", "=", "+", "-", "a", " ", ",", '"', "\n", "\r", "é", "\x00"]),
                    max_size=6)


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(cell_text, min_size=1, max_size=3), min_size=1, max_size=6),
       neutralise=st.booleans(), blank_lines=st.booleans())
def test_records_match_the_plain_reading(tmp_path: Path, rows: list[list[str]], neutralise: bool,
                                         blank_lines: bool) -> None:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([neutralise_cell(c) for c in row] if neutralise else row)
        if blank_lines:
            out.write("\r\n")
    data = out.getvalue().encode()
    path = tmp_path / "cells.csv"
    path.write_bytes(data)
    try:
        expected = _reference_rows(data)
    except CodebenchError as exc:
        with pytest.raises(type(exc)):
            read_csv_records(path)
        return
    assert read_csv_rows(path) == expected
    header, records = read_csv_records(path)
    assert [dict(zip(header, rec, strict=True)) for rec in records] == expected


def _by_pydantic(values: dict[str, str]) -> Fields:
    row = CodingRow.model_validate(values)
    return Fields(row.transcript, row.coder, row.code, row.quote, row.start, row.end, row.memo)


cell = st.sampled_from(["", " ", "0", "12", " 3 ", "-1", "x", "٣", "a note"])


@settings(max_examples=300)
@given(values=st.fixed_dictionaries({c: cell for c in REQUIRED}, optional={c: cell for c in OPTIONAL}),
       extra=st.booleans(), seed=st.integers(0, 1000))
def test_record_validator_in_any_column_order(values: dict[str, str], extra: bool, seed: int) -> None:
    if extra:
        values["participant"] = "p1"
    header = list(values)
    random.Random(seed).shuffle(header)
    record = [values[c] for c in header]
    try:
        expected = _by_pydantic(values)
    except ValidationError as exc:
        with pytest.raises(ValidationError) as raised:
            record_validator(header)(record)
        assert raised.value.errors(include_context=False) == exc.errors(include_context=False)
    else:
        assert record_validator(header)(record) == expected


@settings(max_examples=400)
@given(optional=st.sets(st.sampled_from(OPTIONAL)), seed=st.integers(0, 1000), data=st.data())
def test_plain_columns_agree_with_record_validator(optional: set[str], seed: int, data: st.DataObject) -> None:
    header = [*REQUIRED, *sorted(optional)]
    random.Random(seed).shuffle(header)
    offsets = data.draw(st.sampled_from([cell, st.sampled_from(["", " "]), st.sampled_from(["0", "7", "12"])]))
    records = data.draw(st.lists(st.tuples(*(offsets if c in ("start", "end") else cell for c in header))
                                 .map(list), max_size=5))
    columns = plain_columns(header, records)
    plain = None if columns is None else list(map(Fields, *columns))
    names_given = all(r[header.index(c)].strip() for r in records for c in ("transcript", "coder", "code"))
    offset_cells = [r[header.index(c)] for r in records for c in ("start", "end") if c in header]
    all_blank = not any(v.strip() for v in offset_cells)
    all_digits = {"start", "end"} <= optional and all(v.isascii() and v.isdigit() for v in offset_cells)
    assert (plain is not None) == (not records or (names_given and (all_blank or all_digits)))
    if plain is not None:
        assert plain == [record_validator(header)(r) for r in records]


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(alphabet="ab \n", min_size=STRIDE + KEY, max_size=300), picks=st.lists(
    st.tuples(st.integers(0, 299), st.integers(1, 60), st.sampled_from(["", "é", "\U0001f600", "b"])), max_size=10))
def test_ascii_text_with_quotes_of_any_characters(text: str, picks: list[tuple[int, int, str]]) -> None:
    quotes = []
    for start, length, extra in picks:
        start %= len(text)
        quote = text[start : start + length]
        quotes.append(quote[: len(quote) // 2] + extra + quote[len(quote) // 2 :])
    assert QuoteFinder(text).find_all(quotes) == [text.find(q) for q in quotes]


P01 = ("Interviewer: How did you tune it?\nAna: We tried   a grid\nsearch first, then random search "
       "over the learning rate. =Formulas in notes are fine.\n")
P02 = "Interviewer: And costs?\nBen: The cloud bill doubled in March, so we moved to spot instances.\n"


def _codings_csv(path: Path, rows: list[dict[str, str]]) -> None:
    columns = ["code", "quote", "transcript", "memo", "coder", "start", "end"]  # any order is fine
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        writer.writerows([neutralise_cell(row.get(c, "")) for c in columns] for row in rows)


def test_import_matches_row_by_row_reference(db_url: str, tmp_path: Path) -> None:
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "P01.txt").write_text(P01, encoding="utf-8")
    (tmp_path / "t" / "P02.txt").write_text(P02, encoding="utf-8")
    store, _ = init_project(db_url)
    import_transcripts(store, [tmp_path / "t"])
    texts = store.read(lambda tx: tx.all_texts())
    start = texts["P01"].index("random")
    rows = [
        {"transcript": "P01", "coder": "ana", "code": "Grid", "quote": "We tried a grid search first"},
        {"transcript": "P01", "coder": "ana", "code": "grid ", "quote": "We tried a grid search first"},
        {"transcript": "P01", "coder": "ana", "code": "=SUM(1)", "quote": "=Formulas in notes",
         "memo": "-3 is a note"},
        {"transcript": "P01", "coder": "ben", "code": "random", "quote": "random search",
         "start": str(start), "end": str(start + len("random search"))},
        {"transcript": "P01", "coder": "ben", "code": "rate", "quote": "the lerning rate"},
        {"transcript": "P02", "coder": "ben", "code": "cost", "quote": "The cloud bill doubled in March, so we"},
        {"transcript": "P02", "coder": "ben", "code": "lost", "quote": "nowhere in this text at all"},
        {"transcript": "P03", "coder": "ben", "code": "cost", "quote": "x"},
        {"transcript": "P02", "coder": "ben", "code": "cost", "quote": "spot", "start": "5"},
    ]
    _codings_csv(tmp_path / "c.csv", rows)

    first = codings_service.import_codings(store, tmp_path / "c.csv", add_coders=True, skip_bad=True)
    again = codings_service.import_codings(store, tmp_path / "c.csv", add_coders=True, skip_bad=True)

    expected = set()
    for row in rows[:7]:
        fields = _by_pydantic(row)
        text = texts[fields.transcript]
        span = (fields.start, fields.end) if fields.start is not None else locate_quote(text, fields.quote)
        if span is not None:
            expected.add((fields.coder, " ".join(fields.code.split()).casefold(), fields.transcript, span[0],
                          span[1], text[span[0] : span[1]], fields.memo))
    stored = {(c.coder, c.code.casefold(), c.transcript, c.start, c.end, c.quote, c.memo)
              for c in codings_service.codings(store)}
    assert stored == expected
    assert (first.stored, first.duplicates, first.coders_added, first.codes_created) == (5, 1, ["ana", "ben"], 5)
    assert first.located == {"whitespace": 2, "exact": 2, "offsets": 1, "fuzzy": 1}
    assert [n for n, _ in first.skipped] == [8, 9, 10]
    assert first.skipped[0][1] == "quote not found in 'P02'"
    assert (again.stored, again.duplicates, again.skipped) == (0, 6, first.skipped)
    assert {c.code for c in codings_service.codings(store)} >= {"=SUM(1)"}
    store.close()
