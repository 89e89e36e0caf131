"""Peer tools on the operations they share with codebench, timed on the same study in the same run.

Peers, each installed into its own throwaway virtualenv under /tmp (never into codebench's):
- ``qualitative-coding`` (the ``qc`` command-line tool): import .txt / .vtt transcripts; load the same
  codings from a REFI-QDA project that codebench exports, then compute code statistics.
- Taguette: import the same transcripts with Taguette's own conversion and storage code (what its
  "add document" request does), called in its virtualenv without the web server.

Both sides are timed as separate processes started from the command line (interpreter start-up included
on both sides). Where a peer cannot install or cannot do an operation here, the table says so and why.

    python bench/peers.py STUDY_DIR        # a study written by bench/make_study.py
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import Timing, seconds  # noqa: E402

CODEBENCH = [sys.executable, "-m", "codebench"]
QC_LOAD_LIMIT = 20 * 60  # seconds; qc's REFI-QDA import slows down as the project grows
VENVS = {"qc": (Path("/tmp/peer-qc"), "qualitative-coding"), "taguette": (Path("/tmp/peer-taguette"), "taguette")}

TAGUETTE_IMPORT = '''\
"""Import transcript files into a fresh Taguette database the way Taguette's DocumentAdd handler does."""
import asyncio, sys
from pathlib import Path
from taguette import convert, database
from taguette.main import DEFAULT_CONFIG

async def main(db_url, files):
    session = database.connect(db_url)()
    user = database.User(login="bench")
    project = database.Project(name="bench", description="")
    session.add_all([user, project])
    session.add(database.ProjectMember(project=project, user=user, privileges=database.Privileges.ADMIN))
    session.commit()
    for path in map(Path, files):
        body = await convert.to_html_chunks(path.read_bytes(), "text/vtt", path.name, DEFAULT_CONFIG)
        doc = database.Document(name=path.stem, description="", filename=path.name, project=project,
                                text_direction=database.TextDirection.LEFT_TO_RIGHT, contents=body)
        session.add(doc)
        session.flush()
        session.add(database.Command.document_add(user.login, doc))
        session.commit()

