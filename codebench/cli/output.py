"""One way to print every report: a rich table, CSV or JSON."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Sequence
from typing import Any

from rich.table import Table

from codebench.cli.common import Format, out


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
        json.dump(payload if payload is not None else list(rows), sys.stdout, indent=2, ensure_ascii=False,
                  default=str)
        sys.stdout.write("\n")
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
