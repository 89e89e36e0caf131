"""Filling a DataTable with columns as wide as their widest cell."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import DataTable

MAX_WIDTH = 40


def fill_table(table: DataTable, columns: Sequence[str], rows: Sequence[Sequence[object]],
               keys: Sequence[str]) -> None:
    """Replace the table's content, keeping the cursor row where it can; rich ``Text`` cells keep their style."""
    row = table.cursor_row
    table.clear(columns=True)
    for i, label in enumerate(columns):
        width = max([len(label), *(len(str(r[i])) for r in rows)])
        table.add_column(label, width=min(width, MAX_WIDTH))
    for values, key in zip(rows, keys, strict=True):
        table.add_row(*(v if isinstance(v, Text) else str(v) for v in values), key=key)
    if rows:
        table.move_cursor(row=min(max(row, 0), len(rows) - 1))