asyncio.run(main(sys.argv[1], sys.argv[2:]))
'''


@dataclass(frozen=True)
class PeerRow:
    """One operation: codebench's time, the peer's time (or why there is none)."""

    peer: str
    operation: str
    codebench: Timing | None
    peer_time: Timing | None
    note: str = ""

    def cells(self) -> list[str]:
        ratio = (f"{self.peer_time.median / self.codebench.median:.1f}x"
                 if self.codebench and self.peer_time else "-")
        return [self.peer, self.operation, self.codebench.describe() if self.codebench else "-",
                self.peer_time.describe() if self.peer_time else "-", ratio, self.note]


class PeerFailed(Exception):
    """A peer command failed; the message is its last line of output."""


def run(command: Sequence[str | Path], cwd: Path, env: dict[str, str] | None = None, timeout: float = 3600) -> float:
    """Run a command, return its wall time; a failure or timeout raises PeerFailed with the reason."""
    began = time.perf_counter()
    try:
        done = subprocess.run([str(c) for c in command], cwd=cwd, capture_output=True, text=True, check=False,
                              env={**os.environ, **(env or {})}, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise PeerFailed(f"did not finish within {timeout / 60:.0f} minutes") from exc
    took = time.perf_counter() - began
    if done.returncode != 0:
        lines = (done.stderr.strip() or done.stdout.strip() or f"exit code {done.returncode}").splitlines()
        raise PeerFailed(lines[-1][:200])
    return took


def timed(command_for: Callable[[Path], list[str | Path]], fresh: Callable[[], Path], repeats: int) -> Timing:
    """Median wall time of a command; ``fresh()`` prepares a clean folder (untimed) and returns it."""
    runs = []
    for _ in range(repeats):
        folder = fresh()
        runs.append(run(command_for(folder), folder))
    return Timing(tuple(runs))


def ensure_venv(name: str) -> Path:
    """The peer's throwaway virtualenv, created and installed on first use; raises PeerFailed if it cannot be."""
    venv, package = VENVS[name]
    python = venv / "bin" / "python"
    if not python.exists():
        run([sys.executable, "-m", "venv", venv], Path("/tmp"))
    check = subprocess.run([python, "-m", "pip", "show", "-q", package], capture_output=True, check=False)
    if check.returncode != 0:
        run([python, "-m", "pip", "install", "-q", package], Path("/tmp"))
    return venv


def subset(study: Path, suffix: str, dest: Path) -> Path:
    """A folder holding only the study's transcripts of one format (copies)."""
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    for path in sorted(study.glob(f"*{suffix}")):
        shutil.copy(path, dest / path.name)
    return dest


def fresh_folder(path: Path) -> Callable[[], Path]:
    def make() -> Path:
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)
        return path
    return make


def codebench_import(folder: Path, source: Path) -> list[str | Path]:
    """``codebench init`` runs untimed in ``fresh``; this is the timed import command."""
    return [*CODEBENCH, "import", source, "--db", f"sqlite:///{folder / 'project.db'}"]


def fresh_codebench(path: Path) -> Callable[[], Path]:
    make = fresh_folder(path)

    def fresh() -> Path:
        folder = make()
        run([*CODEBENCH, "init", "--db", f"sqlite:///{folder / 'project.db'}"], folder)
        return folder
    return fresh


def fresh_qc(path: Path, qc: Path) -> Callable[[], Path]:
    make = fresh_folder(path)

    def fresh() -> Path:
        folder = make()
        run([qc, "init"], folder)
        return folder
    return fresh


def qc_rows(study: Path, work: Path, repeats: int, project_db: Path | None) -> list[PeerRow]:
    try:
        qc = ensure_venv("qc") / "bin" / "qc"
    except PeerFailed as exc:
        return [PeerRow("qc", "all", None, None, f"cannot install qualitative-coding here: {exc}")]
    rows = []
    for suffix, importer in ((".txt", "verbatim"), (".vtt", "vtt")):
        files = subset(study, suffix, work / f"src{suffix}")
        n = len(list(files.iterdir()))
        ours = timed(lambda folder, files=files: codebench_import(folder, files), fresh_codebench(work / "cb"), repeats)
        try:
            theirs = timed(lambda folder, files=files, importer=importer: [
                qc, "corpus", "import", files, "-r", "-i", importer], fresh_qc(work / "qc", qc), repeats)
            rows.append(PeerRow("qc", f"import {n} {suffix} transcripts", ours, theirs))
        except PeerFailed as exc:
            why = (" (qc's vtt importer splits each cue at `Name:` and does not read `<v Name>` voice tags)"
                   if suffix == ".vtt" and "unpack" in str(exc) else "")
            rows.append(PeerRow("qc", f"import {n} {suffix} transcripts", ours, None, f"qc failed: {exc}{why}"))
    docx = len(list(study.glob("*.docx")))
    if shutil.which("pandoc") is None:
        rows.append(PeerRow("qc", f"import {docx} .docx transcripts", None, None,
                            "cannot here: qc converts .docx with pandoc, which is not installed"))
    if project_db is not None:
        rows.append(qc_statistics(qc, work, project_db, repeats))
    return rows


def qc_statistics(qc: Path, work: Path, project_db: Path, repeats: int) -> PeerRow:
    """Code statistics over the same codings: qc loads them from codebench's REFI-QDA export of the project."""
    with sqlite3.connect(project_db) as conn:
        interviews = conn.execute("SELECT count(*) FROM transcripts").fetchone()[0]
    conn.close()
    operation = f"code statistics (codings per code) of a {interviews}-interview project"
    qdpx = work / "study.qdpx"
    run([*CODEBENCH, "export", "qdpx", qdpx, "--db", f"sqlite:///{project_db}"], work)
    project = work / "qc-stats"
    shutil.rmtree(project, ignore_errors=True)
    project.mkdir(parents=True)
    try:
        # qc 1.7.8's REFI-QDA reader stops at a leftover breakpoint(); PYTHONBREAKPOINT=0 skips it.
        loaded = run([qc, "init", "-i", qdpx], project, env={"PYTHONBREAKPOINT": "0"}, timeout=QC_LOAD_LIMIT)
    except PeerFailed as exc:
        return PeerRow("qc", operation, None, None, f"qc cannot load the codings (REFI-QDA import failed: {exc})")
    ours = Timing(tuple(run([*CODEBENCH, "frequencies", "--level", "harmonised", "--format", "csv", "--db",
                             f"sqlite:///{project_db}"], work) for _ in range(repeats)))
    try:
        theirs = Timing(tuple(run([qc, "codes", "stats", "-m", "tsv"], project) for _ in range(repeats)))
    except PeerFailed as exc:
        return PeerRow("qc", operation, ours, None, f"qc codes stats failed: {exc}")
    return PeerRow("qc", operation, ours, theirs, f"qc loaded the REFI-QDA project in {seconds(loaded)} "
                   "(not timed against codebench); codebench: `frequencies --level harmonised`")


def taguette_rows(study: Path, work: Path, repeats: int) -> list[PeerRow]:
    try:
        python = ensure_venv("taguette") / "bin" / "python"
    except PeerFailed as exc:
        return [PeerRow("Taguette", "all", None, None, f"cannot install taguette here: {exc}")]
    script = work / "taguette_import.py"
    script.write_text(TAGUETTE_IMPORT, encoding="utf-8")
    files = subset(study, ".vtt", work / "src.vtt")
    names = sorted(files.iterdir())
    ours = timed(lambda folder: codebench_import(folder, files), fresh_codebench(work / "cb"), repeats)
    rows = []
    try:
        theirs = timed(lambda folder: [python, script, f"sqlite:///{folder / 'taguette.sqlite3'}", *names],
                       fresh_folder(work / "taguette"), repeats)
        rows.append(PeerRow("Taguette", f"import {len(names)} .vtt transcripts", ours, theirs,
                            "Taguette's conversion + storage code in-process, without its web server"))
    except PeerFailed as exc:
        rows.append(PeerRow("Taguette", f"import {len(names)} .vtt transcripts", ours, None, f"failed: {exc}"))
    if shutil.which("ebook-convert") is None:
        rows.append(PeerRow("Taguette", "import .txt and .docx transcripts", None, None,
                            "cannot here: Taguette converts them with Calibre's ebook-convert, not installed"))
    rows.append(PeerRow("Taguette", "code statistics / codebook export of the same codings", None, None,
                        "cannot: Taguette has no import of codings made elsewhere (CSV or REFI-QDA), "
                        "so it cannot hold the same codings"))
    return rows


def markdown(rows: list[PeerRow]) -> str:
    header = ["peer", "operation", "codebench", "peer", "peer / codebench", "note"]
    lines = ["**Peers** (`python bench/run.py --peers`; wall time of command-line processes, start-up included)",
             "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row.cells()) + " |" for row in rows]
    return "\n".join(lines)


def run_peers(study: Path, work: Path, *, repeats: int = 3, console: Console | None = None,
              project_db: Path | None = None) -> str:
    """Time every peer operation; print the rows and return them as a markdown block for docs/benchmarks.md."""
    console = console or Console()
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    for name, rows_of in (("qc", lambda: qc_rows(study, work / "qc", repeats, project_db)),
                          ("Taguette", lambda: taguette_rows(study, work / "taguette", repeats))):
        console.print(f"[bold]peer: {name}[/]...")
        (work / name.lower()).mkdir(exist_ok=True)
        rows += rows_of()
    for row in rows:
        console.print(" | ".join(row.cells()), highlight=False)
    return markdown(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("study", type=Path, help="a folder written by bench/make_study.py")
    parser.add_argument("--work", type=Path, default=Path("/tmp/codebench-peers"))
    parser.add_argument("--project-db", type=Path, default=None,
                        help="a codebench project with codings and codebook, for the code statistics")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(run_peers(args.study, args.work, repeats=args.repeats, project_db=args.project_db))


if __name__ == "__main__":
    main()
