"""Codings in and out as CSV (``transcript,coder,code,quote[,start,end,memo]``)."""

from __future__ import annotations

import gc
from array import array
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import repeat
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple

from pydantic import BaseModel, ValidationError, field_validator, model_validator

from codebench.domain.csvsafe import read_csv_records, write_csv
from codebench.domain.errors import InputError, RowError
from codebench.domain.model import Coding, StatusCell
from codebench.domain.quotes import QuoteFinder, check_span
from codebench.services.workers import fork_capacity, ordered_map, shared
from codebench.store.repo_codings import label_key
from codebench.store.store import Store

REQUIRED = ("transcript", "coder", "code", "quote")
OPTIONAL = ("start", "end", "memo")
EXPORT_COLUMNS = ["transcript", "coder", "code", "quote", "start", "end", "memo"]

Progress = Callable[[int, int, str], None]
PARALLEL_MIN_ROWS = 10_000  # below this, forking a worker costs more than locating the quotes here
HOW = {"exact": "e", "whitespace": "w", "fuzzy": "f", "offsets": "o"}  # how a span was placed, one letter
HOW_NAME = {letter: how for how, letter in HOW.items()}
NOT_PLACED = "x"


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


def plain_fields(header: Sequence[str], records: Sequence[Sequence[str]]) -> list[Fields] | None:
    """``record_validator(header)`` of every record, worked out column by column, when every record
    is plain: names given, and the offsets blank in every record or ASCII digits in every record.
    None when any record is not (``record_validator`` then judges them one by one)."""
    if not records:
        return []
    columns = dict(zip(header, zip(*records, strict=True), strict=True))
    names = [list(map(str.strip, columns[name])) for name in ("transcript", "coder", "code")]
    if not all(map(all, names)):
        return None
    starts, ends = columns.get("start"), columns.get("end")
    if not any(column and any(map(str.strip, column)) for column in (starts, ends)):
        starts = ends = repeat(None)
    elif starts and ends and all(_digits(column) for column in (starts, ends)):
        starts, ends = list(map(int, starts)), list(map(int, ends))
    else:
        return None
    memos = columns.get("memo")
    memos = repeat(None) if memos is None else [memo if memo.strip() else None for memo in memos]
    return list(map(Fields, *names, columns["quote"], starts, ends, memos))


def _digits(column: Sequence[str]) -> bool:
    return all(map(str.isdigit, column)) and "".join(column).isascii()


@dataclass
class CodingsImport:
    stored: int = 0
    duplicates: int = 0
    coders_added: list[str] = field(default_factory=list)
    codes_created: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)
    located: dict[str, int] = field(default_factory=dict)


@dataclass
class _Plan:
    """What turns each transcript's valid rows into new codings; forked workers inherit it."""

    texts: dict[str, str]
    groups: dict[str, list[tuple[int, Fields]]]  # the valid rows (row number, fields) by transcript
    transcript_ids: dict[str, int]
    coder_ids: dict[str, int]
    code_of: dict[str, dict[str, int]]  # coder -> label as written -> code id
    existing: set[tuple[int, int, int, int]]  # (code id, transcript id, start, end) already stored


def _group_codings(name: str) -> tuple[bytes, str, dict[int, str], int]:
    """One transcript's rows (of the ``_Plan`` in ``shared()``) placed and turned into new codings.

    Given offsets are checked; other quotes are located with one ``QuoteFinder``. Packed to cross
    a process boundary cheaply: (row index, coder id, code id, start, end) of each new coding as
    int64 bytes; one letter per row for how it was placed (``HOW``, ``NOT_PLACED``); by row index,
    why a row was not placed; the number of rows already stored.
    """
    plan: _Plan = shared()
    rows, text, transcript_id, existing = plan.groups[name], plan.texts[name], plan.transcript_ids[name], plan.existing
    unplaced = [k for k, (_, row) in enumerate(rows) if row.start is None]
    finder = QuoteFinder(text) if unplaced else None
    found = dict(zip(unplaced, finder.find_all([rows[k][1].quote for k in unplaced]), strict=True)) if finder else {}
    new, hows, notes, duplicates = array("q"), [], {}, 0
    for k, (_, row) in enumerate(rows):
        quote = row.quote
        if row.start is not None:
            start, end, how = row.start, row.end, HOW["offsets"]
            if problem := check_span(text, start, end, quote):
                hows.append(NOT_PLACED)
                notes[k] = problem
                continue
        elif (at := found[k]) >= 0 and quote and not quote.isspace():  # an exact match, as locate_quote finds it
            start, end, how = at, at + len(quote), HOW["exact"]
        elif span := finder.locate_all([quote])[0]:
            start, end, how = span.start, span.end, HOW[span.how]
        else:
            hows.append(NOT_PLACED)
            notes[k] = f"quote not found in {name!r}"
            continue
        hows.append(how)
        code_id = plan.code_of[row.coder][row.code]
        key = (code_id, transcript_id, start, end)
        if key in existing:
            duplicates += 1
            continue
        existing.add(key)
        new.extend((k, plan.coder_ids[row.coder], code_id, start, end))
    return new.tobytes(), "".join(hows), notes, duplicates


