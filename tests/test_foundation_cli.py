"""The foundation through the CLI: init, coders, import, attributes, codings in and out, status."""

from __future__ import annotations

import csv
import json
import re
import shutil
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from codebench.store import models as m
from codebench.store.repo_base import driver_value
from tests.conftest import Cli

STUDY = Path(__file__).parent / "fixtures" / "study"


def counts(url: str) -> dict[str, int]:
    """Rows per table: used to prove that a failed action changed nothing."""
    engine = create_engine(url)
    with engine.connect() as conn:
        out = {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
               for t in m.Base.metadata.sorted_tables}
    engine.dispose()
    return out


@pytest.fixture
def project(cli: Cli) -> Cli:
    cli("init")
    cli("coder", "add", "ana", "ben")
    cli("import", STUDY / "T01.txt", STUDY / "T02.txt")
    return cli


def test_init_is_idempotent_and_reports(cli: Cli) -> None:
    assert "created project" in cli("init").stdout
    assert "already a project" in cli("init").stdout


def test_commands_refuse_a_missing_project(cli: Cli) -> None:
    result = cli("coder", "list", ok=False)
    assert result.exit_code == 2
    assert "codebench init" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_coders_add_and_list(project: Cli) -> None:
    assert "already exists" in project("coder", "add", "ana").stdout
    listed = json.loads(project("coder", "list", "--format", "json").stdout)
    assert listed == [{"coder": "ana"}, {"coder": "ben"}]


def test_import_again_is_a_noop_that_says_so(project: Cli) -> None:
    before = counts(project.url)
    result = project("import", STUDY / "T01.txt")
    assert "already imported" in result.stdout
    assert counts(project.url) == before


def test_same_name_other_content_needs_replace(project: Cli, tmp_path: Path) -> None:
    other = tmp_path / "T01.txt"
    other.write_text("Interviewer: A different interview.\n\nMara: Entirely new words here.\n")
    before = counts(project.url)
    result = project("import", other, ok=False)
    assert result.exit_code == 2 and "--replace" in result.stderr
    assert counts(project.url) == before
    assert "replaced" in project("import", other, "--replace").stdout


def test_replace_refused_once_codings_exist(project: Cli, tmp_path: Path) -> None:
    project("codings", "import", STUDY / "codings.csv")
    other = tmp_path / "T01.txt"
    other.write_text("Interviewer: Changed.\n\nMara: Changed too.\n")
    result = project("import", other, "--replace", ok=False)
    assert result.exit_code == 2 and "codings" in result.stderr


def test_name_option_and_folder_import(cli: Cli, tmp_path: Path) -> None:
    cli("init")
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(STUDY / "T01.txt", folder / "a.txt")
    (folder / "notes.json").write_text("{}")  # not a transcript: skipped inside a folder
    cli("import", folder)
    cli("import", STUDY / "T02.txt", "--name", "second")
    names = [r["transcript"] for r in json.loads(cli("transcript", "list", "-f", "json").stdout)]
    assert names == ["a", "second"]


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "empty"), (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary")],
)
def test_bad_file_is_refused_and_nothing_is_stored(project: Cli, tmp_path: Path, content: bytes,
                                                   message: str) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    good = tmp_path / "fine.txt"
    good.write_text("Interviewer: Hello.\n\nMara: Hi.\n")
    before = counts(project.url)
    result = project("import", good, bad, ok=False)
    assert result.exit_code == 2
    assert message in result.stderr and "bad.txt" in result.stderr
    assert counts(project.url) == before  # the good file of the failing command is not stored either


def test_attributes_import_and_transcript_list(project: Cli, tmp_path: Path) -> None:
    attrs = tmp_path / "participants.csv"
    attrs.write_text("transcript,field,years_experience\nT01,academia,3\nT02,industry,11\n")
    project("attributes", "import", attrs)
    rows = json.loads(project("transcript", "list", "--format", "json").stdout)
    assert [(r["transcript"], r["field"], r["years_experience"]) for r in rows] == [
        ("T01", "academia", "3"), ("T02", "industry", "11")]
    table = project("transcript", "list").stdout
    assert "academia" in table and "industry" in table


def test_attributes_with_unknown_transcript_are_refused(project: Cli, tmp_path: Path) -> None:
    attrs = tmp_path / "participants.csv"
    attrs.write_text("transcript,field\nT01,academia\nT99,industry\n")
    before = counts(project.url)
    result = project("attributes", "import", attrs, ok=False)
    assert result.exit_code == 2 and "row 3" in result.stderr and "T99" in result.stderr
    assert counts(project.url) == before


def test_attributes_need_transcript_first(project: Cli, tmp_path: Path) -> None:
    attrs = tmp_path / "p.csv"
    attrs.write_text("field,transcript\nacademia,T01\n")
    assert project("attributes", "import", attrs, ok=False).exit_code == 2


def test_codings_import_locates_quotes_and_is_idempotent(project: Cli) -> None:
    first = project("codings", "import", STUDY / "codings.csv").stdout
    assert "9 codings stored" in first
    again = project("codings", "import", STUDY / "codings.csv").stdout
    assert "0 codings stored" in again and "9 already present" in again
    engine = create_engine(project.url)
    with engine.connect() as conn:
        rows = conn.execute(select(m.Coding.start, m.Coding.end, m.Coding.quote, m.Transcript.text)
                            .join(m.Transcript, m.Transcript.id == m.Coding.transcript_id)).all()
        labels = set(conn.scalars(select(m.Code.label)))
    engine.dispose()
    assert len(rows) == 9
    assert all(text[s:e] == quote for s, e, quote, text in rows)
    assert {"manual tuning", "hand tuning", "BO", "compute budget"} <= labels
    assert_times_stored_as_sqlalchemy_stores_them(project.url)


