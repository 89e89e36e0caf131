"""CSV files that are safe to open in a spreadsheet (no formula injection) and read back exactly.

Escape rule (OWASP CSV injection guidance, made reversible): a cell whose text, after any run of
leading single quotes, starts with a trigger character (``= + - @`` tab or carriage return) gets
one more leading ``'``. So ``=SUM(A1)`` is written ``'=SUM(A1)`` and a label that really is
``'=x`` is written ``''=x``. ``restore_cell`` removes exactly one quote from such cells, which makes
the pair a bijection: ``restore_cell(neutralise_cell(x)) == x`` for every string. Negative
numbers (``-3``) are quoted too, as OWASP advises; restoring gives the text back.

Rows are numbered as a spreadsheet shows them: the header is row 1, the first data row is row 2.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import repeat
from contextlib import contextmanager
from os import PathLike
from pathlib import Path
from typing import TextIO

from codebench.domain.errors import InputError, RowError

TRIGGERS = frozenset("=+-@\t\r")
_QUOTE = "'"
_LEADS = TRIGGERS | {_QUOTE}  # first characters that may need a quote

Row = Mapping[str, object] | Sequence[object]


def _needs_quote(value: str) -> bool:
    first = value[:1]
    if first == _QUOTE:  # only then is the lstrip needed
        return value.lstrip(_QUOTE)[:1] in TRIGGERS
    return first in TRIGGERS


def neutralise_cell(value: str) -> str:
    """``value`` made inert for spreadsheets: a leading ``'`` where a formula could start."""
    return _QUOTE + value if _needs_quote(value) else value


def restore_cell(value: str) -> str:
    """Undo ``neutralise_cell``: drop one leading ``'`` when quotes are followed by a trigger."""
    return value[1:] if value.startswith(_QUOTE) and _needs_quote(value) else value


def _cell(value: object) -> str:
    """One cell as text (``None`` is empty), neutralised."""
    return neutralise_cell("" if value is None else str(value))


def _cells(values: Sequence[object]) -> list[object]:
    """Cells of one row, neutralised. Text that cannot start a formula, ``None`` and non-negative ints are
    handed to the csv module as they are: it writes them exactly as their neutralised text."""
    return [v if (type(v) is str and v[:1] not in _LEADS) or v is None or (type(v) is int and v >= 0) else _cell(v)
            for v in values]


def _ordered(rows: Iterable[Row], header: Sequence[str]) -> Iterator[list[object]]:
    """Each row's cells in header order, neutralised; rows with unknown columns or the wrong length raise."""
    columns = frozenset(header)
    width = len(header)
    blanks = [""] * width
    for row in rows:
        if isinstance(row, Mapping):
            if not columns.issuperset(row):
                raise ValueError(f"row has columns not in the header: {sorted(set(row) - columns)}")
            yield _cells(list(map(row.get, header, blanks)))
        else:
            if len(row) != width:
                raise ValueError(f"row has {len(row)} cells, header has {width}")
            yield _cells(row)


def csv_field(value: object) -> str:
    """One cell as ``write_csv`` writes it within a record: neutralised, then enclosed in double quotes
    (inner ones doubled) where it holds a delimiter, a double quote or a line break, as the csv
    module's default dialect does."""
    if type(value) is int and value >= 0:
        return str(value)
    text = value if type(value) is str and value[:1] not in _LEADS else _cell(value)
    if '"' in text:
        return '"' + text.replace('"', '""') + '"'
    if "," in text or "\n" in text or "\r" in text:
        return '"' + text + '"'
    return text


def csv_fields(cells: Iterable[object]) -> str:
    """``cells`` as ``write_csv`` writes them within a record, delimiters between: a part of a record
    for ``write_csv_parts``."""
    return ",".join(map(csv_field, cells))


@contextmanager
def _opened(dest: str | PathLike[str] | TextIO, excel_bom: bool) -> Iterator[TextIO]:
    """``dest`` as a text file to write CSV into (a path is opened as UTF-8), BOM written if asked."""
    if isinstance(dest, (str, PathLike)):
        with open(dest, "w", encoding="utf-8", newline="") as fh, _opened(fh, excel_bom) as opened:
            yield opened
        return
    if excel_bom:
        dest.write("\ufeff")
    yield dest


