"""Processes killed with SIGKILL: acknowledged work survives, half-done work leaves no trace."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from codebench.services.coders import add_coders
from codebench.services.coding_session import CodingSession
from codebench.services.codings import codings, status
from codebench.services.project import init_project, open_project
from codebench.services.transcripts import import_transcripts, list_transcripts
from codebench.store.engine import sqlite_path

WORDS = [f"w{i:04d}" for i in range(2000)]
KILL_AFTER = 150

# mode "stream": endless coding actions, "ok <i>" after each commit.
# mode "import" / "codings": an import whose store step announces itself from inside the open
# transaction and then hangs, so the kill lands between the writes and the commit.
WORKER = """
import sys, time
from pathlib import Path
from codebench.services.project import open_project

url, mode, arg = sys.argv[1], sys.argv[2], sys.argv[3]
store = open_project(url)

def hang_after(cls, name, after):
    original = getattr(cls, name)
    calls = []
    def announcing(self, *args, **kwargs):
        result = original(self, *args, **kwargs)
        calls.append(1)
        print("inside", name, len(calls), flush=True)
        if len(calls) >= after:
            time.sleep(120)
        return result
    setattr(cls, name, announcing)

if mode == "stream":
    from codebench.services.coding_session import CodingSession
    session = CodingSession(store, "ana")
    text = session.document("P01").text
    start = text.index("w0000")
    for i in range(int(arg)):
        session.add_coding("P01", start + 6 * i, start + 6 * i + 5, label=f"code {i % 5}")
        print("ok", i, flush=True)
elif mode == "import":
    from codebench.services.transcripts import import_transcripts
    from codebench.store.repo_transcripts import TranscriptsRepo
    hang_after(TranscriptsRepo, "add_transcripts", 1)
    import_transcripts(store, [Path(arg)])
else:
    from codebench.services.codings import import_codings
    from codebench.store.repo_codings import CodingsRepo
    hang_after(CodingsRepo, "insert_coding_runs", 1)
    import_codings(store, Path(arg), add_coders=True)
"""


def run_until(tmp_path: Path, url: str, mode: str, arg: str, lines: int) -> list[str]:
    """Start the worker, read ``lines`` lines of its output, then SIGKILL it; returns the lines read."""
    script = tmp_path / "worker.py"
    script.write_text(WORKER, encoding="utf-8")
    proc = subprocess.Popen([sys.executable, str(script), url, mode, arg], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    seen: list[str] = []
    try:
        while len(seen) < lines:
            line = proc.stdout.readline()
            if not line:
                raise AssertionError(f"worker ended early: {proc.stderr.read()}")
            seen.append(line.strip())
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        proc.stdout.close()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    return seen


def assert_sqlite_intact(url: str) -> None:
    path = sqlite_path(url)
    if path is not None:
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def new_project(url: str, folder: Path) -> None:
    path = folder / "P01.txt"
    path.write_text("Interviewer: Read the list, please.\n\nMara: " + " ".join(WORDS) + "\n", encoding="utf-8")
    store, _ = init_project(url)
    import_transcripts(store, [path])
    add_coders(store, ["ana"])
    store.close()


def test_every_acknowledged_action_survives_a_kill(db_url: str, tmp_path: Path) -> None:
    new_project(db_url, tmp_path)
    acks = run_until(tmp_path, db_url, "stream", str(len(WORDS)), KILL_AFTER)
    acknowledged = {WORDS[int(line.split()[1])] for line in acks}
    assert_sqlite_intact(db_url)

    store = open_project(db_url)  # the next start needs no repair
    stored = {c.quote for c in codings(store, coder="ana")}
    assert acknowledged <= stored
    assert len(stored) - len(acknowledged) <= 1  # at most the action committed but not yet acknowledged
    session = CodingSession(store, "ana")
    start = session.document("P01").text.index(WORDS[-1])
    session.add_coding("P01", start, start + 5, label="after the crash")
    assert len(codings(store, coder="ana")) == len(stored) + 1
    store.close()


def test_a_transcript_import_killed_midway_stores_nothing(db_url: str, tmp_path: Path) -> None:
    new_project(db_url, tmp_path)
    folder = tmp_path / "batch"
    folder.mkdir()
    for i in range(8):
        (folder / f"Q{i:02d}.txt").write_text(f"Interviewer: Question {i}?\n\nTeo: Answer number {i}.\n",
                                              encoding="utf-8")
    seen = run_until(tmp_path, db_url, "import", str(folder), 1)
    assert seen[-1] == "inside add_transcripts 1"  # the eight transcripts were written, not committed
    assert_sqlite_intact(db_url)
    store = open_project(db_url)
    assert [t.name for t in list_transcripts(store)] == ["P01"]
    assert [o.status for o in import_transcripts(store, [folder])] == ["imported"] * 8  # a clean retry
    store.close()


def test_a_codings_import_killed_midway_stores_nothing(db_url: str, tmp_path: Path) -> None:
    new_project(db_url, tmp_path)
    rows = [f"P01,ben,code {i % 4},{w}" for i, w in enumerate(WORDS[:300])]
    csv_file = tmp_path / "ben.csv"
    csv_file.write_text("transcript,coder,code,quote\n" + "\n".join(rows) + "\n", encoding="utf-8")
    run_until(tmp_path, db_url, "codings", str(csv_file), 1)
    assert_sqlite_intact(db_url)
    store = open_project(db_url)
    assert codings(store) == []
    assert {c.coder for c in status(store)} == {"ana"}  # the coder 'ben' the import added is gone too
    store.close()


def test_a_writer_killed_inside_its_transaction_leaves_no_lock(sqlite_url: str, tmp_path: Path) -> None:
    """SQLite: the worker dies holding the write lock (rows inserted, not committed); the next writer goes on."""
    new_project(sqlite_url, tmp_path)
    csv_file = tmp_path / "ben.csv"
    csv_file.write_text("transcript,coder,code,quote\nP01,ben,first,w0001\n", encoding="utf-8")
    run_until(tmp_path, sqlite_url, "codings", str(csv_file), 1)
    store = open_project(sqlite_url)
    add_coders(store, ["chloe"])
    assert [c.name for c in store.read(lambda tx: tx.coders())] == ["ana", "chloe"]
    store.close()
