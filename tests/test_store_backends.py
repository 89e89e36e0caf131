"""The same store, services and CLI basics on a SQLite file and on a PostgreSQL database."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from codebench.domain.errors import ConflictError, NotFoundError
from codebench.services import codings as codings_service
from codebench.services.coders import add_coders, list_coders
from codebench.services.project import init_project, open_project
from codebench.services.transcripts import import_attributes, import_transcripts, list_transcripts

P01 = "Interviewer: Which method did you use?\n\nNoor: Grid search over two values, nothing fancy.\n"
P02 = "Interviewer: Why that one?\n\nJonas: Our team lead wanted results we could explain.\n"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "P01.txt").write_text(P01, encoding="utf-8")
    (tmp_path / "P02.txt").write_text(P02, encoding="utf-8")
    (tmp_path / "people.csv").write_text("transcript,field,years\nP01,physics,3\nP02,retail,12\n", encoding="utf-8")
    (tmp_path / "codings.csv").write_text(
        "transcript,coder,code,quote,memo\n"
        "P01,ana,grid search,Grid search over two values,simple\n"
        "P02,ana,explainability,results we could explain,\n"
        "P02,ben,lead decides,Our team lead wanted,boss\n", encoding="utf-8")
    return tmp_path


def test_services_round_trip(db_url: str, folder: Path, tmp_path: Path) -> None:
    store, created = init_project(db_url)
    assert created
    assert [n for n, added in add_coders(store, ["ana", "ben", "ana"])] == ["ana", "ben", "ana"]
    assert [c.name for c in list_coders(store)] == ["ana", "ben"]
    outcomes = import_transcripts(store, [folder])
    assert [(o.name, o.status, o.turns) for o in outcomes] == [("P01", "imported", 2), ("P02", "imported", 2)]
    assert [o.status for o in import_transcripts(store, [folder / "P01.txt"])] == ["unchanged"]
    assert import_attributes(store, folder / "people.csv") == 2
    infos = list_transcripts(store)
    assert [(t.name, t.attributes) for t in infos] == [("P01", {"field": "physics", "years": "3"}),
                                                      ("P02", {"field": "retail", "years": "12"})]
    assert infos[0].length == len(P01)

    first = codings_service.import_codings(store, folder / "codings.csv")
    assert (first.stored, first.duplicates) == (3, 0)
    again = codings_service.import_codings(store, folder / "codings.csv")
    assert (again.stored, again.duplicates) == (0, 3)
    exported = tmp_path / "out.csv"
    assert codings_service.export_codings(store, exported) == 3
    original = codings_service.codings(store)
    store.close()

    store, _ = init_project(f"sqlite:///{tmp_path / 'fresh.db'}")  # export from either backend, import anew
    import_transcripts(store, [folder])
    codings_service.import_codings(store, exported, add_coders=True)
    again = codings_service.codings(store)
    strip = [(c.coder, c.code, c.transcript, c.start, c.end, c.quote, c.memo) for c in original]
    assert [(c.coder, c.code, c.transcript, c.start, c.end, c.quote, c.memo) for c in again] == strip
    store.close()


def test_typed_errors_on_both_backends(db_url: str, folder: Path) -> None:
    store, _ = init_project(db_url)
    import_transcripts(store, [folder / "P01.txt"])
    (folder / "P01.txt").write_text(P02, encoding="utf-8")
    with pytest.raises(ConflictError, match="other content"):
        import_transcripts(store, [folder / "P01.txt"])
    with pytest.raises(NotFoundError, match="unknown coder"):
        store.read(lambda tx: tx.codings(coder="nobody"))
    assert [t.name for t in list_transcripts(store)] == ["P01"]
    store.close()


def test_cli_basics(any_cli, folder: Path) -> None:  # noqa: ANN001
    assert "created project" in any_cli("init").stdout
    assert "already a project" in any_cli("init").stdout
    any_cli("coder", "add", "ana", "ben")
    assert json.loads(any_cli("coder", "list", "--format", "json").stdout) == [{"coder": "ana"}, {"coder": "ben"}]
    assert "P02: imported, 2 turns" in any_cli("import", str(folder)).stdout
    any_cli("attributes", "import", str(folder / "people.csv"))
    listing = list(csv.DictReader(any_cli("transcript", "list", "--format", "csv").stdout.splitlines()))
    assert [(r["transcript"], r["field"]) for r in listing] == [("P01", "physics"), ("P02", "retail")]
    assert "3 codings stored" in any_cli("codings", "import", str(folder / "codings.csv")).stdout
    cells = json.loads(any_cli("status", "--format", "json").stdout)
    assert {(c["transcript"], c["coder"], c["status"], c["codings"]) for c in cells} == {
        ("P01", "ana", "in progress", 1), ("P01", "ben", "not started", 0),
        ("P02", "ana", "in progress", 1), ("P02", "ben", "in progress", 1)}
    out = folder / "ana.csv"
    any_cli("codings", "export", str(out), "--coder", "ana")
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [(r["code"], P01[int(r["start"]):int(r["end"])] if r["transcript"] == "P01" else r["quote"])
            for r in rows] == [("grid search", "Grid search over two values"),
                               ("explainability", "results we could explain")]
    bad = any_cli("codings", "import", str(folder / "people.csv"), ok=False)
    assert bad.exit_code == 2 and "missing column(s): coder, code, quote" in bad.stderr
