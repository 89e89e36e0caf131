"""Every hostile or malformed input of docs/reliability.md, one real `python -m codebench` process per row.

Each row checks the exact message and exit code, and that the project is unchanged afterwards
(except the rows where the input is accepted).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import docx
import pytest

from codebench.services.coders import add_coders
from codebench.services.project import init_project
from codebench.services.transcripts import import_transcripts

REPO = Path(__file__).resolve().parent.parent
DOC = REPO / "docs" / "reliability.md"
OK = "Interviewer: How did you tune it?\n\nMara: Random search, then a little by hand.\n"

# Runs codebench under the limits named in the environment: a file-size limit (a full disk)
# and short lock waits (a database locked for longer than a user would wait).
TIGHT = """
import os, resource, signal, sys
if "CB_FSIZE" in os.environ:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    limit = int(os.environ["CB_FSIZE"])
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
if "CB_BUSY_MS" in os.environ:
    import codebench.store.engine, codebench.store.store
    codebench.store.engine.BUSY_TIMEOUT_MS = int(os.environ["CB_BUSY_MS"])
    codebench.store.store.RETRY_ATTEMPTS = 2
from codebench.cli.app import main
sys.argv = ["codebench", *sys.argv[1:]]
main()
"""


def text(name: str, content: str | bytes) -> Callable[[Path], None]:
    def make(folder: Path) -> None:
        data = content.encode("utf-8") if isinstance(content, str) else content
        (folder / name).write_bytes(data)
    return make


def word_file(folder: Path) -> bytes:
    document = docx.Document()
    document.add_paragraph("Interviewer: And then?")
    document.add_paragraph("Mara: Then we stopped tuning.")
    document.save(folder / "whole.docx")
    return (folder / "whole.docx").read_bytes()


def truncated_docx(folder: Path) -> None:
    data = word_file(folder)
    (folder / "whole.docx").unlink()
    (folder / "cut.docx").write_bytes(data[: len(data) // 2])


def zip_not_word(folder: Path) -> None:
    with zipfile.ZipFile(folder / "fake.docx", "w") as archive:
        archive.writestr("notes.txt", "not a Word document")


BOMB = ('<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>\n'
        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0">&lol2;</CodeBook>\n')


def zip_slip(folder: Path) -> None:
    with zipfile.ZipFile(folder / "slip.qdpx", "w") as archive:
        archive.writestr("../../evil.txt", "outside the project")
        archive.writestr("project.qde", "<Project/>")


def huge(folder: Path) -> None:
    with open(folder / "huge.txt", "wb") as fh:
        fh.truncate(51 * 1024 * 1024)


def newer_schema(folder: Path) -> None:
    with sqlite3.connect(folder / "p.db") as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_future'")


def foreign_tables(folder: Path) -> None:
    with sqlite3.connect(folder / "other.db") as conn:
        conn.execute("CREATE TABLE notes (body TEXT)")


def read_only(folder: Path) -> None:
    path = folder / "p.db"
    if os.geteuid() != 0:
        path.chmod(0o444)
        return
    done = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot make a file read-only for root here (chattr: {done.stderr.strip()})")


@contextmanager
def write_lock(folder: Path, seconds: float | None) -> Iterator[None]:
    """Another program holds the write lock: for ``seconds``, or until the command is over."""
    conn = sqlite3.connect(folder / "p.db", isolation_level=None, check_same_thread=False)
    conn.execute("BEGIN EXCLUSIVE")
    timer = threading.Timer(seconds, conn.rollback) if seconds is not None else None
    if timer:
        timer.start()
    try:
        yield
    finally:
        if timer:
            timer.join()
        else:
            conn.rollback()
        conn.close()


@dataclass(frozen=True)
class Case:
    id: str
    args: tuple[str, ...]
    message: str
    code: int = 2
    setup: Callable[[Path], None] | None = None
    changes: bool = False  # the input is accepted, so the project changes
    env: dict[str, str] = field(default_factory=dict)
    lock: float | None | bool = False  # False: no lock; None: held throughout; seconds: released after


CSV = "transcript,coder,code,quote"
CASES = [
    Case("empty-file", ("import", "empty.txt"), "error: empty.txt: empty file", setup=text("empty.txt", b"")),
    Case("whitespace-file", ("import", "blank.md"), "error: blank.md: empty file",
         setup=text("blank.md", " \n\t\n")),
    Case("binary-file", ("import", "photo.txt"), "error: photo.txt: binary file, not a transcript",
         setup=text("photo.txt", bytes(range(256)) * 8)),
    Case("cp1252-file", ("import", "legacy.txt"),
         "warning: legacy.txt: not valid UTF-8, read as Windows-1252 (cp1252)", code=0, changes=True,
         setup=text("legacy.txt", "Interviewer: Caf\u00e9?\n\nMara: Na\u00efve tuning.\n".encode("cp1252"))),
    Case("utf16-bom-file", ("import", "wide.txt"), "wide: imported, 2 turns", code=0, changes=True,
         setup=text("wide.txt", "Interviewer: Caf\u00e9?\n\nMara: Na\u00efve tuning.\n".encode("utf-16"))),
    Case("huge-file", ("import", "huge.txt"), "error: huge.txt: file is 51 MB; transcripts over 50 MB are refused",
         setup=huge),
    Case("truncated-docx", ("import", "cut.docx"), "error: cut.docx: cannot read .docx: File is not a zip file",
         setup=truncated_docx),
    Case("zip-not-docx", ("import", "fake.docx"),
         "error: fake.docx: cannot read .docx: \"There is no item named '[Content_Types].xml' in the archive\"",
         setup=zip_not_word),
    Case("hostile-xml", ("import", "qdc", "bomb.qdc"),
         "error: bomb.qdc: refused: the XML has a document type declaration (DTD); entity expansion and external "
         "entities are not allowed", setup=text("bomb.qdc", BOMB)),
    Case("zip-slip", ("import", "qdpx", "slip.qdpx"),
         "error: slip.qdpx: refused: archive member '../../evil.txt' has an absolute path or '..'", setup=zip_slip),
    Case("unsupported-type", ("import", "slides.pdf"),
         "error: slides.pdf: not a transcript format (use .txt, .md, .docx, .vtt, .srt)",
         setup=text("slides.pdf", "%PDF-1.4")),
    Case("missing-file", ("import", "nowhere.txt"), "error: nowhere.txt: no such file or folder"),
    Case("duplicate-import", ("import", "again/ok.txt"), "ok: already imported, nothing to do", code=0,
         setup=lambda f: (f / "again").mkdir() or text("again/ok.txt", OK)(f)),
    Case("same-name-other-content", ("import", "again/ok.txt"),
         "error: again/ok.txt: a transcript named 'ok' with other content exists (use --replace)",
         setup=lambda f: (f / "again").mkdir() or text("again/ok.txt", "Mara: something else\n")(f)),
    Case("csv-wrong-field-count", ("codings", "import", "rows.csv"),
         "error: rows.csv: 1 bad row(s), nothing stored: row 3: 3 fields, header has 4",
         setup=text("rows.csv", f"{CSV}\nok,ana,random,Random search\nok,ana,hand\n")),
    Case("csv-broken-quoting", ("codings", "import", "quotes.csv"),
         "error: quotes.csv: 1 bad row(s), nothing stored: row 2: malformed CSV (unexpected end of data)",
         setup=text("quotes.csv", f'{CSV}\nok,ana,"random,Random search\n')),
    Case("csv-not-utf8", ("codings", "import", "latin.csv"),
         "error: latin.csv: 1 bad row(s), nothing stored: row 2: bytes that are not UTF-8",
         setup=text("latin.csv", f"{CSV}\nok,ana,caf\u00e9,Random search\n".encode("latin-1"))),
    Case("csv-nul-byte", ("codings", "import", "nul.csv"),
         "error: nul.csv: 1 bad row(s), nothing stored: row 2: NUL character",
         setup=text("nul.csv", f"{CSV}\nok,ana,ran\x00dom,Random search\n")),
    Case("csv-empty", ("codings", "import", "none.csv"), "error: none.csv: empty CSV: no header row",
         setup=text("none.csv", "")),
    Case("csv-missing-columns", ("codings", "import", "cols.csv"),
         "error: cols.csv: missing column(s): coder, code, quote", setup=text("cols.csv", "transcript,note\nok,x\n")),
    Case("csv-formula-cell", ("codings", "import", "formula.csv"),
         "formula.csv: 1 codings stored, 0 already present, 1 new codes, 0 bad rows skipped (exact 1)", code=0,
         changes=True, setup=text("formula.csv", f"{CSV}\nok,ana,\"'=HYPERLINK(1)\",Random search\n")),
    Case("span-out-of-range", ("codings", "import", "span.csv"),
         "error: span.csv: 1 bad row(s), nothing stored: row 2: span 9000-9010 lies outside the text (0-79)",
         setup=text("span.csv", f"{CSV},start,end\nok,ana,random,Random search,9000,9010\n")),
    Case("span-not-the-quote", ("codings", "import", "off.csv"),
         "error: off.csv: 1 bad row(s), nothing stored: row 2: text at 0-6 does not match the quote",
         setup=text("off.csv", f"{CSV},start,end\nok,ana,random,Random,0,6\n")),
    Case("span-negative", ("codings", "import", "neg.csv"),
         "error: neg.csv: 1 bad row(s), nothing stored: row 2: span -5-3 lies outside the text (0-79)",
         setup=text("neg.csv", f"{CSV},start,end\nok,ana,random,Random,-5,3\n")),
    Case("quote-not-found", ("codings", "import", "lost.csv"),
         "error: lost.csv: 1 bad row(s), nothing stored: row 2: quote not found in 'ok'",
         setup=text("lost.csv", f"{CSV}\nok,ana,zebra,a zebra crossing at midnight\n")),
    Case("unknown-coder", ("codings", "import", "who.csv"),
         "error: who.csv: 1 bad row(s), nothing stored: row 2: unknown coder 'zed' (use --add-coders)",
         setup=text("who.csv", f"{CSV}\nok,zed,random,Random search\n")),
    Case("unknown-transcript", ("codings", "import", "which.csv"),
         "error: which.csv: 1 bad row(s), nothing stored: row 2: unknown transcript 'P99'",
         setup=text("which.csv", f"{CSV}\nP99,ana,random,Random search\n")),
    Case("unknown-transcript-attributes", ("attributes", "import", "people.csv"),
         "error: people.csv: 1 bad row(s), nothing stored: row 3: unknown transcript 'P99'",
         setup=text("people.csv", "transcript,field\nok,biology\nP99,finance\n")),
    Case("unknown-coder-export", ("codings", "export", "out.csv", "--coder", "nobody"),
         "error: unknown coder 'nobody' (codebench coder add nobody)"),
    Case("unknown-code", ("harmonise", "merge", "ana:nothing", "--into", "search"),
         "error: coder 'ana' has no code 'nothing'"),
    Case("duplicate-codings-import", ("codings", "import", "twice.csv"),
         "twice.csv: 0 codings stored, 1 already present, 0 new codes, 0 bad rows skipped (exact 1)", code=0,
         setup=text("twice.csv", f"{CSV}\nok,ana,tuning,Random search\n")),
    Case("malformed-db-url", ("status", "--db", "not a url"),
         "error: not a database URL: 'not a url' (Could not parse SQLAlchemy URL from given URL string)"),
    Case("no-project", ("status", "--db", "sqlite:///missing.db"),
         "error: no project at missing.db: run `codebench init` first (or pass --db)"),
    Case("not-a-database", ("status", "--db", "sqlite:///notes.db"),
         "error: cannot open sqlite:///notes.db: file is not a database", setup=text("notes.db", "just some notes\n")),
    Case("foreign-database", ("status", "--db", "sqlite:///other.db"),
         "error: sqlite:///other.db is not a codebench project (tables without a schema version)",
         setup=foreign_tables),
    Case("newer-schema", ("status",),
         "error: sqlite:///p.db was written by a newer codebench (schema 9999_future); upgrade codebench to open it",
         setup=newer_schema),
    Case("read-only-database", ("coder", "add", "zoe"),
         "error: sqlite:///p.db: the database refused the change (attempt to write a readonly database); "
         "nothing was changed", setup=read_only),
    Case("locked-database-briefly", ("coder", "add", "zoe"), "added coder zoe", code=0, changes=True, lock=1.5),
    Case("locked-database", ("coder", "add", "zoe"),
         "error: sqlite:///p.db: the project is busy (another program holds its lock: database is locked); "
         "nothing was changed, try again", env={"CB_BUSY_MS": "300"}, lock=None),
    Case("full-disk", ("import", "long.txt"),
         "error: sqlite:///p.db: the database refused the change (disk I/O error); nothing was changed",
         env={"CB_FSIZE": str(400_000)},
         setup=text("long.txt", "Interviewer: Tell me more.\n\nMara: " + "tuning takes time " * 60_000 + "\n")),
]


def project_fingerprint(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return list(conn.iterdump())


@pytest.fixture
def project_dir(tmp_path: Path) -> Iterator[Path]:
    (tmp_path / "ok.txt").write_text(OK, encoding="utf-8")
    store, _ = init_project(f"sqlite:///{tmp_path / 'p.db'}")
    add_coders(store, ["ana"])
    import_transcripts(store, [tmp_path / "ok.txt"])
    store.write(lambda tx: tx.add_coding("ana", "ok", tx.add_missing_codes(tx.coder_ids()["ana"], ["tuning"])[0]["tuning"],
                                         OK.index("Random search"), OK.index("Random search") + 13, "Random search"))
    store.close()
    yield tmp_path
    if os.geteuid() == 0:
        subprocess.run(["chattr", "-i", str(tmp_path / "p.db")], capture_output=True, check=False)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_input(case: Case, project_dir: Path) -> None:
    if case.setup:
        case.setup(project_dir)
    before = project_fingerprint(project_dir / "p.db")
    script = project_dir / "tight.py"
    script.write_text(TIGHT, encoding="utf-8")
    entry = [str(script)] if case.env else ["-m", "codebench"]
    env = {**os.environ, "CODEBENCH_DB": "sqlite:///p.db", "COLUMNS": "300", **case.env}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    lock = nullcontext() if case.lock is False else write_lock(project_dir, case.lock)
    with lock:
        done = subprocess.run([sys.executable, *entry, *case.args], cwd=project_dir, env=env, capture_output=True,
                              text=True, timeout=120, check=False)
    output = done.stderr if case.code else done.stdout + done.stderr
    assert done.returncode == case.code, output
    assert case.message in output.splitlines(), output
    assert "Traceback" not in done.stderr
    if not case.changes:
        assert project_fingerprint(project_dir / "p.db") == before


def test_every_row_is_in_the_reliability_table() -> None:
    table = DOC.read_text(encoding="utf-8")
    for case in CASES:
        assert f"`{case.id}`" in table, case.id
        assert case.message.replace("|", "\\|") in table, case.id
