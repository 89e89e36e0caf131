"""REFI-QDA exchange through the CLI: schema-valid exports, qdpx round trip, imports of other tools'
files and their quirks, hostile files refused with nothing stored."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from _exports_study import TRICKY_CODE, TRICKY_DEFINITION, build_study
from conftest import Cli
from lxml import etree

from tests.conftest import SHARED
from codebench.domain.refi import QdaCode, QdaProject, QdaSelection, QdaSource, QdaUser, read_qdc, write_qdpx
from codebench.services.interop import IMPORT_CODER
from codebench.store.store import Store

SCHEMAS = SHARED / "refi-qda"
SAMPLES = SCHEMAS / "samples"
FIXTURES = Path(__file__).parent / "fixtures" / "refi"
TRANSCRIPT = Path(__file__).parent / "fixtures" / "study" / "T01.txt"
USER_GUID = "6d3a3b52-7c1f-4a39-9d4e-0f6c5a3c2b11"
SOURCE_GUID = "a3c1e1d2-5b6f-4e4f-8a0b-1c2d3e4f5a6b"
CODE_GUID = "0e4a7c1b-2d3f-4a5b-8c6d-7e8f9a0b1c2d"


@pytest.fixture
def study(cli: Cli, tmp_path: Path) -> Cli:
    build_study(cli, tmp_path)
    return cli


def _schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / name)))


def _snapshot(url: str) -> tuple:
    """Everything an import could change: transcripts, coders, codes with memos, codings with memos."""
    store = Store.open(url)
    try:
        return store.read(lambda tx: (
            sorted((t.name, t.content_hash, t.turns) for t in tx.transcripts()),
            [c.name for c in tx.coders()],
            sorted((c.coder, c.label, c.memo or "") for c in tx.codes()),
            sorted((c.coder, c.code, c.transcript, c.start, c.end, c.quote, c.memo or "") for c in tx.codings()),
        ))
    finally:
        store.close()


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_qdc_export_is_schema_valid_and_holds_the_codebook(study: Cli, tmp_path: Path) -> None:
    study("export", "qdc", tmp_path / "codebook.qdc")
    data = (tmp_path / "codebook.qdc").read_bytes()
    schema = _schema("Codebook.xsd")
    assert schema.validate(etree.fromstring(data)), schema.error_log
    tree = {c.name: c for c in read_qdc(data).codes}
    assert set(tree) == {"methods", "contextual factors"}
    resources = tree["contextual factors"].children[0]
    assert resources.name == "resources" and not resources.is_codable
    (code,) = resources.children
    assert (code.name, code.description, code.is_codable) == (TRICKY_CODE, TRICKY_DEFINITION, True)
    assert {c.name for c in tree["methods"].children[0].children} == {"random search", "Bayesian optimisation"}


def test_qdpx_export_is_schema_valid(study: Cli, tmp_path: Path) -> None:
    study("export", "qdpx", tmp_path / "study.qdpx")
    with zipfile.ZipFile(tmp_path / "study.qdpx") as archive:
        xml = archive.read("project.qde")
        texts = [n for n in archive.namelist() if n.startswith("sources/")]
    schema = _schema("Project.xsd")
    assert schema.validate(etree.fromstring(xml)), schema.error_log
    assert len(texts) == 2


def test_qdpx_round_trip_keeps_transcripts_coders_codes_and_spans(study: Cli, tmp_path: Path) -> None:
    store = Store.open(study.url)
    store.write(lambda tx: tx.set_code_memo("ben", tx.code_id("ben", "hand tuning"), "by feel,\n=no search"))
    store.close()
    study("export", "qdpx", tmp_path / "study.qdpx")
    fresh = Cli(f"sqlite:///{tmp_path / 'fresh.db'}")
    fresh("init")
    result = fresh("import", "qdpx", tmp_path / "study.qdpx")
    assert "12 codings stored" in result.stdout
    assert _snapshot(fresh.url) == _snapshot(study.url)
    again = fresh("import", "qdpx", tmp_path / "study.qdpx")
    assert "0 codings stored, 12 already present" in again.stdout
    assert _snapshot(fresh.url) == _snapshot(study.url)


def test_transcript_import_still_works_next_to_refi_import(cli: Cli, tmp_path: Path) -> None:
    cli("init")
    assert "T01: imported" in cli("import", TRANSCRIPT).stdout
    result = cli("import", "qdc", TRANSCRIPT, ok=False)
    assert result.exit_code == 2 and "malformed XML" in result.stderr


def test_qdc_from_another_tool_goes_to_the_import_coder(cli: Cli) -> None:
    cli("init")
    result = cli("import", "qdc", FIXTURES / "ns04_sets.qdc")
    assert "non-standard namespace" in result.stderr
    assert f"new coders: {IMPORT_CODER}" in result.stdout
    _, coders, codes, codings = _snapshot(cli.url)
    assert coders == [IMPORT_CODER] and codes and not codings


def test_sources_without_text_are_reported_not_silently_dropped(cli: Cli, tmp_path: Path) -> None:
    cli("init")
    (tmp_path / "nested.qdpx").write_bytes(_zip({"project.qde": (FIXTURES / "one_line_nested.qde").read_bytes()}))
    result = cli("import", "qdpx", tmp_path / "nested.qdpx")
    assert "no text in the file" in result.stderr
    assert "codings on sources without text skipped" in result.stderr
    transcripts, _, _, codings = _snapshot(cli.url)
    assert transcripts == [] and codings == []


def test_crlf_and_nfc_text_is_normalised_and_offsets_follow(cli: Cli, tmp_path: Path) -> None:
    raw = "Ana: we used a grid in the cafe\u0301\r\n\r\nBo: then random search\r\n"
    start = raw.index("random search")
    user, source, code = (QdaUser(USER_GUID, "zoe"), QdaSource(SOURCE_GUID, "crlf interview", raw),
                          QdaCode(CODE_GUID, "random"))
    selection = QdaSelection("", SOURCE_GUID, start, start + len("random search"), CODE_GUID, USER_GUID)
    project = QdaProject(name="crlf", users=(user,), codes=(code,), sources=(source,), selections=(selection,))
    write_qdpx(project, tmp_path / "crlf.qdpx")
    cli("init")
    cli("import", "qdpx", tmp_path / "crlf.qdpx")
    transcripts, coders, _, codings = _snapshot(cli.url)
    assert coders == ["zoe"] and transcripts[0][2] == 2  # two speaker turns
    ((_, code, name, s, e, quote, _),) = codings
    assert (code, name, quote) == ("random", "crlf interview", "random search")
    assert (s, e) == (start - 3, start - 3 + 13)  # an accent composed and two CRs removed before it


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ({"project.qde": (FIXTURES / "billion_laughs.qde").read_bytes()}, "document type declaration"),
        ({"project.qde": (FIXTURES / "external_entity.qde").read_bytes()}, "document type declaration"),
        ({"project.qde": (FIXTURES / "malformed.qde").read_bytes()}, "malformed XML"),
        ({"project.qde": (FIXTURES / "capital_project.qde").read_bytes(), "../evil.txt": b"x"}, "'..'"),
        ({"notes.txt": b"no project here"}, "no project.qde"),
    ],
)
def test_hostile_qdpx_is_one_error_line_and_stores_nothing(study: Cli, tmp_path: Path,
                                                           members: dict[str, bytes], message: str) -> None:
    before = _snapshot(study.url)
    (tmp_path / "evil.qdpx").write_bytes(_zip(members))
    result = study("import", "qdpx", tmp_path / "evil.qdpx", ok=False)
    assert result.exit_code == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert _snapshot(study.url) == before


def test_not_a_zip_and_missing_file_are_refused(study: Cli, tmp_path: Path) -> None:
    (tmp_path / "plain.qdpx").write_text("hello")
    for path in (tmp_path / "plain.qdpx", tmp_path / "missing.qdpx"):
        result = study("import", "qdpx", path, ok=False)
        assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1


def test_clash_with_an_existing_transcript_stores_nothing(study: Cli, tmp_path: Path) -> None:
    project = QdaProject(name="clash", codes=(QdaCode("", "x"),),
                         sources=(QdaSource(SOURCE_GUID, "T01", "other text"),))
    write_qdpx(project, tmp_path / "clash.qdpx")
    before = _snapshot(study.url)
    result = study("import", "qdpx", tmp_path / "clash.qdpx", ok=False)
    assert result.exit_code == 2 and "'T01'" in result.stderr
    assert _snapshot(study.url) == before


_SAMPLE_FILES = sorted(p for pattern in ("*.qdpx", "*.qdc") for p in SAMPLES.glob(pattern))


@pytest.mark.parametrize(
    "sample",
    _SAMPLE_FILES or [pytest.param(None, marks=pytest.mark.skip(reason=f"no *.qdpx/*.qdc files in {SAMPLES}"))],
)
def test_real_sample_imports(cli: Cli, sample: Path) -> None:
    cli("init")
    result = cli("import", sample.suffix.lstrip("."), sample)
    assert "codings stored" in result.stdout
