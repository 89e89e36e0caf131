"""Three coders tagging at once, each in their own process, on one SQLite file and on PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from codebench.services.coders import add_coders
from codebench.services.codings import codings, status
from codebench.services.project import init_project
from codebench.services.transcripts import import_transcripts

CODERS = ("ana", "ben", "chloe")
ACTIONS = 1000
WORDS = [f"w{i:04d}" for i in range(ACTIONS + 50)]

# One coder's process: ACTIONS coding actions through the service the coding screen uses,
# each its own transaction; one "ok <i>" line per committed action.
WORKER = """
import sys
from codebench.services.coding_session import CodingSession
from codebench.services.project import open_project

url, coder, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
store = open_project(url)
session = CodingSession(store, coder)
text = session.document("P01").text
start = text.index("w0000")
for i in range(n):
    a = start + 6 * i
    session.add_coding("P01", a, a + 5, label=f"{coder} code {i % 7}", memo=f"action {i}")
    print("ok", i, flush=True)
store.close()
"""


def project_with_one_long_transcript(url: str, folder: Path) -> None:
    path = folder / "P01.txt"
    path.write_text("Interviewer: Please read the list.\n\nMara: " + " ".join(WORDS) + "\n", encoding="utf-8")
    store, _ = init_project(url)
    import_transcripts(store, [path])
    add_coders(store, list(CODERS))
    store.close()


def test_three_coders_in_three_processes(db_url: str, tmp_path: Path) -> None:
    project_with_one_long_transcript(db_url, tmp_path)
    script = tmp_path / "worker.py"
    script.write_text(WORKER, encoding="utf-8")
    procs = [subprocess.Popen([sys.executable, str(script), db_url, coder, str(ACTIONS)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for coder in CODERS]
    results = [p.communicate(timeout=240) for p in procs]
    for proc, (stdout, stderr) in zip(procs, results, strict=True):
        assert proc.returncode == 0, stderr
        assert stderr == ""  # no error or warning surfaced to the coder
        assert stdout.splitlines() == [f"ok {i}" for i in range(ACTIONS)]

    store, _ = init_project(db_url)
    stored = codings(store)
    cells = status(store)
    store.close()
    assert {(c.coder, c.status, c.codings) for c in cells} == {(coder, "in progress", ACTIONS) for coder in CODERS}
    assert len(stored) == len(CODERS) * ACTIONS
    keys = [(c.coder, c.start, c.end) for c in stored]
    assert len(set(keys)) == len(keys)
    for coder in CODERS:
        mine = sorted((c for c in stored if c.coder == coder), key=lambda c: c.start)
        assert [c.quote for c in mine] == WORDS[:ACTIONS]
        assert [c.memo for c in mine] == [f"action {i}" for i in range(ACTIONS)]
        assert {c.code for c in mine} == {f"{coder} code {k}" for k in range(7)}

