"""Pictures of code accumulation: a PNG/SVG chart (matplotlib, no pyplot state) and a terminal chart."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from codebench.domain.errors import InputError
from codebench.domain.saturation import SaturationReport

if TYPE_CHECKING:
    from matplotlib.figure import Figure

PLOT_FORMATS = {".png": "png", ".svg": "svg"}
_MAX_NAMED_TICKS = 30  # beyond this many interviews the x axis shows positions, not names


def accumulation_plot(report: SaturationReport, path: str | Path) -> Path:
    """Write the accumulation chart to ``path`` (.png or .svg) and return the path.

    Cumulative unique codes as a line, new codes per interview as bars (right axis), the saturation
    point as a labelled vertical line, and, when permutations were run, their 5-95% band of the
    cumulative curve with the exact expected curve.
    """
    target = Path(path)
    fmt = PLOT_FORMATS.get(target.suffix.lower())
    if fmt is None:
        raise InputError(f"plot file must end in .png or .svg, not {target.suffix or '(none)'}", where=str(target))
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # loaded only when drawing
    from matplotlib.figure import Figure

    figure = Figure(figsize=(9, 5), layout="constrained")
    FigureCanvasAgg(figure)
    _draw(figure, report)
    figure.savefig(target, format=fmt)
    return target


def _draw(figure: Figure, report: SaturationReport) -> None:
    positions = list(range(1, len(report.interviews) + 1))
    cumulative = [row.cumulative for row in report.interviews]
    axes = figure.add_subplot()
    bars = axes.twinx()
    bars.bar(positions, [row.new for row in report.interviews], color="tab:orange", alpha=0.5, label="new codes")
    bars.set_ylabel("new codes")
    axes.set_zorder(bars.get_zorder() + 1)
    axes.patch.set_visible(False)
    perms = report.permutations
    if perms is not None and positions:
        axes.fill_between(positions, perms.cumulative_p5, perms.cumulative_p95, color="tab:blue", alpha=0.15,
                          label=f"5-95% over {perms.n} random orders")
        axes.plot(positions, perms.expected_cumulative_exact, color="tab:blue", linestyle="--", linewidth=1,
                  label="expected over all orders (exact)")
    axes.plot(positions, cumulative, color="tab:blue", marker="o", markersize=3, label="cumulative codes")
    if report.saturation_index is not None:
        axes.axvline(report.saturation_index, color="tab:green", linestyle=":")
        axes.annotate(f"saturation: {report.saturation_point}", (report.saturation_index, 0.02),
                      xycoords=("data", "axes fraction"), xytext=(4, 0), textcoords="offset points",
                      rotation=90, va="bottom", color="tab:green")
    if 0 < len(positions) <= _MAX_NAMED_TICKS:
        axes.set_xticks(positions, list(report.order), rotation=90 if len(positions) > 12 else 0)
    axes.set_xlabel("interview (analysis order)")
    axes.set_ylabel("cumulative unique codes")
    axes.set_ylim(bottom=0)
    axes.set_title(report.verdict(), fontsize=9)
    handles, labels = axes.get_legend_handles_labels()
    bar_handles, bar_labels = bars.get_legend_handles_labels()
    axes.legend(handles + bar_handles, labels + bar_labels, loc="lower right", fontsize=8)


def _bar(before: int, after: int, scale: float) -> str:
    """Codes known before an interview as full blocks, the ones it added as light shade."""
    known = round(before * scale)
    return "█" * known + "░" * (round(after * scale) - known)


def accumulation_text(report: SaturationReport, width: int = 60) -> str:
    """A plain-text chart for the terminal: one line per interview, at most ``width`` characters of bar.

    The bar is the cumulative count of unique codes (``█`` known before the interview, ``░`` new in it);
    the line ends with the cumulative count and ``+new``;
    the saturation point is marked with ``◀ saturation``. The first line is the verdict.
    """
    if width < 10:
        raise InputError(f"chart width must be at least 10 characters (got {width})")
    lines = [report.verdict()]
    if not report.interviews:
        return "\n".join(lines)
    top = max(row.cumulative for row in report.interviews)
    scale = width / top if top else 0.0
    label = max(len(row.name) for row in report.interviews)
    digits = len(str(top))
    for position, row in enumerate(report.interviews, start=1):
        mark = "  ◀ saturation" if position == report.saturation_index else ""
        bar = _bar(row.cumulative - row.new, row.cumulative, scale)
        lines.append(f"{row.name:<{label}} │{bar:<{width}}│ "
                     f"{row.cumulative:>{digits}} +{row.new}{mark}")
    return "\n".join(lines)
