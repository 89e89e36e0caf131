"""One way to print every report: a rich table, CSV or JSON."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any

from rich.table import Table

from codebench.cli.common import Format, err, out


def cell(value: Any, *, rounded: bool = True) -> str:
    """Text of one cell: floats with three decimals in tables, in full for CSV."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.3f}" if rounded else repr(value)
    if isinstance(value, (list, tuple)):
        return "; ".join(map(str, value))
    return str(value)


def emit(rows: Sequence[dict[str, Any]], columns: Sequence[str], fmt: Format, *, title: str | None = None,
         payload: Any = None) -> None:
    """Print rows as a table / csv / json. ``payload`` replaces the rows in JSON when given."""
    if fmt is Format.json:
        # one write: json.dump would write every token separately (millions of writes for a large report)
        sys.stdout.write(json.dumps(payload if payload is not None else list(rows), indent=2, ensure_ascii=False,
                                    default=str) + "\n")
    elif fmt is Format.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([cell(row.get(c), rounded=False) for c in columns])
    else:
        table = Table(title=title, title_justify="left", header_style="bold")
        for c in columns:
            table.add_column(c.replace("_", " "))
        for row in rows:
            table.add_row(*(cell(row.get(c)) for c in columns))
        out.print(table)


def warn(lines: Sequence[str]) -> None:
    """Warnings go to stderr, one line each, so stdout stays parseable."""
    for line in lines:
        err.print(f"warning: {line}", highlight=False, markup=False)


def emit_result(result: Any, fmt: Format, *, rows: Callable[[], Sequence[dict[str, Any]]],
                columns: Sequence[str], table: Callable[[], None]) -> None:
    """A report with warnings: JSON from ``result.to_dict()``, CSV from ``rows``, else the ``table`` printer."""
    warn(result.warnings())
    if fmt is Format.json:
        emit([], [], fmt, payload=result.to_dict())
    elif fmt is Format.csv:
        emit(rows(), columns, fmt)
    else:
        table()
