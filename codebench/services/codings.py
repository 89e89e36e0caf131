"""Codings in and out as CSV (``transcript,coder,code,quote[,start,end,memo]``)."""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import repeat
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple

import numpy as np
from pydantic import BaseModel, ValidationError, field_validator, model_validator

from codebench.domain.csvsafe import csv_record_runs, write_csv
from codebench.domain.errors import InputError, RowError
from codebench.domain.model import Coding, StatusCell
from codebench.domain.quotes import QuoteFinder, check_span
from codebench.services.workers import fork_capacity, forked_stream
from codebench.store.repo_codings import label_key
from codebench.store.store import Store

REQUIRED = ("transcript", "coder", "code", "quote")
OPTIONAL = ("start", "end", "memo")
EXPORT_COLUMNS = ["transcript", "coder", "code", "quote", "start", "end", "memo"]

Progress = Callable[[int, int, str], None]
PARALLEL_MIN_ROWS = 10_000  # below this, forking a reader costs more than it saves
PIECE_ROWS = 2048  # rows read, validated and placed at a time, then stored
FIRST_PIECE_ROWS = 256
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


def record_validator(header: Sequence[str]) -> Callable[[Sequence[str]], Fields]:
    """A row's fields as ``CodingRow`` validates them (raising its ``ValidationError``), for rows given as
    cells in ``header`` order (``header`` has the REQUIRED columns).

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


def plain_columns(header: Sequence[str], records: Sequence[Sequence[str]]) -> list[list] | None:
    """``record_validator(header)`` of every record, worked out column by column, when every record
    is plain: names given, and the offsets blank in every record or ASCII digits in every record.
    The values come as seven columns, one per field of ``Fields``. None when any record is not
    plain (``record_validator`` then judges them one by one)."""
    return plain_columns_of(header, list(zip(*records, strict=True)) if records else [])


def plain_columns_of(header: Sequence[str], cells: Sequence[Sequence[str]]) -> list[list] | None:
    """``plain_columns`` of records given as columns of cells, one per column of ``header``."""
    count = len(cells[0]) if cells else 0
    if not count:
        return [[] for _ in Fields._fields]
    columns = dict(zip(header, cells, strict=True))
    names = [list(map(str.strip, columns[name])) for name in ("transcript", "coder", "code")]
    if not all(map(all, names)):
        return None
    starts, ends = columns.get("start"), columns.get("end")
    if not any(column and any(map(str.strip, column)) for column in (starts, ends)):
        starts = ends = [None] * count
    elif starts and ends and all(_digits(column) for column in (starts, ends)):
        starts, ends = list(map(int, starts)), list(map(int, ends))
    else:
        return None
    memos = columns.get("memo")
    memos = [None] * count if memos is None else [memo if memo.strip() else None for memo in memos]
    return [*names, list(columns["quote"]), starts, ends, memos]


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
class _Source:
    """What reading a codings file needs from the project; a forked reader inherits it."""

    data: bytes  # the file
    where: str
    texts: dict[str, str]  # by transcript name; a row names its transcript by its index in this order
    coders: set[str]  # the coders there are
    add_coders: bool


class _Piece(NamedTuple):
    """A run of rows of a codings file, read, validated and placed, ready to store."""

    done: int  # rows read so far
    total: int  # rows in the file
    last: str  # the transcript of its last valid row
    labels: list[tuple[str, str]]  # (coder, label) of each code first named here; numbered on from earlier runs'
    label: np.ndarray  # of each placed row: the label number,
    transcript: np.ndarray  # the transcript (index in ``_Source.texts``),
    start: np.ndarray  # and the span
    end: np.ndarray
    memos: list[str | None] | None  # the memo of each placed row; None when none has one
    hows: dict[str, int]  # rows by how they were placed (``HOW`` letters, ``NOT_PLACED``)
    bad: list[tuple[int, str]]


class _Reader:
    """Reads a codings file (a ``_Source``) into ``_Piece``s.

    Codes are numbered per coder and label key in order of first use, transcripts by their index in
    ``texts``, so a piece crosses a process boundary as a few integers per row. The rows of a piece
    are handled column by column; only those not found exactly in their transcript one by one.
    """

    def __init__(self, source: _Source) -> None:
        self.source = source
        self.index = {name: i for i, name in enumerate(source.texts)}
        self.texts = list(source.texts.values())
        self.number: dict[tuple[str, str], int] = {}  # (coder, label as written) -> label number
        self.key_number: dict[tuple[str, str], int] = {}  # (coder, label key) -> label number
        self.finders: dict[int, QuoteFinder] = {}

    def pieces(self) -> Iterator[_Piece]:
        header, total, runs = csv_record_runs(self.source.data, self.source.where, PIECE_ROWS, columns=True)
        missing = [c for c in REQUIRED if c not in header]
        if total and missing:
            raise InputError(f"missing column(s): {', '.join(missing)}", where=self.source.where)
        first = 0
        for run in runs:
            parts = ([c[:FIRST_PIECE_ROWS] for c in run], [c[FIRST_PIECE_ROWS:] for c in run]) if first == 0 else (run,)
            for cells in parts:
                if cells[0]:  # a small first piece: the importing process waits for it
                    yield self.piece(header, cells, first, total)
                    first += len(cells[0])

    def piece(self, header: list[str], cells: list[list[str]], first: int, total: int) -> _Piece:
        """The rows (given as ``cells``, one list per column) numbered from ``first`` + 2."""
        bad: list[tuple[int, str]] = []
        count = len(cells[0])
        numbers, columns = _valid_columns(header, cells, first + 2, bad)
        ts = list(map(self.index.get, columns[0]))
        if None in ts or not (self.source.add_coders or self.source.coders.issuperset(columns[1])):
            keep = self._known(numbers, columns, ts, bad)
            numbers, ts, columns = [numbers[k] for k in keep], [ts[k] for k in keep], [[c[k] for k in keep]
                                                                                     for c in columns]
        transcripts, coders, codes, quotes, starts, ends, memos = columns
        labels: list[tuple[str, str]] = []
        label = list(map(self.number.get, zip(coders, codes)))
        for k, number in enumerate(label):
            if number is None:
                number = self.number.get((coders[k], codes[k]))  # named earlier in this piece
                label[k] = self._numbered(coders[k], codes[k], labels) if number is None else number
        t_index = np.array(ts, dtype=np.int64)
        span_start, span_end, placed, hows = self._spans(t_index, quotes, starts)
        for k in np.flatnonzero(~placed).tolist():
            where = self._place(transcripts[k], ts[k], quotes[k], starts[k], ends[k])
            if isinstance(where, str):
                hows[NOT_PLACED] += 1
                bad.append((numbers[k], where))
            else:
                span_start[k], span_end[k], how = where
                placed[k] = True
                hows[how] += 1
        kept = [memos[k] for k in np.flatnonzero(placed).tolist()] if any(memos) else None
        return _Piece(first + count, total, transcripts[-1] if transcripts else "", labels,
                      np.array(label, dtype=np.int64)[placed], t_index[placed],
                      span_start[placed], span_end[placed], kept, dict(hows), bad)

    def _known(self, numbers: Sequence[int], columns: list[list], ts: list[int | None],
               bad: list[tuple[int, str]]) -> list[int]:
        """Positions of the rows whose transcript and coder exist (or may be added); why not the others."""
        keep = []
        for k, (n, transcript, coder, t) in enumerate(zip(numbers, columns[0], columns[1], ts, strict=True)):
            if t is None:
                bad.append((n, f"unknown transcript {transcript!r}"))
            elif coder not in self.source.coders and not self.source.add_coders:
                bad.append((n, f"unknown coder {coder!r} (use --add-coders)"))
            else:
                keep.append(k)
        return keep

    def _numbered(self, coder: str, label: str, labels: list[tuple[str, str]]) -> int:
        """The number of a coder's label (first use of this spelling); a new code goes to ``labels``."""
        key = (coder, label_key(label))
        number = self.key_number.get(key)
        if number is None:
            number = self.key_number[key] = len(self.key_number)
            labels.append((coder, " ".join(label.split())))
        self.number[coder, label] = number
        return number

    def _finder(self, t: int) -> QuoteFinder:
        if t not in self.finders:
            self.finders[t] = QuoteFinder(self.texts[t])
        return self.finders[t]

    def _spans(self, ts: np.ndarray, quotes: list[str],
               starts: list[int | None]) -> tuple[np.ndarray, np.ndarray, np.ndarray, Counter[str]]:
        """The spans of the rows without offsets whose quote is exactly in their transcript (``ts``),
        as ``locate_quote`` finds it, all at once: (starts, ends, which rows, how many)."""
        n = len(ts)
        found = np.full(n, -1, dtype=np.int64)
        wanted = np.flatnonzero(np.fromiter(map(_is_none, starts), dtype=bool, count=n))
        in_order = wanted[np.argsort(ts[wanted], kind="stable")]  # by transcript, each in file order
        for rows in np.split(in_order, np.flatnonzero(np.diff(ts[in_order])) + 1) if in_order.size else ():
            found[rows] = self._finder(int(ts[rows[0]])).find_all([quotes[k] for k in rows.tolist()])
        lengths = np.fromiter(map(len, quotes), dtype=np.int64, count=n)
        blank = np.fromiter(map(str.isspace, quotes), dtype=bool, count=n) | (lengths == 0)
        placed = (found >= 0) & ~blank
        return found, found + lengths, placed, Counter({HOW["exact"]: int(placed.sum())})

    def _place(self, transcript: str, t: int, quote: str, start: int | None,
               end: int | None) -> tuple[int, int, str] | str:
        """(start, end, how) of a row's span in transcript ``t`` (given offsets checked, else the quote
        located), or why it has none."""
        if start is not None:
            return check_span(self.texts[t], start, end, quote) or (start, end, HOW["offsets"])
        if span := self._finder(t).locate_all([quote])[0]:
            return span.start, span.end, HOW[span.how]
        return f"quote not found in {transcript!r}"


