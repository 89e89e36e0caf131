"""`codebench backup FILE`: SQLite online backup, pg_dump for PostgreSQL."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from codebench.domain.errors import ConflictError, InputError
from codebench.services.backup import backup_project
from codebench.services.coders import add_coders
from codebench.services.coding_session import CodingSession
from codebench.services.codings import codings
from codebench.services.project import init_project, open_project
from codebench.services.transcripts import import_transcripts
from codebench.store import backup as store_backup

TEXT = "Interviewer: How long did tuning take?\n\nRuth: " + " ".join(f"t{i:03d}" for i in range(400)) + "\n"


def coded_project(url: str, folder: Path, n: int = 20):  # noqa: ANN201 - a Store
    (folder / "P01.txt").write_text(TEXT, encoding="utf-8")
    store, _ = init_project(url)
    import_transcripts(store, [folder / "P01.txt"])
    add_coders(store, ["ana"])
    session = CodingSession(store, "ana")
    for i in range(n):
        at = TEXT.index(f"t{i:03d}")
        session.add_coding("P01", at, at + 4, label=f"code {i % 3}", memo=f"memo {i}")
    return store


def summary(store) -> list[tuple]:  # noqa: ANN001
    return [(c.coder, c.code, c.transcript, c.start, c.end, c.quote, c.memo) for c in codings(store)]


def test_sqlite_backup_is_a_complete_project(sqlite_url: str, tmp_path: Path) -> None:
    store = coded_project(sqlite_url, tmp_path)
    dest = tmp_path / "copy.db"
    assert backup_project(store, dest) == "sqlite online backup"
    with sqlite3.connect(dest) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one self-contained file
    copy = open_project(f"sqlite:///{dest}")
    assert summary(copy) == summary(store)
    copy.close()
    store.close()
    assert not dest.with_name("copy.db.partial").exists()


def test_backup_while_another_process_writes(sqlite_url: str, tmp_path: Path) -> None:
    """The online backup is a consistent snapshot even while a coder keeps committing."""
    store = coded_project(sqlite_url, tmp_path, n=5)
    writer = subprocess.Popen([sys.executable, "-c", (
        "import sys\n"
        "from codebench.services.project import open_project\n"
        "from codebench.services.coding_session import CodingSession\n"
        "store = open_project(sys.argv[1]); s = CodingSession(store, 'ana')\n"
        "text = s.document('P01').text\n"
        "for i in range(5, 400):\n"
        "    at = text.index(f't{i:03d}'); s.add_coding('P01', at, at + 4, label='late')\n"
    ), sqlite_url], stderr=subprocess.PIPE, text=True)
    copies = []
    for k in range(5):
        dest = tmp_path / f"during-{k}.db"
        backup_project(store, dest)
        copies.append(dest)
    _, stderr = writer.communicate(timeout=120)
    assert writer.returncode == 0, stderr
    for dest in copies:
        with sqlite3.connect(dest) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            quotes = [q for (q,) in conn.execute("SELECT quote FROM codings ORDER BY start")]
        assert quotes == [f"t{i:03d}" for i in range(len(quotes))]  # a prefix of the stream: no gaps
    store.close()


def test_backup_refuses_to_overwrite_and_needs_a_folder(sqlite_url: str, tmp_path: Path) -> None:
    store = coded_project(sqlite_url, tmp_path, n=1)
    dest = tmp_path / "taken.db"
    dest.write_bytes(b"precious")
    with pytest.raises(ConflictError, match="exists already"):
        backup_project(store, dest)
    assert dest.read_bytes() == b"precious"
    with pytest.raises(InputError, match="no such folder"):
        backup_project(store, tmp_path / "missing" / "x.db")
    store.close()


def test_cli_backup(cli, tmp_path: Path) -> None:  # noqa: ANN001
    cli("init")
    cli("coder", "add", "ana")
    dest = tmp_path / "b.db"
    assert "backed up the project to" in cli("backup", str(dest)).stdout
    again = cli("backup", str(dest), ok=False)
    assert again.exit_code == 2 and "exists already" in again.stderr
    assert "ana" in cli("coder", "list", "--db", f"sqlite:///{dest}").stdout


def test_postgres_backup_with_pg_dump(pg_url: str, tmp_path: Path) -> None:
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("pg_dump/pg_restore not installed")
    store = coded_project(pg_url, tmp_path)
    dest = tmp_path / "study.dump"
    assert backup_project(store, dest).startswith("pg_dump")
    listing = subprocess.run(["pg_restore", "--list", str(dest)], capture_output=True, text=True, check=True).stdout
    assert "TABLE DATA public codings" in listing and "TABLE DATA public alembic_version" in listing
    store.close()


def test_postgres_backup_without_pg_dump_says_what_to_run(pg_url: str, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    store, _ = init_project(pg_url)
    monkeypatch.setattr(store_backup.shutil, "which", lambda name: None)
    with pytest.raises(InputError, match="pg_dump is not installed; back up the server with: pg_dump --format=custom"):
        backup_project(store, tmp_path / "x.dump")
    assert not (tmp_path / "x.dump").exists()
    store.close()


def test_pg_dump_failure_is_one_clear_line(pg_url: str, tmp_path: Path) -> None:
    if shutil.which("pg_dump") is None:
        pytest.skip("pg_dump not installed")
    store, _ = init_project(pg_url)
    broken = store_backup.libpq_url(pg_url).rsplit("/", 1)[0] + "/no_such_database_here"
    with pytest.raises(InputError, match="pg_dump failed: .*no_such_database_here"):
        store_backup.backup_postgres(broken, tmp_path / "x.dump")
    assert not list(tmp_path.glob("x.dump*"))
    store.close()
