"""Import transcripts and participant attributes; list transcripts."""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from codebench.domain.csvsafe import read_csv_rows
from codebench.domain.errors import ConflictError, InputError, RowError
from codebench.domain.model import ParsedTranscript, TranscriptInfo
from codebench.domain.transcripts import normalised_hash, parse_transcript
from codebench.services.workers import fork_capacity, ordered_map
from codebench.store.store import Store

SUFFIXES = (".txt", ".md", ".docx", ".vtt", ".srt")
MAX_BYTES = 50 * 1024 * 1024  # larger files are refused, not streamed
PARALLEL_MIN_BYTES = 4 * 1024 * 1024  # below this, starting worker processes costs more than it saves
ADD_BATCH = 16  # new transcripts stored together, with a few statements

T = TypeVar("T")

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    name: str
    path: str
    status: str  # "imported" | "replaced" | "unchanged"
    turns: int
    warnings: tuple[str, ...] = ()
    same_as: str | None = None


def expand_paths(paths: list[Path]) -> list[Path]:
    """Files named directly, plus the transcript files of named folders (sorted by name)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES))
        elif path.is_file():
            if path.suffix.lower() not in SUFFIXES:
                raise InputError(f"not a transcript format (use {', '.join(SUFFIXES)})", where=str(path))
            files.append(path)
        else:
            raise InputError("no such file or folder", where=str(path))
    if not files:
        raise InputError("no transcript files found", where=", ".join(map(str, paths)))
    return files


def read_transcript(path: Path) -> ParsedTranscript:
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise InputError(f"file is {size // (1024 * 1024)} MB; transcripts over 50 MB are refused", where=str(path))
    return parse_transcript(path.read_bytes(), path.name)


def read_and_hash(path: Path) -> tuple[ParsedTranscript, str]:
    """A transcript file parsed, with the content hash of its (normalised) text."""
    doc = read_transcript(path)
    return doc, normalised_hash(doc.text)


def parse_files(files: list[Path], workers: int | None = None) -> Iterator[tuple[ParsedTranscript, str]]:
    """Each file read and hashed (``read_and_hash``), in order; a bad file raises when its turn comes.

    Large batches are parsed by worker processes (``workers``; by default one per CPU, for
    4 MB of files or more) while the caller consumes the results, e.g. storing them. Workers
    are forked, so only on Linux and only when this process runs a single thread (see
    ``workers.fork_capacity``).
    """
    workers = _worker_count(files) if workers is None else min(workers, len(files))
    return ordered_map(read_and_hash, files, workers if workers > 1 else 0)


def _worker_count(files: list[Path]) -> int:
    capacity = fork_capacity()
    if capacity == 1 or sum(path.stat().st_size for path in files) < PARALLEL_MIN_BYTES:
        return 1
    return min(capacity, len(files))


class _Replayable(Generic[T]):
    """An iterator's items, consumed once and replayed to every later iteration."""

    def __init__(self, items: Generator[T, None, None]) -> None:
        self._items, self._seen = items, []

    def close(self) -> None:
        """Stop the underlying generator (and the work it has in hand)."""
        self._items.close()

    def __iter__(self) -> Iterator[T]:
        yield from self._seen
        for item in self._items:
            self._seen.append(item)
            yield item


def first_names(hashes: dict[str, str]) -> dict[str, str]:
    """The first transcript name (in ``hashes``' order) of each content hash."""
    names: dict[str, str] = {}
    for name, digest in hashes.items():
        names.setdefault(digest, name)
    return names


def import_transcripts(store: Store, paths: list[Path], *, name: str | None = None, replace: bool = False,
                       progress: Progress | None = None) -> list[ImportOutcome]:
    """Parse and store every file in one transaction: a failure (a bad file included) stores nothing."""
    files = expand_paths(paths)
    if name is not None and len(files) != 1:
        raise InputError("--name needs exactly one file")
    seen: dict[str, Path] = {}
    for path in files:
        tname = name or path.stem
        if tname in seen:
            raise ConflictError(f"two files would both be named {tname!r}: {seen[tname]} and {path}")
        seen[tname] = path
    docs = _Replayable(parse_files(files))  # parsed while the first ones are stored; replayed on a retry

    def store_all(tx) -> list[ImportOutcome]:  # noqa: ANN001 - Tx
        hashes = tx.transcript_hashes()  # in import order: the first name of a content is its twin
        names_by_hash = first_names(hashes)
        outcomes = []
        new: list[tuple[str, ParsedTranscript, str, str]] = []  # stored ADD_BATCH at a time
        for i, ((tname, path), (doc, digest)) in enumerate(zip(seen.items(), docs, strict=True)):
            if progress:
                progress(i + 1, len(files), tname)
            status = "imported"
            if tname in hashes:
                if hashes[tname] == digest:
                    outcomes.append(ImportOutcome(tname, str(path), "unchanged", len(doc.turns), doc.warnings))
                    continue
                if not replace:
                    raise ConflictError(
                        f"a transcript named {tname!r} with other content exists (use --replace)", where=str(path))
                _, n_codings = tx.transcript_by_name(tname)
                if n_codings:
                    raise ConflictError(f"transcript {tname!r} has {n_codings} codings and cannot be replaced",
                                        where=str(path))
                tx.replace_transcript(tname, doc, digest, str(path))
                status = "replaced"
            elif digest in names_by_hash:
                twin = names_by_hash[digest]
                outcomes.append(ImportOutcome(tname, str(path), "unchanged", len(doc.turns), doc.warnings, twin))
                continue
            else:
                new.append((tname, doc, digest, str(path)))
                if len(new) == ADD_BATCH:
                    tx.add_transcripts(new)
                    new.clear()
            hashes[tname] = digest
            if status == "replaced":  # its old content may have been another file's twin
                names_by_hash = first_names(hashes)
            names_by_hash.setdefault(digest, tname)
            outcomes.append(ImportOutcome(tname, str(path), status, len(doc.turns), doc.warnings))
        tx.add_transcripts(new)
        return outcomes

    try:
        return store.write(store_all, bulk=True)
    finally:
        docs.close()


def import_attributes(store: Store, path: Path) -> int:
    """Participant attributes from a CSV whose first column is ``transcript``; all-or-nothing."""
    rows = read_csv_rows(path)
    if not rows or next(iter(rows[0])) != "transcript":
        raise InputError("the first column must be 'transcript'", where=str(path))

    def apply(tx) -> int:  # noqa: ANN001 - Tx
        known = set(tx.transcript_ids())
        bad = [(i, f"unknown transcript {r['transcript']!r}") for i, r in enumerate(rows, start=2)
               if r["transcript"] not in known]
        if bad:
            raise RowError(str(path), bad)
        values = {r["transcript"]: {k: v for k, v in r.items() if k != "transcript" and k} for r in rows}
        tx.set_attributes(values)
        return len(values)

    return store.write(apply)


def list_transcripts(store: Store) -> list[TranscriptInfo]:
    return store.read(lambda tx: tx.transcripts())