def _is_none(value: object) -> bool:
    return value is None


def _read_pieces(source: _Source) -> Iterator[_Piece]:
    return _Reader(source).pieces()


class _CodeIds:
    """Coder and code ids of a reader's label numbers, creating the coders and codes not there yet."""

    def __init__(self, tx, coder_ids: dict[str, int]) -> None:  # noqa: ANN001 - Tx
        self.tx = tx
        self.coder_ids = coder_ids
        self.coders = np.empty(0, dtype=np.int64)  # by label number
        self.codes = np.empty(0, dtype=np.int64)  # by label number
        self.known: dict[int, dict[str, int]] = {}  # coder id -> label key -> code id
        self.created: set[int] = set()
        self.added: list[str] = []  # coders

    def number(self, labels: list[tuple[str, str]]) -> None:
        """Give the next label numbers, one per (coder, label), their ids."""
        missing: dict[int, dict[str, str]] = {}  # coder id -> label key -> label
        keys = []
        for coder, label in labels:
            if coder not in self.coder_ids:
                self.tx.add_coder(coder)
                self.coder_ids = self.tx.coder_ids()
                self.added.append(coder)
            coder_id = self.coder_ids[coder]
            if coder_id not in self.known:
                self.known[coder_id] = self.tx.code_ids(coder_id)
            key = label_key(label)
            if key not in self.known[coder_id]:
                missing.setdefault(coder_id, {})[key] = label
            keys.append((coder_id, key))
        for coder_id, new in missing.items():
            made = self.tx.create_codes(coder_id, new)
            self.known[coder_id].update(made)
            self.created.update(made.values())
        if keys:
            self.coders = np.append(self.coders, [coder_id for coder_id, _ in keys])
            self.codes = np.append(self.codes, [self.known[coder_id][key] for coder_id, key in keys])