def assert_times_stored_as_sqlalchemy_stores_them(url: str) -> None:
    """Bulk-inserted codings carry a created_at in the text form SQLAlchemy writes (even at .000000)."""
    engine = create_engine(url)
    with engine.connect() as conn:
        bulk = conn.exec_driver_sql("SELECT created_at FROM codings").scalars().all()
        on_the_second = driver_value(conn, m.Coding.__table__.c.created_at, datetime(2026, 1, 2, 3, 4, 5))
        read_back = conn.scalars(select(m.Coding.created_at)).all()
    engine.dispose()
    assert on_the_second == "2026-01-02 03:04:05.000000"
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}", value) for value in bulk)
    assert all(isinstance(value, datetime) for value in read_back)


def test_codes_are_unique_per_coder_case_insensitively(project: Cli, tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("transcript,coder,code,quote\nT01,ana,Random Search,I start by hand\n"
                    "T02,ana,random  search,We tried Bayesian optimisation\n")
    project("codings", "import", path)
    engine = create_engine(project.url)
    with engine.connect() as conn:
        labels = conn.scalars(select(m.Code.label)).all()
    engine.dispose()
    assert labels == ["Random Search"]


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "codings.csv"
    path.write_text(body, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("T01,ana,x,this sentence is nowhere in the transcript at all,,", "quote not found"),
        ("T09,ana,x,I start by hand,,", "unknown transcript"),
        ("T01,zoe,x,I start by hand,,", "unknown coder"),
        ("T01,ana,,I start by hand,,", "code"),
        ("T01,ana,x,I start by hand,5,99999", "outside the text"),
        ("T01,ana,x,I start by hand,0,15", "does not match"),
        ("T01,ana,x,I start by hand,abc,15", "start"),
        ("T01,ana,x,I start by hand,5,", "both start and end"),
    ],
)
def test_bad_coding_rows_abort_the_file(project: Cli, tmp_path: Path, row: str, reason: str) -> None:
    good = "T02,ben,BO,We tried Bayesian optimisation,,"
    path = _write(tmp_path, f"transcript,coder,code,quote,start,end\n{good}\n{row}\n")
    before = counts(project.url)
    result = project("codings", "import", path, ok=False)
    assert result.exit_code == 2
    assert "row 3" in result.stderr and reason in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert counts(project.url) == before


def test_skip_bad_stores_the_good_rows(project: Cli, tmp_path: Path) -> None:
    path = _write(tmp_path, "transcript,coder,code,quote\nT01,ana,x,I start by hand\nT01,ana,y,not in the text\n")
    result = project("codings", "import", path, "--skip-bad")
    assert "1 codings stored" in result.stdout
    assert "row 3" in result.stderr


def test_unknown_coders_are_added_on_request(project: Cli, tmp_path: Path) -> None:
    path = _write(tmp_path, "transcript,coder,code,quote\nT01,zoe,hands-on,I start by hand\n")
    project("codings", "import", path, "--add-coders")
    assert {"coder": "zoe"} in json.loads(project("coder", "list", "-f", "json").stdout)


def test_offsets_and_fuzzy_location(project: Cli, tmp_path: Path) -> None:
    engine = create_engine(project.url)
    with engine.connect() as conn:
        text = conn.scalar(select(m.Transcript.text).where(m.Transcript.name == "T01"))
    engine.dispose()
    start = text.index("I change the learning rate")
    path = _write(tmp_path, "transcript,coder,code,quote,start,end\n"
                  f"T01,ana,offsets,I change  the learning rate,{start},{start + 26}\n"
                  "T01,ana,typo,Grid serach wastes too many GPU hours on our cluster,,\n")
    result = project("codings", "import", path).stdout
    assert "fuzzy 1" in result and "offsets 1" in result


def test_export_then_import_into_a_fresh_project_reproduces_codings(project: Cli, tmp_path: Path) -> None:
    project("codings", "import", STUDY / "codings.csv")
    out = tmp_path / "export.csv"
    project("codings", "export", out)
    fresh = Cli(f"sqlite:///{tmp_path / 'fresh.db'}")
    fresh("init")
    fresh("import", STUDY / "T01.txt", STUDY / "T02.txt")
    fresh("codings", "import", out, "--add-coders")
    again = tmp_path / "again.csv"
    fresh("codings", "export", again)
    assert out.read_text(encoding="utf-8") == again.read_text(encoding="utf-8")
    with out.open(encoding="utf-8") as f:
        header = next(csv.reader(f))
    assert header == ["transcript", "coder", "code", "quote", "start", "end", "memo"]
    only_ana = tmp_path / "ana.csv"
    project("codings", "export", only_ana, "--coder", "ana")
    with only_ana.open(encoding="utf-8") as f:
        assert {r["coder"] for r in csv.DictReader(f)} == {"ana"}


def test_status_table_and_json(project: Cli) -> None:
    project("codings", "import", STUDY / "codings.csv")
    cells = json.loads(project("status", "--format", "json").stdout)
    assert {"transcript": "T01", "coder": "ana", "status": "in progress", "codings": 3} in cells
    assert len(cells) == 4
    assert "in progress" in project("status").stdout
    csv_out = project("status", "--format", "csv").stdout.splitlines()
    assert csv_out[0] == "transcript,coder,status,codings"
