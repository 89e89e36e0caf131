"""Codings in and out as CSV (``transcript,coder,code,quote[,start,end,memo]``)."""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple

from pydantic import BaseModel, ValidationError, field_validator, model_validator

from codebench.domain.csvsafe import read_csv_records, write_csv
from codebench.domain.errors import InputError, RowError
from codebench.domain.model import Coding, StatusCell
from codebench.domain.quotes import Located, QuoteFinder, check_span
from codebench.store.repo_codings import label_key
from codebench.store.store import Store

REQUIRED = ("transcript", "coder", "code", "quote")
OPTIONAL = ("start", "end", "memo")
EXPORT_COLUMNS = ["transcript", "coder", "code", "quote", "start", "end", "memo"]

Progress = Callable[[int, int, str], None]


class CodingRow(BaseModel):
    """One row of a codings CSV, as validated at the edge."""

    transcript: str
    coder: str
    code: str
    quote: str
    start: int | None = None
    end: int | None = None
    memo: str | None = None

    @field_validator("transcript", "coder", "code")
    @classmethod
    def not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("is empty")
        return value.strip()

    @field_validator("start", "end", "memo", mode="before")
    @classmethod
    def blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def both_offsets(self) -> CodingRow:
        if (self.start is None) != (self.end is None):
            raise ValueError("give both start and end, or neither")
        return self


class Fields(NamedTuple):
    """A validated codings row: the values of a ``CodingRow``, cheap to make."""

    transcript: str
    coder: str
    code: str
    quote: str
    start: int | None
    end: int | None
    memo: str | None


def _reason(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(map(str, e['loc'])) or 'row'} {e['msg']}".strip() for e in exc.errors())


def _plain_offset(value: str | None) -> bool:
    """True for an offset that needs no pydantic judgement: absent, blank or ASCII digits."""
    return value is None or not value.strip() or (value.isascii() and value.isdigit())


def validate_row(values: dict[str, str]) -> Fields:
    """The row's fields as ``CodingRow`` validates them; raises its ``ValidationError``."""
    return record_validator(list(values))(list(values.values()))


def record_validator(header: Sequence[str]) -> Callable[[Sequence[str]], Fields]:
    """``validate_row`` for rows given as cells in ``header`` order (``header`` has the REQUIRED columns).

    Plain rows (names given, offsets blank or digits, both or neither) take a direct path; any
    other row goes through ``CodingRow``, so its values and messages are pydantic's.
    """
    absent = len(header)  # index of the None that stands in for a column the file lacks
    pick = itemgetter(*(header.index(c) if c in header else absent for c in REQUIRED + OPTIONAL))

    def validate(record: Sequence[str]) -> Fields:
        transcript, coder, code, quote, start, end, memo = pick((*record, None))
        transcript, coder, code = transcript.strip(), coder.strip(), code.strip()
        if transcript and coder and code:
            memo = memo if memo and memo.strip() else None
            if start is None and end is None:
                return Fields(transcript, coder, code, quote, None, None, memo)
            if _plain_offset(start) and _plain_offset(end):
                start = int(start) if start and start.strip() else None
                end = int(end) if end and end.strip() else None
                if (start is None) == (end is None):
                    return Fields(transcript, coder, code, quote, start, end, memo)
        row = CodingRow.model_validate(dict(zip(header, record, strict=True)))
        return Fields(row.transcript, row.coder, row.code, row.quote, row.start, row.end, row.memo)

    return validate


@dataclass
class CodingsImport:
    stored: int = 0
    duplicates: int = 0
    coders_added: list[str] = field(default_factory=list)
    codes_created: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)
    located: dict[str, int] = field(default_factory=dict)