def _fork_reader(data: bytes) -> bool:
    """Whether a forked process should read the file while this one stores it: a large file (about
    ``PARALLEL_MIN_ROWS`` lines or more), where forking is safe and there is a CPU for each."""
    return data.count(b"\n") >= PARALLEL_MIN_ROWS and fork_capacity() > 1


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a bulk import, then restore it.

    An import holds a few acyclic objects per row (CSV records, fields, insert rows) until it ends;
    the collector would traverse them again and again as they pile up, which costs about a quarter
    of a 100,000-row import. Reference counting still frees everything as usual.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _valid_columns(header: list[str], cells: list[list[str]], first: int,
                   bad: list[tuple[int, str]]) -> tuple[Sequence[int], list[list]]:
    """The row numbers (counted from ``first``) and the ``plain_columns`` of the rows (given as
    columns of cells) that validate; why the others do not goes to ``bad``."""
    columns = plain_columns_of(header, cells)
    if columns is not None:
        return range(first, first + len(cells[0])), columns
    validate = record_validator(header)
    numbers, rows = [], []
    for n, record in enumerate(zip(*cells, strict=True), start=first):
        try:
            rows.append(validate(record))
            numbers.append(n)
        except ValidationError as exc:
            bad.append((n, _reason(exc)))
    return numbers, [list(column) for column in zip(*rows, strict=True)] if rows else plain_columns(header, [])