def _locate_workers(rows: int, transcripts: int) -> int:
    """Processes to locate quotes while this one stores codings (0: locate here, for a small import
    or where forking is unsafe); one CPU stays with this process."""
    if rows < PARALLEL_MIN_ROWS:
        return 0
    return min(fork_capacity() - 1, transcripts)


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


def _validated(header: list[str], records: list[list[str]], bad: list[tuple[int, str]]) -> Iterator[tuple[int, Fields]]:
    """(row number, fields) of each record that validates; why the others do not goes to ``bad``."""
    plain = plain_fields(header, records)
    if plain is not None:
        yield from enumerate(plain, start=2)
        return
    validate = record_validator(header)
    for n, record in enumerate(records, start=2):
        try:
            yield n, validate(record)
        except ValidationError as exc:
            bad.append((n, _reason(exc)))


def import_codings(store: Store, path: Path, *, add_coders: bool = False, skip_bad: bool = False,
                   progress: Progress | None = None, workers: int | None = None) -> CodingsImport:
    """Import a codings CSV in one transaction; bad rows abort it unless ``skip_bad``.

    Codings are stored transcript by transcript, in the order the file first names them. For a
    large file (``PARALLEL_MIN_ROWS``) forked processes (``workers``; by default one per CPU but
    one) locate the quotes of the next transcripts while this process stores the codings of the
    earlier ones.
    """
    with _collector_paused():
        return _import_codings(store, path, add_coders=add_coders, skip_bad=skip_bad, progress=progress,
                               workers=workers)


def _import_codings(store: Store, path: Path, *, add_coders: bool, skip_bad: bool,
                    progress: Progress | None, workers: int | None) -> CodingsImport:
    header, records = read_csv_records(path)
    missing = [c for c in REQUIRED if c not in header]
    if records and missing:
        raise InputError(f"missing column(s): {', '.join(missing)}", where=str(path))

    def apply(tx) -> CodingsImport:  # noqa: ANN001 - Tx
        result = CodingsImport()
        texts = tx.all_texts()
        transcript_ids = tx.transcript_ids()
        coder_ids = tx.coder_ids()
        bad: list[tuple[int, str]] = []
        groups: dict[str, list[tuple[int, Fields]]] = {}  # the valid rows by transcript
        for n, row in _validated(header, records, bad):
            if row.transcript not in texts:
                bad.append((n, f"unknown transcript {row.transcript!r}"))
            elif row.coder not in coder_ids and not add_coders:
                bad.append((n, f"unknown coder {row.coder!r} (use --add-coders)"))
            else:
                groups.setdefault(row.transcript, []).append((n, row))
        labels: dict[str, dict[str, None]] = {}  # each coder's labels, in order of first use
        for rows in groups.values():
            for _, row in rows:
                labels.setdefault(row.coder, {})[row.code] = None
        added = sorted(set(labels) - set(coder_ids))
        for name in added:
            tx.add_coder(name)
        coder_ids = tx.coder_ids()
        code_of: dict[str, dict[str, int]] = {}  # coder -> label as written -> code id
        created: set[int] = set()
        for coder, coder_labels in labels.items():
            ids, new_keys = tx.add_missing_codes(coder_ids[coder], coder_labels)
            created.update(ids[key] for key in new_keys)
            code_of[coder] = {label: ids[label_key(label)] for label in coder_labels}
        plan = _Plan(texts, groups, transcript_ids, coder_ids, code_of,
                     tx.existing_coding_keys({coder_ids[coder] for coder in labels}))
        located: Counter[str] = Counter()

        def new_codings() -> Iterator[tuple]:
            """The new codings' insert rows, transcript by transcript as the workers hand them over."""
            names, done = list(groups), 0
            count = _locate_workers(len(records), len(groups)) if workers is None else workers
            for name, (packed, hows, notes, duplicates) in zip(
                    names, ordered_map(_group_codings, names, count, shared=plan, share_work=True), strict=True):
                rows, text = groups[name], texts[name]
                located.update(hows)
                result.duplicates += duplicates
                bad.extend((rows[k][0], note) for k, note in notes.items())
                done += len(rows)
                if progress:
                    progress(done, len(records), name)
                flat = array("q")
                flat.frombytes(packed)
                ks, coders, codes, starts, ends = (flat[i::5].tolist() for i in range(5))
                quotes = [text[start:end] for start, end in zip(starts, ends, strict=True)]
                memos = [rows[k][1].memo for k in ks]
                yield from zip(coders, codes, repeat(transcript_ids[name]), starts, ends, quotes, memos)  # noqa: B905

        result.stored = tx.insert_codings(new_codings())
        if bad and not skip_bad:
            raise RowError(str(path), sorted(bad))
        result.skipped = sorted(bad)
        located.pop(NOT_PLACED, None)
        result.located = {HOW_NAME[how]: count for how, count in located.items()}
        dropped_codes, dropped_coders = tx.drop_unused(created, [coder_ids[c] for c in added]) if bad else ((), ())
        result.coders_added = [name for name in added if coder_ids[name] not in dropped_coders]
        result.codes_created = len(created) - len(dropped_codes)
        if progress:
            progress(len(records), len(records), "stored")
        return result

    return store.write(apply, bulk=True)


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
