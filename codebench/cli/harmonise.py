"""Harmonisation commands: suggest, merge, reject, split, rename, undo, log; themes, categories, funnel."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from codebench.cli.common import DbOption, Format, FormatOption, command, out, project
from codebench.cli.output import emit
from codebench.domain.errors import InputError
from codebench.domain.harmonise import DEFAULT_THRESHOLD
from codebench.services import harmonise as svc

harmonise_app = typer.Typer(help="Merge synonymous raw codes into harmonised codes.", no_args_is_help=True)
theme_app = typer.Typer(help="Themes group harmonised codes; categories group themes.", no_args_is_help=True)
category_app = typer.Typer(help="Categories (default: methods, goals, contextual factors).", no_args_is_help=True)
codebook_app = typer.Typer(help="The codebook as a spreadsheet.", no_args_is_help=True)

By = Annotated[str | None, typer.Option("--by", help="Who made the decision (for the merge log).")]
Note = Annotated[str | None, typer.Option("--note", help="Rationale, kept in the merge log.")]
Score = Annotated[float | None, typer.Option("--score", help="Suggestion score at the time, for the log.")]


def register(app: typer.Typer) -> None:
    app.add_typer(harmonise_app, name="harmonise")
    app.add_typer(theme_app, name="theme")
    app.add_typer(category_app, name="category")
    app.add_typer(codebook_app, name="codebook")
    command(app, "funnel")(funnel)


@command(harmonise_app, "suggest")
def suggest(
    threshold: Annotated[float, typer.Option(help="Minimum combined similarity (0-1).")] = DEFAULT_THRESHOLD,
    semantic: Annotated[bool, typer.Option("--semantic", help="Add sentence-embedding similarity of the "
                                           "labels (needs the extra codebench[semantic]).")] = False,
    db: DbOption = None, fmt: FormatOption = Format.table,
) -> None:
    """Propose groups of raw codes that mean the same thing, with their evidence.

    Example: codebench harmonise suggest --threshold 0.6 --format json
    """
    if not 0 <= threshold <= 1:
        raise InputError("--threshold lies between 0 and 1")
    with project(db) as store:
        groups = svc.suggest(store, threshold=threshold, semantic=semantic)
    rows = [{"group": i, "codes": [f"{c}:{lab}" for c, lab in g.codes], "score": g.score,
             "label_similarity": g.label_similarity, "overlap": g.overlap, "shared_quotes": g.shared_quotes,
             "semantic": g.semantic, "example_quote": _shorten(g.example) if fmt is Format.table else g.example}
            for i, g in enumerate(groups, start=1)]
    columns = ["group", "codes", "score", "label_similarity", "overlap", "shared_quotes",
               *(["semantic"] if semantic else []), "example_quote"]
    emit(rows, columns, fmt, title=f"Merge suggestions (threshold {threshold})",
         payload={"groups": [g.to_dict() for g in groups]})


@command(harmonise_app, "merge")
def merge(
    codes: Annotated[list[str], typer.Argument(help="Raw codes as CODER:LABEL.")],
    into: Annotated[str, typer.Option("--into", help="Harmonised code (created if new).")],
    definition: Annotated[str | None, typer.Option(help="Definition of the harmonised code.")] = None,
    by: By = None, note: Note = None, score: Score = None, db: DbOption = None,
) -> None:
    """Map raw codes to a harmonised code; raw codes and codings are kept.

    Example: codebench harmonise merge "ana:grid search" "ben:exhaustive grid" --into "grid search" --by lead
    """
    with project(db) as store:
        decision = svc.merge(store, codes, into, definition=definition, by=by, note=note, score=score)
    out.print(f"merged into {into!r} (decision #{decision})" if decision else f"nothing to change for {into!r}")


@command(harmonise_app, "reject")
def reject(a: Annotated[str, typer.Argument(help="CODER:LABEL")], b: Annotated[str, typer.Argument(help="CODER:LABEL")],
           by: By = None, note: Note = None, score: Score = None, db: DbOption = None) -> None:
    """Remember that two raw codes are not synonyms; they are never proposed together again.

    Example: codebench harmonise reject "ana:model comprehension" "ben:method comprehension"
    """
    with project(db) as store:
        added = svc.reject(store, a, b, by=by, note=note, score=score)
    out.print("rejected: never proposed together again" if added else "already rejected")


@command(harmonise_app, "split")
def split(codes: Annotated[list[str], typer.Argument(help="Raw codes as CODER:LABEL.")], by: By = None,
          note: Note = None, db: DbOption = None) -> None:
    """Unmap raw codes from their harmonised code.

    Example: codebench harmonise split "chloe:cartesian sweep"
    """
    with project(db) as store:
        n = svc.split(store, codes, by=by, note=note)
    out.print(f"unmapped {n} raw code(s)")


@command(harmonise_app, "rename")
def rename(old: str, new: str, by: By = None, note: Note = None, db: DbOption = None) -> None:
    """Rename a harmonised code.

    Example: codebench harmonise rename "grid" "grid search"
    """
    with project(db) as store:
        svc.rename(store, old, new, by=by, note=note)
    out.print(f"renamed {old!r} to {new!r}")


@command(harmonise_app, "undo")
def undo(by: By = None, db: DbOption = None) -> None:
    """Revert the last harmonisation decision (the log keeps both).

    Example: codebench harmonise undo --by lead
    """
    with project(db) as store:
        last = svc.undo(store, by=by)
    out.print("nothing to undo" if last is None else f"undid decision #{last.id} ({last.action})")


@command(harmonise_app, "log")
def log(db: DbOption = None, fmt: FormatOption = Format.table) -> None:
    """The append-only merge log: what, who, when, score, rationale.

    Example: codebench harmonise log --format csv
    """
    with project(db) as store:
        entries = svc.decisions(store)
    rows = [{"id": d.id, "at": d.at.isoformat(timespec="seconds"), "by": d.by, "action": d.action,
             "details": _describe(d.action, d.payload), "score": d.score, "note": d.note, "undone": d.undone,
             "payload": d.payload} for d in entries]
    emit(rows, ["id", "at", "by", "action", "details", "score", "note", "undone"], fmt, title="Merge log")


def _shorten(text: str | None, width: int = 70) -> str | None:
    return text if text is None or len(text) <= width else text[: width - 1].rstrip() + "…"


def _describe(action: str, p: dict) -> str:
    if action == "merge":
        return f"{', '.join(f'{c}:{lab}' for c, lab, _ in p['codes'])} -> {p['into']}"
    if action == "split":
        return ", ".join(f"{c}:{lab} (from {prev})" for c, lab, prev in p["codes"])
    if action == "reject":
        return " ≠ ".join(f"{c}:{lab}" for c, lab in p["codes"])
    if action == "rename":
        return f"{p['from']} -> {p['to']}"
    if action == "theme_add":
        return f"{p['theme']} ({p.get('category') or 'no category'})"
    if action == "theme_assign":
        return f"{', '.join(n for n, _ in p['codes'])} -> {p['theme']}"
    if action == "theme_move":
        return f"{p['theme']}: {p['from'] or 'no category'} -> {p['to'] or 'no category'}"
    if action == "undo":
        return f"#{p['undid']} ({p['action']})"
    return str(p)


@command(harmonise_app, "codes")
def codes(db: DbOption = None, fmt: FormatOption = Format.table) -> None:
    """Harmonised codes with their theme, category and raw codes.

    Example: codebench harmonise codes --format json
    """
    with project(db) as store:
        infos = svc.harmonised_codes(store)
    rows = [{"code": h.name, "theme": h.theme, "category": h.category, "definition": h.definition,
             "raw_codes": [f"{c}:{lab}" for c, lab in h.raw_codes]} for h in infos]
    emit(rows, ["category", "theme", "code", "raw_codes", "definition"], fmt, title="Harmonised codes")


@command(harmonise_app, "glossary")
def glossary(entries: Annotated[list[str] | None, typer.Argument(help="ABBR=EXPANSION to add, ABBR= to remove.")] = None,
             db: DbOption = None, fmt: FormatOption = Format.table) -> None:
    """Show or edit the abbreviation glossary used to compare labels.

    Example: codebench harmonise glossary "BO=bayesian optimization" "HPO=hyperparameter optimization"
    """
    with project(db) as store:
        if entries:
            parsed: dict[str, str | None] = {}
            for entry in entries:
                abbr, sep, expansion = entry.partition("=")
                if not sep or not abbr.strip():
                    raise InputError(f"write ABBR=EXPANSION, not {entry!r}")
                parsed[abbr] = expansion or None
            current = svc.set_glossary(store, parsed)
        else:
            current = svc.glossary(store)
    emit([{"abbreviation": k, "expansion": v} for k, v in sorted(current.items())], ["abbreviation", "expansion"],
         fmt, title="Glossary", payload=current)


@command(theme_app, "add")
def theme_add(name: str, category: Annotated[str | None, typer.Option(help="Category of the theme.")] = None,
              definition: Annotated[str | None, typer.Option(help="Definition of the theme.")] = None,
              by: By = None, db: DbOption = None) -> None:
    """Add a theme under a category.

    Example: codebench theme add "Search strategies" --category methods
    """
    with project(db) as store:
        svc.add_theme(store, name, category, definition, by=by)
    out.print(f"added theme {name!r}")


@command(theme_app, "assign")
def theme_assign(codes: Annotated[list[str], typer.Argument(help="Harmonised codes.")],
                 theme: Annotated[str, typer.Option("--theme", help="Theme to put them under.")],
                 by: By = None, note: Note = None, db: DbOption = None) -> None:
    """Put harmonised codes under a theme.

    Example: codebench theme assign "grid search" "random search" --theme "Search strategies"
    """
    with project(db) as store:
        changed = svc.assign_theme(store, codes, theme, by=by, note=note)
    out.print(f"assigned to {theme!r}" if changed else "nothing to change")


@command(theme_app, "move")
def theme_move(theme: str, category: Annotated[str | None, typer.Option(help="New category (omit: none).")] = None,
               by: By = None, note: Note = None, db: DbOption = None) -> None:
    """Put a theme in another category.

    Example: codebench theme move "Search strategies" --category methods
    """
    with project(db) as store:
        moved = svc.move_theme(store, theme, category, by=by, note=note)
    out.print(f"moved {theme!r} to {category or 'no category'}" if moved else "nothing to change")


@command(theme_app, "list")
def theme_list(db: DbOption = None, fmt: FormatOption = Format.table) -> None:
    """Themes with their category and number of harmonised codes.

    Example: codebench theme list
    """
    with project(db) as store:
        rows = [{"theme": t, "category": c, "codes": n, "definition": d} for t, c, d, n in svc.themes(store)]
    emit(rows, ["category", "theme", "codes", "definition"], fmt, title="Themes")


@command(category_app, "add")
def category_add(name: str, db: DbOption = None) -> None:
    """Add a category.

    Example: codebench category add "outcomes"
    """
    with project(db) as store:
        svc.add_category(store, name)
    out.print(f"category {name!r} is there")


@command(category_app, "list")
def category_list(db: DbOption = None, fmt: FormatOption = Format.table) -> None:
    """List categories.

    Example: codebench category list --format json
    """
    with project(db) as store:
        rows = [{"category": c} for c in svc.categories(store)]
    emit(rows, ["category"], fmt, title="Categories")


@command(codebook_app, "import")
def codebook_import(file: Annotated[str, typer.Argument(help="CSV: category,theme,code,definition,coder,raw_code.")],
                    by: By = None, db: DbOption = None) -> None:
    """Apply a codebook spreadsheet (one row per raw code); all-or-nothing and idempotent.

    Example: codebench codebook import codebook.csv --by lead
    """
    with project(db) as store:
        n = svc.import_codebook(store, Path(file), by=by)
    out.print(f"{n} decision(s) applied and logged" if n else "codebook already applied: nothing to change")


def funnel(db: DbOption = None, fmt: FormatOption = Format.table) -> None:
    """Raw codes per coder -> harmonised codes -> themes -> categories (the 241 -> 21 -> 13 -> 3 view).

    Example: codebench funnel --format json
    """
    with project(db) as store:
        f = svc.funnel(store)
    rows = [{"level": f"raw codes ({coder})", "count": n} for coder, n in f.raw_per_coder.items()]
    rows += [{"level": "raw codes (all coders)", "count": f.raw_total},
             {"level": "harmonised codes", "count": f.harmonised},
             {"level": "themes", "count": f.themes},
             {"level": "categories", "count": f.categories},
             {"level": "raw codes not yet harmonised", "count": f.raw_unharmonised},
             {"level": "harmonised codes without a theme", "count": f.harmonised_without_theme}]
    payload = {"raw_per_coder": f.raw_per_coder, "raw": f.raw_total, "harmonised": f.harmonised, "themes": f.themes,
               "categories": f.categories, "raw_unharmonised": f.raw_unharmonised,
               "harmonised_without_theme": f.harmonised_without_theme}
    emit(rows, ["level", "count"], fmt, title="Funnel", payload=payload)