def _locate(rows: list[tuple[int, Fields]], texts: dict[str, str], bad: list[tuple[int, str]],
            progress: Progress | None, total: int) -> list[tuple[int, Fields, Located]]:
    """Spans of the rows (checked offsets, or the quote located in its text), in row order.

    Rows whose span is wrong or whose quote is not found go to ``bad``. Quotes are located per
    transcript with one ``QuoteFinder`` each.
    """
    spans: list[Located | None] = [None] * len(rows)
    unplaced: dict[str, list[int]] = {}
    for k, (n, row) in enumerate(rows):
        if row.start is None:
            unplaced.setdefault(row.transcript, []).append(k)
        elif problem := check_span(texts[row.transcript], row.start, row.end, row.quote):
            bad.append((n, problem))
        else:
            spans[k] = Located(row.start, row.end, "offsets")
    done = len(rows) - sum(map(len, unplaced.values()))
    for name, ks in unplaced.items():
        for k, found in zip(ks, QuoteFinder(texts[name]).locate_all([rows[k][1].quote for k in ks]), strict=True):
            if found is None:
                bad.append((rows[k][0], f"quote not found in {name!r}"))
            spans[k] = found
        done += len(ks)
        if progress:
            progress(done, total, name)
    return [(n, row, span) for (n, row), span in zip(rows, spans, strict=True) if span is not None]


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a bulk import, then restore it.

    An import holds a few acyclic objects per row (CSV dicts, fields, spans, insert rows) until
    it ends; the collector would traverse them again and again as they pile up, which costs about
    a quarter of a 100,000-row import. Reference counting still frees everything as usual.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def import_codings(store: Store, path: Path, *, add_coders: bool = False, skip_bad: bool = False,
                   progress: Progress | None = None) -> CodingsImport:
    """Import a codings CSV in one transaction; bad rows abort it unless ``skip_bad``."""
    with _collector_paused():
        return _import_codings(store, path, add_coders=add_coders, skip_bad=skip_bad, progress=progress)


def _import_codings(store: Store, path: Path, *, add_coders: bool, skip_bad: bool,
                    progress: Progress | None) -> CodingsImport:
    header, records = read_csv_records(path)
    missing = [c for c in REQUIRED if c not in header]
    if records and missing:
        raise InputError(f"missing column(s): {', '.join(missing)}", where=str(path))
    validate = record_validator(header) if records else None

    def apply(tx) -> CodingsImport:  # noqa: ANN001 - Tx
        result = CodingsImport()
        texts = tx.all_texts()
        transcript_ids = tx.transcript_ids()
        coder_ids = tx.coder_ids()
        bad: list[tuple[int, str]] = []
        valid: list[tuple[int, Fields]] = []
        for n, record in enumerate(records, start=2):
            try:
                row = validate(record)
            except ValidationError as exc:
                bad.append((n, _reason(exc)))
                continue
            if row.transcript not in texts:
                bad.append((n, f"unknown transcript {row.transcript!r}"))
            elif row.coder not in coder_ids and not add_coders:
                bad.append((n, f"unknown coder {row.coder!r} (use --add-coders)"))
            else:
                valid.append((n, row))
        good = _locate(valid, texts, bad, progress, len(records))
        if bad and not skip_bad:
            raise RowError(str(path), sorted(bad))
        result.skipped = sorted(bad)
        result.located = dict(Counter(span.how for *_, span in good))
        for name in sorted({row.coder for _, row, _ in good} - set(coder_ids)):
            tx.add_coder(name)
            result.coders_added.append(name)
        coder_ids = tx.coder_ids()
        labels: dict[str, list[str]] = {}
        for _, row, _ in good:
            labels.setdefault(row.coder, []).append(row.code)
        code_ids: dict[str, dict[str, int]] = {}
        for coder, coder_labels in labels.items():
            before = len(tx.ensure_codes(coder_ids[coder], []))
            code_ids[coder] = tx.ensure_codes(coder_ids[coder], coder_labels)
            result.codes_created += len(code_ids[coder]) - before
        existing = tx.existing_coding_keys({coder_ids[coder] for coder in labels})
        inserts = []
        code_of: dict[tuple[str, str], int] = {}
        for _, row, span in good:
            start, end = span.start, span.end
            code_id = code_of.get((row.coder, row.code))
            if code_id is None:
                code_id = code_of[row.coder, row.code] = code_ids[row.coder][label_key(row.code)]
            key = (code_id, transcript_ids[row.transcript], start, end)
            if key in existing:
                result.duplicates += 1
                continue
            existing.add(key)
            inserts.append((coder_ids[row.coder], code_id, key[1], start, end, texts[row.transcript][start:end],
                            row.memo))
        tx.insert_codings(inserts)
        result.stored = len(inserts)
        if progress:
            progress(len(records), len(records), "stored")
        return result

    return store.write(apply)


def codings(store: Store, coder: str | None = None, transcript: str | None = None) -> list[Coding]:
    return store.read(lambda tx: tx.codings(coder=coder, transcript=transcript))


def export_codings(store: Store, dest: Path, *, coder: str | None = None) -> int:
    """Write codings (with offsets) to CSV; importing the file into a fresh project reproduces them."""
    rows = [[c.transcript, c.coder, c.code, c.quote, c.start, c.end, c.memo or ""]
            for c in codings(store, coder=coder)]
    write_csv(rows, EXPORT_COLUMNS, dest)
    return len(rows)


def status(store: Store, coder: str | None = None) -> list[StatusCell]:
    return store.read(lambda tx: tx.status_cells(coder))