def import_codings(store: Store, path: Path, *, add_coders: bool = False, skip_bad: bool = False,
                   progress: Progress | None = None, workers: int | None = None) -> CodingsImport:
    """Import a codings CSV in one transaction; bad rows abort it unless ``skip_bad``.

    Codings are stored in the order of the file. A large file (``PARALLEL_MIN_ROWS``) is read,
    validated and placed in a forked process, run by run, while this process stores the earlier
    runs; ``workers`` = 0 reads it here, any other number in a forked process (default: by size).
    """
    data = _read_bytes(path)
    fork = _fork_reader(data) if workers is None else workers > 0
    with _collector_paused():
        return store.write(lambda tx: _store_codings(tx, _Options(path, data, add_coders, skip_bad, progress, fork)),
                           bulk=True)


def _read_bytes(path: Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror or exc})", where=str(path)) from None


class _Options(NamedTuple):
    path: Path
    data: bytes
    add_coders: bool
    skip_bad: bool
    progress: Progress | None
    fork: bool


def _store_codings(tx, options: _Options) -> CodingsImport:  # noqa: ANN001 - Tx
    """The import in the transaction ``tx``: the new codings of each piece the reader hands over are
    stored before the next is taken; after a bad row (and without ``skip_bad``) only the reasons are."""
    result, bad, located = CodingsImport(), [], Counter()
    texts = tx.all_texts()
    transcript_ids = tx.transcript_ids()
    tids, text_list = np.array([transcript_ids[name] for name in texts], dtype=np.int64), list(texts.values())
    coder_ids = tx.coder_ids()
    ids = _CodeIds(tx, coder_ids)
    source = _Source(options.data, str(options.path), texts, set(coder_ids), options.add_coders)
    total = tried = 0

    def new_codings() -> Iterator[tuple]:
        """Each piece's new codings, as columns."""
        nonlocal total, tried
        with forked_stream(_read_pieces, source, fork=options.fork) as pieces:
            for piece in pieces:
                total = piece.total
                bad.extend(piece.bad)
                located.update(piece.hows)
                ids.number(piece.labels)
                if options.progress:
                    options.progress(piece.done, piece.total, piece.last)
                if bad and not options.skip_bad:
                    continue  # nothing will be stored: read on only for the reasons
                ts, starts, ends = piece.transcript.tolist(), piece.start.tolist(), piece.end.tolist()
                tried += len(ts)
                yield (ids.coders[piece.label].tolist(), ids.codes[piece.label].tolist(),
                       tids[piece.transcript].tolist(), starts, ends,
                       [text_list[t][s:e] for t, s, e in zip(ts, starts, ends)],  # noqa: B905 - same lengths
                       piece.memos or repeat(None))

    result.stored = tx.insert_coding_runs(new_codings(), skip_stored=True)
    if bad and not options.skip_bad:
        raise RowError(str(options.path), sorted(bad))
    result.duplicates = tried - result.stored
    result.skipped = sorted(bad)
    located.pop(NOT_PLACED, None)
    result.located = {HOW_NAME[how]: count for how, count in located.items() if count}
    added = [ids.coder_ids[name] for name in ids.added]
    dropped_codes, dropped_coders = tx.drop_unused(ids.created, added) if bad else ((), ())
    result.coders_added = sorted(name for name in ids.added if ids.coder_ids[name] not in dropped_coders)
    result.codes_created = len(ids.created) - len(dropped_codes)
    if options.progress:
        options.progress(total, total, "stored")
    return result


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
