"""Co-occurrence and frequency analyses of a project (store reading here, arithmetic in the domain)."""

from __future__ import annotations

from dataclasses import dataclass

from codebench.domain.cooccurrence import LEVELS, MISSING, Cooccurrence, Frequency, cooccurrence, frequencies
from codebench.domain.errors import InputError, NotFoundError
from codebench.domain.model import AnalysisCoding
from codebench.store.store import Store


@dataclass(frozen=True)
class CooccurrenceResult:
    """The matrix plus the codings that had no code at the level (left out)."""

    matrix: Cooccurrence
    left_out: int
    rows_category: str | None = None
    cols_category: str | None = None


@dataclass(frozen=True)
class FrequencyResult:
    """Frequencies per code; with ``by``, ``groups`` maps each attribute value to its number of interviews."""

    level: str
    by: str | None
    rows: tuple[Frequency, ...]
    groups: dict[str, int]
    themes: dict[str, str]  # harmonised code -> theme (empty at theme level)
    categories: dict[str, str]  # code at the level -> category
    left_out: int


def _check_level(level: str) -> None:
    if level not in LEVELS:
        raise InputError(f"level must be one of {', '.join(LEVELS)} (got {level!r})")


def _category_of(tx, level: str) -> dict[str, str]:  # noqa: ANN001 - Tx
    """Code at ``level`` -> its category."""
    if level == "theme":
        return {theme: category for theme, category, _, _ in tx.themes() if category}
    return dict(tx.code_groups()["category"])


def _codes_in(category: str | None, groups: dict[str, str], known: list[str]) -> list[str] | None:
    if category is None:
        return None
    if category not in known:
        raise NotFoundError(f"unknown category {category!r} (known: {', '.join(known) or 'none'})")
    return sorted(code for code, cat in groups.items() if cat == category)


def cooccurrence_analysis(store: Store, *, level: str = "harmonised", unit: str = "turn",
                          rows: str | None = None, cols: str | None = None) -> CooccurrenceResult:
    """How often codes (of category ``rows``) share a unit with codes (of category ``cols``)."""
    _check_level(level)

    def read(tx):  # noqa: ANN001, ANN202 - Tx
        spans = {name: [(t.start, t.end) for t in turns] for name, turns in tx.all_turns().items()}
        return (tx.analysis_codings(), [t.name for t in tx.transcripts()], spans, _category_of(tx, level),
                tx.categories())

    codings, transcripts, spans, groups, known = store.read(read)
    matrix = cooccurrence(codings, transcripts, spans, level=level, unit=unit,
                          rows=_codes_in(rows, groups, known), cols=_codes_in(cols, groups, known))
    left_out = sum(c.key(level) is None for c in codings)
    return CooccurrenceResult(matrix, left_out, rows, cols)


def _groups(transcripts: list, by: str) -> dict[str, str]:  # noqa: ANN001 - TranscriptInfo
    if not any(by in t.attributes for t in transcripts):
        keys = sorted({k for t in transcripts for k in t.attributes})
        raise NotFoundError(f"no participant attribute {by!r} (known: {', '.join(keys) or 'none'})")
    return {t.name: t.attributes[by] for t in transcripts if by in t.attributes}


def frequency_analysis(store: Store, *, level: str = "harmonised", by: str | None = None) -> FrequencyResult:
    """Per code or theme: interviews and codings, optionally split by a participant attribute."""
    _check_level(level)

    def read(tx) -> tuple[list[AnalysisCoding], list, dict[str, str], dict[str, str]]:  # noqa: ANN001 - Tx
        themes = dict(tx.code_groups()["theme"]) if level == "harmonised" else {}
        return tx.analysis_codings(), tx.transcripts(), themes, _category_of(tx, level)

    codings, transcripts, themes, categories = store.read(read)
    groups = _groups(transcripts, by) if by is not None else None
    sizes: dict[str, int] = {}
    if groups is not None:
        for t in transcripts:
            value = groups.get(t.name, MISSING)
            sizes[value] = sizes.get(value, 0) + 1
    rows = frequencies(codings, level, groups)
    return FrequencyResult(level, by, tuple(rows), dict(sorted(sizes.items())), themes, categories,
                           sum(c.key(level) is None for c in codings))


def frequency_rows(result: FrequencyResult) -> tuple[list[dict[str, object]], list[str]]:
    """Rows and columns of a frequency table; per group ``interviews:VALUE`` and ``codings:VALUE``."""
    groups = list(result.groups)
    split = [f"{what}:{g}" for g in groups for what in ("interviews", "codings")]
    columns = ["code", *(["theme"] if result.level == "harmonised" else []), "category", "interviews", "codings",
               "coders", *split]
    rows = []
    for f in result.rows:
        row: dict[str, object] = {"code": f.code, "theme": result.themes.get(f.code, ""),
                                  "category": result.categories.get(f.code, ""), "interviews": f.interviews,
                                  "codings": f.codings, "coders": f.coders}
        for g in groups:
            row[f"interviews:{g}"], row[f"codings:{g}"] = f.by_group.get(g, (0, 0))
        rows.append(row)
    return rows, columns
