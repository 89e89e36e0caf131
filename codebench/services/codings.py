"""Codings in and out as CSV (``transcript,coder,code,quote[,start,end,memo]``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ValidationError, field_validator, model_validator

from codebench.domain.csvsafe import read_csv_rows, write_csv
from codebench.domain.errors import InputError, RowError
from codebench.domain.model import Coding, StatusCell
from codebench.domain.quotes import check_span, locate_quote
from codebench.store.repo_codings import label_key
from codebench.store.store import Store

REQUIRED = ("transcript", "coder", "code", "quote")
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


def _reason(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(map(str, e['loc'])) or 'row'} {e['msg']}".strip() for e in exc.errors())


@dataclass
class CodingsImport:
    stored: int = 0
    duplicates: int = 0
    coders_added: list[str] = field(default_factory=list)
    codes_created: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)
    located: dict[str, int] = field(default_factory=dict)


def import_codings(store: Store, path: Path, *, add_coders: bool = False, skip_bad: bool = False,
                   progress: Progress | None = None) -> CodingsImport:
    """Import a codings CSV in one transaction; bad rows abort it unless ``skip_bad``."""
    raw = read_csv_rows(path)
    if raw:
        missing = [c for c in REQUIRED if c not in raw[0]]
        if missing:
            raise InputError(f"missing column(s): {', '.join(missing)}", where=str(path))

    def apply(tx) -> CodingsImport:  # noqa: ANN001 - Tx
        result = CodingsImport()
        texts = tx.all_texts()
        transcript_ids = tx.transcript_ids()
        coder_ids = tx.coder_ids()
        bad: list[tuple[int, str]] = []
        good: list[tuple[int, CodingRow, int, int]] = []
        for n, values in enumerate(raw, start=2):
            try:
                row = CodingRow.model_validate(values)
            except ValidationError as exc:
                bad.append((n, _reason(exc)))
                continue
            text = texts.get(row.transcript)
            if text is None:
                bad.append((n, f"unknown transcript {row.transcript!r}"))
                continue
            if row.coder not in coder_ids and not add_coders:
                bad.append((n, f"unknown coder {row.coder!r} (use --add-coders)"))
                continue
            if row.start is not None:
                problem = check_span(text, row.start, row.end, row.quote)
                if problem:
                    bad.append((n, problem))
                    continue
                start, end, how = row.start, row.end, "offsets"
            else:
                found = locate_quote(text, row.quote)
                if found is None:
                    bad.append((n, f"quote not found in {row.transcript!r}"))
                    continue
                start, end, how = found.start, found.end, found.how
            result.located[how] = result.located.get(how, 0) + 1
            good.append((n, row, start, end))
            if progress and n % 500 == 0:
                progress(n - 1, len(raw), row.transcript)
        if bad and not skip_bad:
            raise RowError(str(path), bad)
        result.skipped = bad
        for name in sorted({row.coder for _, row, _, _ in good} - set(coder_ids)):
            tx.add_coder(name)
            result.coders_added.append(name)
        coder_ids = tx.coder_ids()
        labels: dict[str, list[str]] = {}
        for _, row, _, _ in good:
            labels.setdefault(row.coder, []).append(row.code)
        code_ids: dict[str, dict[str, int]] = {}
        for coder, coder_labels in labels.items():
            before = len(tx.ensure_codes(coder_ids[coder], []))
            code_ids[coder] = tx.ensure_codes(coder_ids[coder], coder_labels)
            result.codes_created += len(code_ids[coder]) - before
        existing = tx.existing_coding_keys()
        inserts = []
        for _, row, start, end in good:
            code_id = code_ids[row.coder][label_key(row.code)]
            key = (code_id, transcript_ids[row.transcript], start, end)
            if key in existing:
                result.duplicates += 1
                continue
            existing.add(key)
            inserts.append({"coder_id": coder_ids[row.coder], "code_id": code_id, "transcript_id": key[1],
                            "start": start, "end": end, "quote": texts[row.transcript][start:end],
                            "memo": row.memo})
        tx.insert_codings(inserts)
        result.stored = len(inserts)
        if progress:
            progress(len(raw), len(raw), "stored")
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
