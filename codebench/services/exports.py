"""Spreadsheets for publication and peers: the codebook (three shapes) and the quotes sheet.

Every file is UTF-8 CSV written through ``codebench.domain.csvsafe`` (formula triggers neutralised,
reversed by the importers), optionally with a BOM for Excel.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from codebench.domain.csvsafe import csv_field, csv_fields, write_csv, write_csv_parts
from codebench.domain.errors import InputError, NotFoundError
from codebench.domain.model import Code, TranscriptInfo
from codebench.store.repo_harmonise import HarmonisedInfo
from codebench.store.repo_reads import CodeUsage, TurnMark
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
P = TypeVar("P")  # a part of a quotes sheet record: its cells, or their CSV text


@dataclass(frozen=True)
class _Book:
    """What the codebook shapes are built from, read in one transaction."""

    harmonised: list[HarmonisedInfo]
    codes: list[Code]
    usage: dict[int, CodeUsage]  # raw code id -> how it is used (only codes with codings)
    harmonised_usage: dict[str, CodeUsage]  # harmonised code -> how its raw codes are used together
    category_order: list[str]

    def ordered(self) -> list[HarmonisedInfo]:
        """Harmonised codes by category (project order, none last), theme (none last), name."""
        position = {name: i for i, name in enumerate(self.category_order)}
        return sorted(self.harmonised, key=lambda h: (
            h.category is None, position.get(h.category or "", len(position)), h.theme is None, h.theme or "",
            h.name))

def _read_book(store: Store, *, usage: bool = True) -> _Book:
    """The codebook; ``usage=False`` skips reading how the codes are used (empty usage)."""
    return store.read(lambda tx: _Book(tx.harmonised_codes(), tx.codes(),
                                       *(tx.code_usage(tx.code_placements()) if usage else ({}, {})),
                                       tx.categories()))


def _usage(usage: CodeUsage | None) -> Row:
    """Distinct coders and transcripts, number of codings, and the first quote in text order."""
    if usage is None:
        return {"coders": 0, "transcripts": 0, "quotes": 0, "example_quote": ""}
    return {"coders": usage.coders, "transcripts": usage.transcripts, "quotes": usage.codings,
            "example_quote": " ".join(usage.first_quote.split())}


def _placement(h: HarmonisedInfo) -> Row:
    return {"category": h.category or "", "theme": h.theme or "", "code": h.name, "definition": h.definition or ""}


_UNPLACED: Row = {"category": "", "theme": "", "code": "", "definition": ""}


def codebook_rows(store: Store) -> list[Row]:
    """One row per harmonised code (``CODEBOOK_COLUMNS``), then one per raw code not yet harmonised
    (empty category, theme, code; ``merged_from`` names it). Counts come from the codings."""
    book = _read_book(store)
    rows = [{**_placement(h), "merged_from": "; ".join(f"{coder}:{label}" for coder, label in h.raw_codes),
             **_usage(book.harmonised_usage.get(h.name))} for h in book.ordered()]
    rows += [{**_UNPLACED, "merged_from": f"{c.coder}:{c.label}", **_usage(book.usage.get(c.id))}
             for c in book.codes if c.harmonised is None]
    return rows


def long_rows(store: Store) -> list[Row]:
    """One row per raw code (``LONG_COLUMNS``, the format ``codebook import`` reads), grouped under
    their harmonised code; raw codes not yet harmonised last, with empty category, theme and code."""
    book = _read_book(store, usage=False)
    uses = {(c.coder, c.label): c.uses for c in book.codes}
    rows = [{**_placement(h), "coder": coder, "raw_code": label, "quotes": uses[(coder, label)]}
            for h in book.ordered() for coder, label in h.raw_codes]
    rows += [{**_UNPLACED, "coder": c.coder, "raw_code": c.label, "quotes": c.uses}
             for c in book.codes if c.harmonised is None]
    return rows


def raw_rows(store: Store) -> list[Row]:
    """One row per raw code of each coder (``RAW_COLUMNS``), with its harmonised code if any."""
    book = _read_book(store)
    placed = {h.name: h for h in book.harmonised}
    rows = []
    for c in book.codes:
        h = placed.get(c.harmonised or "")
        rows.append({"coder": c.coder, "raw_code": c.label, "memo": c.memo or "", "code": c.harmonised or "",
                     "theme": (h.theme if h else None) or "", "category": (h.category if h else None) or "",
                     **_usage(book.usage.get(c.id))})
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

def _turn_cells(marks: Sequence[TurnMark]) -> tuple[list[int], list[tuple[int | str, str]]]:
    """Turn starts and the (1-based turn number, speaker) cells of a transcript's turns; a transcript
    without turns has one empty pair, whatever the position."""
    if not marks:
        return [0], [("", "")]
    return [start for start, _, _ in marks], [(idx + 1, speaker) for _, idx, speaker in marks]


def _attribute_columns(transcripts: Sequence[TranscriptInfo]) -> dict[str, str]:
    """Attribute -> its column name (prefixed ``attribute:`` where it would clash with a fixed column)."""
    keys = sorted({k for t in transcripts for k in t.attributes})
    return {k: f"attribute:{k}" if k in QUOTE_COLUMNS else k for k in keys}


def _quote_sheet(store: Store, codes: Sequence[str], themes: Sequence[str], cells: Callable[[tuple[object, ...]], P],
                 own: Callable[[str, int, int, str], P]) -> tuple[list[tuple[P, P, P, P]], list[str]]:
    """(records, columns) of the quotes sheet. A record is four parts: the turn's lead (transcript, turn,
    speaker, attribute values), the coder and the code (raw code, harmonised code, theme, category), each
    made by ``cells`` from the cells it holds, once however many records share it, and the coding's own
    (quote, start, end, memo) made by ``own``."""

    def read(tx):  # noqa: ANN001, ANN202 - Tx
        placements = tx.code_placements()
        return (placements, tx.quote_records(placements), tx.transcripts(), tx.turn_marks(),
                [t for t, *_ in tx.themes()], tx.coders())

    placements, quotes, transcripts, turns, known_themes, coders = store.read(read)
    wanted_codes = {c.casefold() for c in codes}
    unknown = sorted(wanted_codes - {p.raw.casefold() for p in placements.values()}
                     - {(p.harmonised or "").casefold() for p in placements.values()})
    unknown_themes = sorted(set(themes) - set(known_themes))
    if unknown or unknown_themes:
        names = [*map(repr, unknown), *(f"theme {t!r}" for t in unknown_themes)]
        raise NotFoundError(f"unknown code(s) or theme(s): {', '.join(names)}")
    kept = {i for i, p in placements.items()
            if not (codes or themes) or {p.raw.casefold(), (p.harmonised or "").casefold()} & wanted_codes
            or (p.theme or None) in themes}
    placed = {i: cells((p.raw, p.harmonised or "", p.theme or "", p.category or "")) for i, p in placements.items()}
    coder_part = {c.id: cells((c.name,)) for c in coders}
    names_of = {t.id: t.name for t in transcripts}
    columns = _attribute_columns(transcripts)
    attributes = {t.name: [t.attributes.get(k, "") for k in columns] for t in transcripts}
    records: list[tuple[P, P, P, P]] = []
    current: int | None = None
    name, (starts, pairs) = "", _turn_cells([])
    leads: list[P | None] = []  # of the current transcript's turns, made when first quoted
    for coder_id, code_id, transcript_id, start, end, quote, memo in quotes:
        if code_id not in kept:
            continue
        if transcript_id != current:  # quotes come transcript by transcript
            current, name = transcript_id, names_of[transcript_id]
            starts, pairs = _turn_cells(turns.get(name, []))
            leads = [None] * len(pairs)
        at = max(bisect_right(starts, start) - 1, 0)
        lead = leads[at]
        if lead is None:
            lead = leads[at] = cells((name, *pairs[at], *attributes[name]))
        records.append((lead, coder_part[coder_id], placed[code_id], own(quote, start, end, memo or "")))
    return records, [*QUOTE_COLUMNS[:3], *columns.values(), *QUOTE_COLUMNS[3:]]


def _own_cells(quote: str, start: int, end: int, memo: str) -> tuple[str, int, int, str]:
    return quote, start, end, memo


def _own_fields(quote: str, start: int, end: int, memo: str) -> str:
    """``csv_fields((quote, start, end, memo))`` for a coding's own cells (offsets are never negative)."""
    return f"{csv_field(quote)},{start},{end},{csv_field(memo) if memo else ''}"


def quote_rows(store: Store, *, codes: Sequence[str] = (), themes: Sequence[str] = ()) -> tuple[list[Row], list[str]]:
    """(rows, columns) of the quotes sheet: one row per coding in text order, with the transcript's
    participant attributes after ``speaker`` (empty where a transcript lacks one). With ``codes`` /
    ``themes``, only codings whose harmonised code or raw label (case-insensitive) is one of ``codes``,
    or whose theme is one of ``themes``."""
    records, header = _quote_sheet(store, codes, themes, tuple, _own_cells)
    return [dict(zip(header, (*lead, *coder, *code, *own), strict=True)) for lead, coder, code, own in records], header


def export_quotes(store: Store, dest: Path, *, codes: Sequence[str] = (), themes: Sequence[str] = (),
                  excel: bool = False) -> int:
    """Write the quotes sheet; returns the number of rows."""
    records, header = _quote_sheet(store, codes, themes, csv_fields, _own_fields)
    write_csv_parts(records, header, dest, excel_bom=excel)
    return len(records)