def write_csv(
    rows: Iterable[Row],
    header: Sequence[str],
    dest: str | PathLike[str] | TextIO,
    *,
    excel_bom: bool = False,
) -> None:
    """Write ``header`` and ``rows`` (mappings by column name, or sequences in header order) as
    UTF-8 CSV with every cell neutralised. ``dest`` is a path or a text file opened with
    ``newline=""``; ``excel_bom`` puts a byte-order mark first so Excel detects UTF-8."""
    with _opened(dest, excel_bom) as fh:
        writer = csv.writer(fh)
        writer.writerow([neutralise_cell(name) for name in header])
        writer.writerows(_ordered(rows, header))


def write_csv_parts(
    records: Iterable[Sequence[str]],
    header: Sequence[str],
    dest: str | PathLike[str] | TextIO,
    *,
    excel_bom: bool = False,
) -> None:
    """``write_csv`` for records already encoded in parts: each record is a sequence of ``csv_fields``
    texts, each of one cell or more, that together hold the header's cells in order. The file is byte
    for byte what ``write_csv`` writes for those cells, and a caller can encode a part that many records
    share only once. The records' widths are not checked."""
    lone_empty = '""' if header else ""  # a record of one empty cell is written "" (an empty line is skipped)

    def line(parts: Sequence[str]) -> str:
        return (",".join(parts) or lone_empty) + "\r\n"

    with _opened(dest, excel_bom) as fh:
        fh.write(line([csv_fields(header)]))
        fh.writelines(map(line, records))


