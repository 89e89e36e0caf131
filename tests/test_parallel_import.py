"""Transcript import with worker processes: the same results, errors and all-or-nothing as serially."""

from __future__ import annotations

import pickle
import shutil
import sys
import threading
from pathlib import Path

import pytest

from codebench.domain.errors import ConflictError, InputError
from codebench.services import transcripts as service
from codebench.services.project import init_project
from codebench.services.transcripts import import_transcripts, list_transcripts, parse_files
from codebench.store.store import Store

SAMPLES = Path(__file__).parent.parent / "sample_transcripts"

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="worker processes are forked on Linux only")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """The sample study's transcripts (txt, md, docx, vtt) in a folder of their own."""
    out = tmp_path / "batch"
    out.mkdir()
    for path in SAMPLES.iterdir():
        if path.suffix in service.SUFFIXES and path.name.startswith("P"):
            shutil.copy(path, out / path.name)
    return out


@pytest.fixture
def store(db_url: str) -> Store:
    store, _ = init_project(db_url)
    yield store
    store.close()


@pytest.fixture
def always_parallel(monkeypatch: pytest.MonkeyPatch) -> None:
    """Worker processes even for the small sample study (they start from 4 MB of files otherwise)."""
    monkeypatch.setattr(service, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(service, "_cpu_count", lambda: 2)


def stored(store: Store) -> list[tuple[object, ...]]:
    """Every transcript's name, text and turns, in import order."""
    return store.read(lambda tx: [(t.name, *tx.transcript_text(t.name)) for t in tx.transcripts()])


@pytest.mark.parametrize("workers", [2, 3, 5])
def test_workers_parse_every_file_as_this_process_does(folder: Path, workers: int) -> None:
    files = service.expand_paths([folder])
    assert list(parse_files(files, workers)) == list(parse_files(files, 1))


def test_a_bad_file_parsed_by_a_worker_raises_its_own_error(folder: Path) -> None:
    files = service.expand_paths([folder])
    (folder / "P99.txt").write_bytes(b"\x00\x01binary\x00")
    (folder / "P98.vtt").write_text("WEBVTT\n\nnot a cue at all\n", encoding="utf-8")
    files = service.expand_paths([folder])
    with pytest.raises(InputError) as serially:
        list(parse_files(files, 1))
    with pytest.raises(InputError) as in_workers:
        list(parse_files(files, 2))
    assert in_workers.value.where == serially.value.where == "P98.vtt"  # the first bad file, in order
    assert in_workers.value.message == serially.value.message


def test_a_parallel_import_stores_what_a_serial_one_does(folder: Path, tmp_path: Path, always_parallel: None) -> None:
    assert service._worker_count(service.expand_paths([folder])) == 2
    parallel, _ = init_project(f"sqlite:///{tmp_path / 'parallel.db'}")
    outcomes = import_transcripts(parallel, [folder])
    serial, _ = init_project(f"sqlite:///{tmp_path / 'serial.db'}")
    import_transcripts(serial, [folder / p.name for p in sorted(folder.iterdir())][:1])  # one file: no workers
    import_transcripts(serial, [folder])
    assert [o.status for o in outcomes] == ["imported"] * len(outcomes)
    assert stored(parallel) == stored(serial)
    parallel.close()
    serial.close()


def test_a_bad_file_in_a_parallel_import_stores_nothing(folder: Path, store: Store, always_parallel: None) -> None:
    import_transcripts(store, [folder / "P01.txt"])
    before = stored(store)
    (folder / "P90.txt").write_bytes(b"")
    with pytest.raises(InputError, match="empty file"):
        import_transcripts(store, [folder])
    assert stored(store) == before


def test_a_clash_found_while_workers_still_parse_stores_nothing(folder: Path, store: Store,
                                                                always_parallel: None) -> None:
    (folder / "P02.txt").write_text("Interviewer: Changed?\n\nMira: Yes, changed.\n", encoding="utf-8")
    import_transcripts(store, [folder / "P02.txt"])
    shutil.copy(SAMPLES / "P02.txt", folder / "P02.txt")
    before = stored(store)
    with pytest.raises(ConflictError, match="use --replace"):
        import_transcripts(store, [folder])
    assert stored(store) == before


def test_no_workers_while_another_thread_runs(folder: Path, always_parallel: None) -> None:
    files = service.expand_paths([folder])
    assert service._worker_count(files) == 2
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        assert service._worker_count(files) == 1
    finally:
        release.set()
        other.join()


def test_a_parsed_transcript_comes_back_from_a_worker_unchanged(folder: Path) -> None:
    for doc, _ in parse_files(service.expand_paths([folder]), 1):
        back = pickle.loads(pickle.dumps(doc))
        assert back == doc
        assert all(type(turn) is type(doc.turns[0]) for turn in back.turns)
