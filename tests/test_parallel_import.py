"""Transcript import with worker processes: the same results, errors and all-or-nothing as serially."""

from __future__ import annotations

import pickle
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from codebench.domain.errors import ConflictError, InputError
from codebench.services import transcripts as service
from codebench.services import workers as workers_module
from codebench.services.project import init_project, open_project
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
    monkeypatch.setattr(workers_module, "cpu_count", lambda: 2)


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


def test_the_command_imports_a_large_batch_in_a_process_of_its_own(tmp_path: Path) -> None:
    """The real default path: a fresh `codebench import` process and over 4 MB of files (workers when CPUs allow)."""
    folder = tmp_path / "large"
    folder.mkdir()
    for i in range(12):
        turns = [f"Interviewer: Question {k} of interview {i}?\n\nRosa Ilves: " + f"answer {k} " * 40
                 for k in range(700)]
        (folder / f"L{i:02d}.txt").write_text("\n\n".join(turns) + "\n", encoding="utf-8")
    (folder / "L12.vtt").write_text("WEBVTT\n\n" + "\n\n".join(
        f"00:{k // 60:02d}:{k % 60:02d}.000 --> 00:{k // 60:02d}:{k % 60:02d}.500\n<v Rosa Ilves>words {k}"
        for k in range(3000)) + "\n", encoding="utf-8")
    assert sum(p.stat().st_size for p in folder.iterdir()) >= service.PARALLEL_MIN_BYTES
    db = f"sqlite:///{tmp_path / 'large.db'}"
    run = [sys.executable, "-m", "codebench"]
    subprocess.run([*run, "init", "--db", db], check=True, capture_output=True)
    done = subprocess.run([*run, "import", str(folder), "--db", db], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    store = open_project(db)
    try:
        serial = [(name, doc) for name, (doc, _) in zip(
            [p.stem for p in service.expand_paths([folder])], parse_files(service.expand_paths([folder]), 1),
            strict=True)]
        assert [(name, text) for name, text, _ in stored(store)] == [(name, doc.text) for name, doc in serial]
        assert [len(turns) for *_, turns in stored(store)] == [len(doc.turns) for _, doc in serial]
    finally:
        store.close()
