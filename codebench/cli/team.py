"""Team commands: merge an offline copy of the project, back the project up."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from codebench.cli.common import DbOption, Format, FormatOption, command, err, out, project
from codebench.cli.output import emit
from codebench.services.backup import backup_project
from codebench.services.merge import merge_project


def register(app: typer.Typer) -> None:
    command(app, "merge")(merge)
    command(app, "backup")(backup)


def merge(
    other: Annotated[str, typer.Argument(help="The other project: a .db file or a database URL.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Report what would be merged; change nothing.")] = False,
    db: DbOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Bring another copy's coders, codes, codings, memos, statuses and codebook into this project.

    Transcripts are matched by content; a transcript with the same name but other content is reported
    as a conflict and its codings are left out. Merging the same copy twice adds nothing.

    Example: codebench merge laptop-copy.db --dry-run
    """
    with project(db) as store:
        report = merge_project(store, other, dry_run=dry_run)
    kinds = sorted(set(report.added) | set(report.present) | set(report.skipped))
    rows = [{"what": k, "added": report.added[k], "already here": report.present[k], "skipped": report.skipped[k]}
            for k in kinds]
    title = f"Merge of {other}" + (" (dry run: nothing changed)" if dry_run else "")
    emit(rows, ["what", "added", "already here", "skipped"], fmt, title=title,
         payload={"dry_run": dry_run, "added": dict(report.added), "present": dict(report.present),
                  "skipped": dict(report.skipped), "conflicts": report.conflicts, "notes": report.notes})
    if fmt is not Format.json:
        for line in report.notes:
            err.print(f"note: {line}", highlight=False, markup=False)
        for line in report.conflicts:
            err.print(f"conflict: {line}", highlight=False, markup=False)
        if not report.changed:
            out.print("nothing to merge: this project already has everything in " + other, highlight=False)


def backup(
    file: Annotated[Path, typer.Argument(help="The backup file to create (must not exist).")],
    db: DbOption = None,
) -> None:
    """Copy the whole project to FILE while others may keep working.

    SQLite uses its online backup API (the copy is a project file: open it with --db sqlite:///FILE).
    PostgreSQL runs pg_dump --format=custom when pg_dump is installed (restore with pg_restore);
    otherwise it stops with the pg_dump command to run.

    Example: codebench backup backups/study-2025-03-01.db
    """
    with project(db) as store:
        how = backup_project(store, file)
    out.print(f"backed up the project to {file} ({how})", highlight=False)