def _decode(data: bytes, where: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row = _row_at(data[: exc.start].decode("utf-8-sig"))
        raise RowError(where, [(row, "bytes that are not UTF-8")]) from None


def _row_at(prefix: str) -> int:
    """The row number of the record in progress at the end of ``prefix``."""
    try:
        records = list(csv.reader(io.StringIO(prefix, newline="")))
    except csv.Error:  # the prefix ends inside broken quoting: count lines instead
        return prefix.count("\n") + 1
    complete = not prefix or prefix.endswith(("\n", "\r"))
    return len(records) + 1 if complete else max(len(records), 1)


def _may_start_cell_with_quote(text: str) -> bool:
    """False only when no cell of the CSV ``text`` starts with ``'``: such a cell starts the text or
    follows a delimiter, a line break or its opening double quote."""
    return _QUOTE in text and (text.startswith(_QUOTE) or any(mark + _QUOTE in text for mark in ',\r\n"'))


def read_csv_rows(path: str | PathLike[str]) -> list[dict[str, str]]:
    """Rows of a UTF-8 CSV (BOM or not) as dicts by header name, cells restored.

    Strict: raises ``RowError`` (an ``InputError``) naming the rows with a wrong number of fields,
    NUL characters or bytes that are not UTF-8, and ``InputError`` for an empty file, a repeated
    column name or broken quoting. Blank lines are skipped.
    """
    header, records = read_csv_records(path)
    return [dict(zip(header, rec, strict=True)) for rec in records]


def read_csv_records(path: str | PathLike[str]) -> tuple[list[str], list[list[str]]]:
    """The header and the rows of a UTF-8 CSV, each row a list of cells in header order, restored.

    ``read_csv_rows`` without the dicts: the same checks and errors, blank lines skipped.
    """
    return parse_csv_records(Path(path).read_bytes(), str(path))


RUN_ALL = 1 << 62  # a run size for all the rows at once


def parse_csv_records(data: bytes, where: str) -> tuple[list[str], list[list[str]]]:
    """``read_csv_records`` of a file's bytes; ``where`` names the file in errors."""
    header, _, runs = csv_record_runs(data, where, RUN_ALL)
    return header, next(runs, [])


def csv_record_runs(data: bytes, where: str, size: int, *,
                    columns: bool = False) -> tuple[list[str], int, Iterator[list[list[str]]]]:
    """``parse_csv_records`` in runs of ``size`` rows: the header, the number of rows and the runs;
    with ``columns`` each run is given as columns, one list of cells per column of the header.

    A file with no double quote (no cell quoted) is split into cells run by run, as each run is
    taken, and a row of the wrong width is found then; any other error is raised here. Either way
    an error names every bad row of the file, as ``parse_csv_records`` does.
    """
    text = _decode(data, where)
    lines = _plain_lines(text)
    if lines is None:
        header, rows = _checked_records(_csv_records(text, where), text, where)
        runs = (rows[i : i + size] for i in range(0, len(rows), size))
        return header, len(rows), (_transposed(run, len(header)) for run in runs) if columns else runs
    numbers: Sequence[int] = range(1, len(lines) + 1)  # each line's row number, for messages
    if "" in lines:  # blank lines are skipped; the other rows keep their numbers
        numbers = [n for n, line in zip(numbers, lines, strict=True) if line]
        lines = [line for line in lines if line]
    if not lines:
        raise InputError("empty CSV: no header row", where=where)
    header = _header(lines[0].split(","), where)
    width, body = len(header), lines[1:]
    restore = _may_start_cell_with_quote(text)

    def split(run: list[str]) -> list[list[str]]:
        if set(map(str.count, run, repeat(","))) - {width - 1}:  # every bad row of the file, as csv.reader's way
            widths = [count + 1 for count in map(str.count, body, repeat(","))]
            raise RowError(where, _width_errors(numbers[1:], widths, width))
        if columns:  # each cell once, straight into its column
            cells = ",".join(run).split(",")
            return [_restored_cells(cells[c::width]) if restore else cells[c::width] for c in range(width)]
        rows = [line.split(",") for line in run]
        return _restored(rows) if restore else rows

    return header, len(body), (split(body[i : i + size]) for i in range(0, len(body), size))


def _transposed(rows: list[list[str]], width: int) -> list[list[str]]:
    return [list(column) for column in zip(*rows, strict=True)] if rows else [[] for _ in range(width)]


def _plain_lines(text: str) -> list[str] | None:
    """The lines of ``text`` when it has no double quote, so that splitting each line at its commas
    gives the cells ``csv.reader`` (strict) reads, twice as fast; None for any other text."""
    if '"' in text or "\x00" in text:
        return None
    if "\r" not in text:
        lines = text.split("\n")
    else:  # the csv module ends a row at any of \r\n, \n and \r
        lines = text.split("\r\n")
        if not text.count("\r") == text.count("\n") == len(lines) - 1:  # not \r\n alone
            lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines[-1] == "":  # the text ends with a line break (or is empty)
        lines.pop()
    if lines and max(map(len, lines)) > csv.field_size_limit():  # let the csv module report it
        return None
    return lines


def _csv_records(text: str, where: str) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[list[str]] = []
    try:
        records.extend(reader)
    except csv.Error as exc:
        raise RowError(where, [(len(records) + 1, f"malformed CSV ({exc})")]) from None
    return records


def _header(cells: list[str], where: str) -> list[str]:
    header = [restore_cell(name) for name in cells]
    if len(set(header)) != len(header):
        raise InputError(f"repeated column name in header: {header}", where=where)
    return header


def _width_errors(numbers: Iterable[int], widths: Iterable[int], width: int) -> list[tuple[int, str]]:
    return [(n, f"{w} fields, header has {width}") for n, w in zip(numbers, widths, strict=True) if w != width]


def _restored(rows: list[list[str]]) -> list[list[str]]:
    return list(map(_restored_cells, rows))


def _restored_cells(cells: list[str]) -> list[str]:
    return [restore_cell(c) if c[:1] == _QUOTE else c for c in cells]


def _checked_records(records: list[list[str]], text: str, where: str) -> tuple[list[str], list[list[str]]]:
    """The header and the restored rows of the records ``csv.reader`` read from ``text``, checked."""
    numbers: Sequence[int] = range(1, len(records) + 1)  # each record's row number, for messages
    if not all(records):  # blank lines are skipped; the other rows keep their numbers
        numbers = [n for n, rec in zip(numbers, records, strict=True) if rec]
        records = [rec for rec in records if rec]
    if not records:
        raise InputError("empty CSV: no header row", where=where)
    header = _header(records[0], where)
    rows = records[1:]
    bad: list[tuple[int, str]] = []
    if "\x00" in text:  # look for the rows only when there is one
        bad = [(n, "NUL character") for n, rec in zip(numbers, records, strict=True) if any("\x00" in c for c in rec)]
    widths = list(map(len, rows))
    if set(widths) - {len(header)}:
        bad += _width_errors(numbers[1:], widths, len(header))
    if bad:
        raise RowError(where, sorted(bad))
    return header, _restored(rows) if _may_start_cell_with_quote(text) else rows
