"""`codebench demo`: a ready-made project from the sample study."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from codebench.cli.common import Format, command, out, progress_bar
from codebench.cli.output import emit
from codebench.services import codings as codings_service
from codebench.services import harmonise
from codebench.services.agreement import agreement_report
from codebench.services.demo import build_demo
from codebench.services.report import write_report
from codebench.services.saturation import saturation_report


def register(app: typer.Typer) -> None:
    command(app, "demo")(demo)


def demo(folder: Annotated[Path, typer.Argument(help="Folder for the demo project.")] = Path("codebench-demo")) -> None:
    """Build a demo project from the bundled sample study and show what is in it.

    Example: codebench demo /tmp/demo && codebench status --db sqlite:////tmp/demo/codebench.db
    """
    with progress_bar("importing samples") as update:
        project = build_demo(folder, progress=update)
    store = project.store
    try:
        out.print(f"[bold]Demo project[/] {project.url}: {project.transcripts} transcripts, "
                  f"{project.codings} codings by 3 coders")
        cells = codings_service.status(store)
        per_coder: dict[str, int] = {}
        for c in cells:
            per_coder[c.coder] = per_coder.get(c.coder, 0) + c.codings
        emit([{"coder": k, "codings": v} for k, v in sorted(per_coder.items())], ["coder", "codings"],
             Format.table, title="Codings per coder")
        f = harmonise.funnel(store)
        out.print(f"Harmonisation (sample codebook applied): {f.raw_total} raw codes -> {f.harmonised} harmonised "
                  f"codes -> {f.themes} themes -> {f.categories} categories", highlight=False)
        result = agreement_report(store, level="harmonised")
        overall = result.report.overall
        low = sum(c.alpha.value is not None and c.alpha.value < 0.8 for c in result.report.codes)
        out.print(f"Agreement (harmonised codes, turns): alpha (MASI) {overall.alpha_masi.value:.3f}, mean per-code "
                  f"alpha {overall.mean_alpha.value:.3f}; {low} of {len(result.report.codes)} codes below 0.8",
                  highlight=False)
        report = saturation_report(store, level="harmonised")
        out.print(f"Saturation (harmonised codes, all coders): {report.verdict()}", highlight=False)
        report_path = folder / "report.html"
        write_report(store, report_path, "Study report: codebench demo (fictional sample study)")
        out.print(f"Study report: {report_path}", highlight=False)
        out.print(f"Next: export CODEBENCH_DB={project.url}, then try codebench status, codebench funnel, "
                  "codebench agreement, codebench saturation --by-category, codebench tui", highlight=False)
    finally:
        store.close()
