"""A co-occurrence heatmap as PNG or SVG (matplotlib, no pyplot state)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from codebench.domain.cooccurrence import Cooccurrence
from codebench.domain.errors import InputError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

_FORMATS = {".png": "png", ".svg": "svg"}


def _figure(result: Cooccurrence, title: str | None) -> Figure:
    if not result.rows or not result.cols:
        raise InputError("nothing to plot: no codes at this level (harmonise and assign themes first)")
    counts = np.array(result.counts, dtype=float).reshape(len(result.rows), len(result.cols))
    width = min(4 + 0.45 * len(result.cols), 24)
    height = min(3 + 0.35 * len(result.rows), 24)
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # loaded only when drawing
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    image = axes.imshow(counts, cmap="Blues", aspect="auto", vmin=0)
    axes.set_xticks(range(len(result.cols)), result.cols, rotation=60, ha="right", fontsize=8)
    axes.set_yticks(range(len(result.rows)), result.rows, fontsize=8)
    top = counts.max() if counts.size else 0
    if counts.size <= 400:
        for (i, j), value in np.ndenumerate(counts):
            if value:
                axes.text(j, i, str(int(value)), ha="center", va="center", fontsize=7,
                          color="white" if value > top / 2 else "black")
    figure.colorbar(image, ax=axes, label=f"{result.unit}s with both codes")
    axes.set_title(title or f"Co-occurrence per {result.unit} ({result.units} {result.unit}s)", fontsize=9)
    return figure


def heatmap_png(result: Cooccurrence, title: str | None = None) -> bytes:
    """The heatmap as PNG bytes (cells labelled with their counts when the matrix is small)."""
    buffer = io.BytesIO()
    _figure(result, title).savefig(buffer, format="png", dpi=110)
    return buffer.getvalue()


def heatmap_file(result: Cooccurrence, path: str | Path, title: str | None = None) -> Path:
    """Write the heatmap to ``path`` (.png or .svg) and return the path."""
    target = Path(path)
    fmt = _FORMATS.get(target.suffix.lower())
    if fmt is None:
        raise InputError(f"plot file must end in .png or .svg, not {target.suffix or '(none)'}", where=str(target))
    _figure(result, title).savefig(target, format=fmt)
    return target
