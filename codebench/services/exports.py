"""Spreadsheets for publication and peers: the codebook (three shapes) and the quotes sheet.

Every file is UTF-8 CSV written through ``codebench.domain.csvsafe`` (formula triggers neutralised,
reversed by the importers), optionally with a BOM for Excel.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from codebench.domain.csvsafe import write_csv
from codebench.domain.errors import InputError, NotFoundError
from codebench.domain.model import Code, Coding, TranscriptInfo, Turn
from codebench.store.repo_harmonise import HarmonisedInfo
from codebench.store.store import Store

CODEBOOK_COLUMNS = ("category", "theme", "code", "definition", "merged_from", "coders", "transcripts", "quotes",
                    "example_quote")
LONG_COLUMNS = ("category", "theme", "code", "definition", "coder", "raw_code", "quotes")
RAW_COLUMNS = ("coder", "raw_code", "memo", "code", "theme", "category", "coders", "transcripts", "quotes",
               "example_quote")
QUOTE_COLUMNS = ("transcript", "turn", "speaker", "coder", "raw_code", "harmonised_code", "theme", "category",
                 "quote", "start", "end", "memo")
LEVELS = ("harmonised", "raw")

Row = dict[str, object]


@dataclass(frozen=True)
class _Book:
    """What the codebook shapes are built from, read in one transaction."""

    harmonised: list[HarmonisedInfo]
    codes: list[Code]
    codings: list[Coding]  # in text order
    category_order: list[str]

    def uses(self) -> dict[int, list[Coding]]:
        """Raw code id -> its codings, in text order."""
        out: dict[int, list[Coding]] = {}
        for c in self.codings:
            out.setdefault(c.code_id, []).append(c)
        return out

    def ordered(self) -> list[HarmonisedInfo]:
        """Harmonised codes by category (project order, none last), theme (none last), name."""
        position = {name: i for i, name in enumerate(self.category_order)}
        return sorted(self.harmonised, key=lambda h: (
            h.category is None, position.get(h.category or "", len(position)), h.theme is None, h.theme or "",
            h.name))


def _read_book(store: Store) -> _Book:
    return store.read(lambda tx: _Book(tx.harmonised_codes(), tx.codes(), tx.codings(), tx.categories()))


def _usage(codings: Sequence[Coding]) -> Row:
    """Distinct coders and transcripts, number of codings, and the first quote in text order."""
    return {"coders": len({c.coder for c in codings}), "transcripts": len({c.transcript for c in codings}),
            "quotes": len(codings), "example_quote": " ".join(codings[0].quote.split()) if codings else ""}


def _placement(h: HarmonisedInfo) -> Row:
    return {"category": h.category or "", "theme": h.theme or "", "code": h.name, "definition": h.definition or ""}


_UNPLACED: Row = {"category": "", "theme": "", "code": "", "definition": ""}


def codebook_rows(store: Store) -> list[Row]:
    """One row per harmonised code (``CODEBOOK_COLUMNS``), then one per raw code not yet harmonised
    (empty category, theme, code; ``merged_from`` names it). Counts come from the codings."""
    book = _read_book(store)
    uses = book.uses()
    ids = {(c.coder, c.label): c.id for c in book.codes}
    rows = []
    for h in book.ordered():
        member_ids = {ids[ref] for ref in h.raw_codes}
        codings = [c for c in book.codings if c.code_id in member_ids]
        rows.append({**_placement(h), "merged_from": "; ".join(f"{coder}:{label}" for coder, label in h.raw_codes),
                     **_usage(codings)})
    rows += [{**_UNPLACED, "merged_from": f"{c.coder}:{c.label}", **_usage(uses.get(c.id, []))}
             for c in book.codes if c.harmonised is None]
    return rows


def long_rows(store: Store) -> list[Row]:
    """One row per raw code (``LONG_COLUMNS``, the format ``codebook import`` reads), grouped under
    their harmonised code; raw codes not yet harmonised last, with empty category, theme and code."""
    book = _read_book(store)
    uses = book.uses()
    ids = {(c.coder, c.label): c.id for c in book.codes}
    rows = [{**_placement(h), "coder": coder, "raw_code": label, "quotes": len(uses.get(ids[(coder, label)], []))}
            for h in book.ordered() for coder, label in h.raw_codes]
    rows += [{**_UNPLACED, "coder": c.coder, "raw_code": c.label, "quotes": len(uses.get(c.id, []))}
             for c in book.codes if c.harmonised is None]
    return rows


def raw_rows(store: Store) -> list[Row]:
    """One row per raw code of each coder (``RAW_COLUMNS``), with its harmonised code if any."""
    book = _read_book(store)
    uses = book.uses()
    placed = {h.name: h for h in book.harmonised}
    rows = []
    for c in book.codes:
        h = placed.get(c.harmonised or "")
        rows.append({"coder": c.coder, "raw_code": c.label, "memo": c.memo or "", "code": c.harmonised or "",
                     "theme": (h.theme if h else None) or "", "category": (h.category if h else None) or "",
                     **_usage(uses.get(c.id, []))})
    return rows


def export_codebook(store: Store, dest: Path, *, level: str = "harmonised", long: bool = False,
                    excel: bool = False) -> int:
    """Write the codebook CSV; returns the number of rows. ``long`` is the import format."""
    if level not in LEVELS:
        raise InputError(f"level must be one of {', '.join(LEVELS)} (got {level!r})")
    if long and level != "harmonised":
        raise InputError("--long is one row per raw code already; it cannot be combined with --level raw")
    shape: tuple[Callable[[Store], list[Row]], Sequence[str]]
    if long:
        shape = (long_rows, LONG_COLUMNS)
    else:
        shape = (raw_rows, RAW_COLUMNS) if level == "raw" else (codebook_rows, CODEBOOK_COLUMNS)
    rows = shape[0](store)
    write_csv(rows, shape[1], dest, excel_bom=excel)
    return len(rows)


# -- the quotes sheet ----------------------------------------------------------------------------------

def _turn_of(turns: Sequence[Turn], starts: Sequence[int], position: int) -> Turn | None:
    if not turns:
        return None
    return turns[max(bisect_right(starts, position) - 1, 0)]


def _attribute_columns(transcripts: Sequence[TranscriptInfo]) -> dict[str, str]:
    """Attribute -> its column name (prefixed ``attribute:`` where it would clash with a fixed column)."""
    keys = sorted({k for t in transcripts for k in t.attributes})
    return {k: f"attribute:{k}" if k in QUOTE_COLUMNS else k for k in keys}


def quote_rows(store: Store, *, codes: Sequence[str] = (), themes: Sequence[str] = ()) -> tuple[list[Row], list[str]]:
    """(rows, columns) of the quotes sheet: one row per coding in text order, with the transcript's
    participant attributes after ``speaker``. With ``codes`` / ``themes``, only codings whose harmonised
    code or raw label (case-insensitive) is one of ``codes``, or whose theme is one of ``themes``."""

    def read(tx):  # noqa: ANN001, ANN202 - Tx
        return (tx.codings(), tx.codes(), tx.transcripts(), tx.all_turns(), tx.code_groups(),
                [t for t, *_ in tx.themes()])

    codings, raw_codes, transcripts, turns, groups, known_themes = store.read(read)
    harmonised_of = {c.id: c.harmonised for c in raw_codes}
    wanted_codes = {c.casefold() for c in codes}
    unknown = sorted(wanted_codes - {c.label.casefold() for c in raw_codes}
                     - {(c.harmonised or "").casefold() for c in raw_codes})
    unknown_themes = sorted(set(themes) - set(known_themes))
    if unknown or unknown_themes:
        names = [*map(repr, unknown), *(f"theme {t!r}" for t in unknown_themes)]
        raise NotFoundError(f"unknown code(s) or theme(s): {', '.join(names)}")
    attributes = {t.name: t.attributes for t in transcripts}
    columns = _attribute_columns(transcripts)
    starts = {name: [t.start for t in ts] for name, ts in turns.items()}
    rows = []
    for c in codings:
        harmonised = harmonised_of.get(c.code_id)
        theme = groups["theme"].get(harmonised or "")
        if (codes or themes) and not ({c.code.casefold(), (harmonised or "").casefold()} & wanted_codes
                                      or theme in themes):
            continue
        turn = _turn_of(turns.get(c.transcript, []), starts.get(c.transcript, []), c.start)
        rows.append({
            "transcript": c.transcript, "turn": turn.idx + 1 if turn else "", "speaker": turn.speaker if turn else "",
            **{columns[k]: v for k, v in attributes[c.transcript].items()},
            "coder": c.coder, "raw_code": c.code, "harmonised_code": harmonised or "", "theme": theme or "",
            "category": groups["category"].get(harmonised or "", ""), "quote": c.quote, "start": c.start,
            "end": c.end, "memo": c.memo or "",
        })
    header = [*QUOTE_COLUMNS[:3], *columns.values(), *QUOTE_COLUMNS[3:]]
    return rows, header


def export_quotes(store: Store, dest: Path, *, codes: Sequence[str] = (), themes: Sequence[str] = (),
                  excel: bool = False) -> int:
    """Write the quotes sheet; returns the number of rows."""
    rows, header = quote_rows(store, codes=codes, themes=themes)
    write_csv(rows, header, dest, excel_bom=excel)
    return len(rows)
