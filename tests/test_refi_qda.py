"""REFI-QDA reading and writing: schema validity, round trips, exporter quirks, hostile files."""

from __future__ import annotations

import io
import struct
import subprocess
import sys
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from tests.conftest import SHARED as SHARED_DIR
from codebench.domain.errors import InputError
from codebench.domain.refi import (
    QdaCode,
    QdaNote,
    QdaProject,
    QdaSelection,
    QdaSource,
    QdaUser,
    is_guid,
    read_qdc,
    read_qde,
    read_qdpx,
    stable_guid,
    walk_codes,
    write_qdc,
    write_qdpx,
)
from codebench.domain.refi.safety import SafeArchive

SHARED = SHARED_DIR / "refi-qda"
SAMPLES = SHARED / "samples"
FIXTURES = Path(__file__).parent / "fixtures" / "refi"


@pytest.fixture(scope="module")
def codebook_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SHARED / "Codebook.xsd")))


@pytest.fixture(scope="module")
def project_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SHARED / "Project.xsd")))


def _assert_valid(schema: etree.XMLSchema, data: bytes) -> None:
    doc = etree.fromstring(data)
    assert schema.validate(doc), schema.error_log


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buf.getvalue()


# ---------------------------------------------------------------- a project to export

ANA, BEN = stable_guid("user", "Ana Costa"), stable_guid("user", "Ben Okafor")
TEXT_1 = "Interviewer: How do you get to work?\r\nAna: By bike, unless it rains — then the tram.\n"
TEXT_2 = "Ben: Le café d'abord, toujours. 😊 Then emails."


def _code(name: str, description: str | None = None, **kw: object) -> QdaCode:
    return QdaCode(stable_guid("code", name), name, description, **kw)  # type: ignore[arg-type]


def _project() -> QdaProject:
    tram = _code("Tram")
    travel = _code(
        "Travel",
        "How people get around.\nIncludes weather remarks.",
        color="#1F77B4",
        is_codable=False,
        children=(_code("Cycling", "Any bike use"), _code("Public transport", children=(tram,))),
    )
    routine = _code('Morning <routine> & "coffee"')
    sources = (
        QdaSource(guid=stable_guid("source", "s1"), name="Interview Ana", text=TEXT_1),
        QdaSource(guid=stable_guid("source", "s2"), name="Interview Ben", text=TEXT_2),
    )
    when = datetime(2024, 3, 1, 10, 30, tzinfo=timezone.utc)
    s1, s2 = sources[0].guid, sources[1].guid
    selections = (
        QdaSelection(stable_guid("sel", "1"), s1, 43, 51, stable_guid("code", "Cycling"), ANA, when, "Clear."),
        QdaSelection(stable_guid("sel", "2"), s1, 75, 83, tram.guid, BEN, None, None),
        QdaSelection(stable_guid("sel", "3"), s1, 43, 83, travel.guid, BEN),
        QdaSelection(stable_guid("sel", "4"), s2, 5, 31, routine.guid, ANA),
        QdaSelection(stable_guid("sel", "5"), s2, 0, len(TEXT_2), routine.guid, BEN),
    )
    notes = (
        QdaNote(stable_guid("note", "1"), "Weather drives the choice.", (travel.guid, selections[1].guid)),
        QdaNote(stable_guid("note", "2"), "Second interview round planned.", ()),
        QdaNote(stable_guid("note", "3"), "Short interview.", (s2,), name="Ben memo"),
    )
    return QdaProject(
        name="Commuting study",
        users=(QdaUser(ANA, "Ana Costa"), QdaUser(BEN, "Ben Okafor")),
        codes=(travel, routine),
        sources=sources,
        selections=selections,
        notes=notes,
    )


def _written(project: QdaProject) -> bytes:
    buf = io.BytesIO()
    write_qdpx(project, buf)
    return buf.getvalue()


def _tree(codes: tuple[QdaCode, ...]) -> list[tuple]:
    return [(c.name, c.description, c.color, c.is_codable, _tree(c.children)) for c in codes]


# ---------------------------------------------------------------- GUIDs

def test_stable_guid_is_deterministic_valid_and_unambiguous() -> None:
    assert stable_guid("code", "A") == stable_guid("code", "A")
    assert is_guid(stable_guid("code", "A"))
    assert stable_guid("a", "b") != stable_guid("a b")
    assert not is_guid("c001")
    assert is_guid("{0A1B2C3D-0000-4000-8000-000000000001}")


# ---------------------------------------------------------------- schema validity

def test_write_qdc_validates_and_has_no_sets(codebook_schema: etree.XMLSchema) -> None:
    data = write_qdc(_project().codes)
    _assert_valid(codebook_schema, data)
    root = etree.fromstring(data)
    assert root.tag == "{urn:QDA-XML:codebook:1.0}CodeBook"
    assert root.find("{urn:QDA-XML:codebook:1.0}Sets") is None
    assert all(is_guid(el.get("guid")) for el in root.iter("{urn:QDA-XML:codebook:1.0}Code"))


def test_write_qdc_is_deterministic_and_descriptions_are_elements() -> None:
    codes = _project().codes
    assert write_qdc(codes) == write_qdc(codes)
    root = etree.fromstring(write_qdc(codes))
    first = root.find(".//{urn:QDA-XML:codebook:1.0}Code")
    assert first.get("description") is None
    assert first.findtext("{urn:QDA-XML:codebook:1.0}Description") == codes[0].description


def test_write_qdpx_validates(project_schema: etree.XMLSchema) -> None:
    with zipfile.ZipFile(io.BytesIO(_written(_project()))) as archive:
        names = archive.namelist()
        qde = archive.read("project.qde")
    _assert_valid(project_schema, qde)
    root = etree.fromstring(qde)
    paths = [el.get("plainTextPath") for el in root.iter("{urn:QDA-XML:project:1.0}TextSource")]
    for path in paths:
        assert path.startswith("internal://")
        assert "sources/" + path.removeprefix("internal://") in names


def test_non_guid_ids_are_mapped_to_guids_consistently(project_schema: etree.XMLSchema) -> None:
    odd = QdaProject(
        name="ids",
        users=(QdaUser("u1", "Ana"),),
        codes=(QdaCode("c001", "Noise"),),
        sources=(QdaSource("s1", "Flat 3", "Too loud at night."),),
        selections=(QdaSelection("sel1", "s1", 0, 9, "c001", "u1"),),
    )
    qde = zipfile.ZipFile(io.BytesIO(_written(odd))).read("project.qde")
    _assert_valid(project_schema, qde)
    back = read_qdpx(_written(odd))
    assert back.codes[0].guid == stable_guid("id", "c001")
    assert back.selections[0].code_guid == back.codes[0].guid
    assert back.selections[0].user_guid == back.users[0].guid
    assert back.sources[0].text == "Too loud at night."


def test_writer_refuses_dangling_references() -> None:
    project = _project()
    broken = QdaProject(
        name=project.name,
        users=project.users,
        codes=project.codes,
        sources=project.sources,
        selections=(QdaSelection("x", project.sources[0].guid, 0, 3, "no-such-code"),),
    )
    with pytest.raises(InputError, match="unknown code"):
        write_qdpx(broken, io.BytesIO())
    too_long = QdaProject(
        name="p", codes=(QdaCode("c", "C"),), sources=(QdaSource("s", "S", "abc"),),
        selections=(QdaSelection("x", "s", 1, 4, "c"),),
    )
    with pytest.raises(InputError, match="outside"):
        write_qdpx(too_long, io.BytesIO())


def test_writer_refuses_bad_colour_and_empty_codebook() -> None:
    with pytest.raises(InputError, match="colour"):
        write_qdc([QdaCode("", "Red", color="red")])
    with pytest.raises(InputError, match="at least one code"):
        write_qdc([])


# ---------------------------------------------------------------- round trips

def test_qdpx_round_trip_keeps_users_sources_codes_selections_notes() -> None:
    project = _project()
    back = read_qdpx(_written(project))
    assert back.warnings == ()
    assert (back.name, back.users) == (project.name, project.users)
    assert [(s.guid, s.name, s.text) for s in back.sources] == [(s.guid, s.name, s.text) for s in project.sources]
    assert all(s.path == f"internal://{s.guid}.txt" for s in back.sources)
    assert back.codes == project.codes
    assert back.selections == project.selections
    texts = {s.guid: s.text for s in back.sources}
    assert [texts[s.source_guid][s.start : s.end] for s in back.selections][:2] == ["By bike,", "the tram"]
    assert [(n.guid, n.text, n.name, set(n.target_guids)) for n in back.notes] == [
        (n.guid, n.text, n.name, set(n.target_guids)) for n in project.notes
    ]


def test_codes_without_guid_get_stable_distinct_guids(codebook_schema: etree.XMLSchema) -> None:
    codes = (QdaCode("", "A", children=(QdaCode("", "Same"),)), QdaCode("", "B", children=(QdaCode("", "Same"),)))
    data = write_qdc(codes)
    _assert_valid(codebook_schema, data)
    guids = [c.guid for c in walk_codes(read_qdc(data).codes)]
    assert len(set(guids)) == 4 and all(is_guid(g) for g in guids)
    assert guids == [c.guid for c in walk_codes(read_qdc(write_qdc(codes)).codes)]
    with pytest.raises(InputError, match="share a GUID"):
        write_qdc((QdaCode("", "Twin"), QdaCode("", "Twin")))


def test_qdc_round_trip_keeps_tree() -> None:
    codes = _project().codes
    book = read_qdc(write_qdc(codes))
    assert _tree(book.codes) == _tree(codes)
    assert book.origin == "codebench"
    assert book.warnings == ()


_names = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)


@settings(max_examples=60, deadline=None)
@given(name=_names, description=st.none() | _names)
def test_qdc_round_trip_any_label(name: str, description: str | None) -> None:
    """Labels with any characters XML can carry come back unchanged (CR and LF included)."""
    legal = all(c in "\t\n\r" or (" " <= c and c not in "\ufffe\uffff") for c in name + (description or ""))
    back = read_qdc(write_qdc([QdaCode("", name, description)])).codes[0]
    if legal:
        assert (back.name, back.description) == (name, description or None)
    else:
        assert "\ufffd" in back.name + (back.description or "")


def test_qdpx_written_to_a_path(tmp_path: Path) -> None:
    dest = tmp_path / "out.qdpx"
    write_qdpx(_project(), dest)
    assert read_qdpx(dest).sources[1].text == TEXT_2
    assert read_qdpx(str(dest)).name == "Commuting study"


# ---------------------------------------------------------------- quirks of real exporters

def test_capital_project_member_and_case_insensitive_sources() -> None:
    qde = (FIXTURES / "capital_project.qde").read_bytes()
    data = _zip({
        "Project.qde": qde,
        "Sources/7c000000-0000-4000-8000-000000000001.txt": "We lend the wheelbarrow every spring.".encode(),
    })
    project = read_qdpx(data)
    assert [s.text for s in project.sources] == ["We lend the wheelbarrow every spring.", "We swap seeds in March."]
    texts = {s.guid: s.text for s in project.sources}
    assert [texts[s.source_guid][s.start:s.end] for s in project.selections] == ["lend the wheelbarrow", "swap seeds"]
    first = project.selections[0]
    assert first.memo == "Lends the wheelbarrow every spring."
    assert first.created == datetime(2024, 5, 2, 9, 30, tzinfo=timezone.utc)
    assert first.user_guid == project.users[0].guid
    assert project.selections[1].user_guid is None
    assert project.notes[0].target_guids == (project.codes[0].guid,)
    assert project.warnings == ()


def test_capital_project_fixture_is_schema_valid(project_schema: etree.XMLSchema) -> None:
    _assert_valid(project_schema, (FIXTURES / "capital_project.qde").read_bytes())
    _assert_valid(project_schema, (FIXTURES / "one_line_nested.qde").read_bytes())


def test_one_line_nested_codes_and_sources_without_text() -> None:
    data = (FIXTURES / "one_line_nested.qde").read_bytes()
    assert data.count(b"\n") == 0
    project = read_qde(data, name="one_line_nested.qde")
    assert project.name == "Kávé és bizalom"
    assert [c.name for c in walk_codes(project.codes)] == [
        "Bizalom", "Orvosba vetett bizalom", "Háziorvos", "Kételkedés"
    ]
    assert project.codes[0].is_codable is False
    assert project.codes[0].children[0].children[0].name == "Háziorvos"
    assert [s.text for s in project.sources] == [None, None]
    assert [s.path for s in project.sources][0] == "internal://2B000000-0000-4000-8000-000000000001.txt"
    missing = [w for w in project.warnings if "could not be mapped" in w]
    assert len(missing) == 2 and "Interjú 01" in missing[0] and "Interjú 02" in missing[1]
    assert [(s.start, s.end) for s in project.selections] == [(10, 42), (50, 75), (0, 18)]
    assert {s.user_guid for s in project.selections} == {u.guid for u in project.users}


def test_user_guids_differing_between_exports_keep_their_own_attribution() -> None:
    mac = (FIXTURES / "one_line_nested.qde").read_bytes()
    win = mac.replace(b"0A1B2C3D-0000-4000-8000-00000000000", b"9F8E7D6C-1111-4111-8111-11111111111")
    a, b = read_qde(mac), read_qde(win)
    assert {u.guid for u in a.users}.isdisjoint({u.guid for u in b.users})

    def coder_spans(p: QdaProject) -> list[tuple[str, int, int]]:
        names = {u.guid: u.name for u in p.users}
        return [(names[s.user_guid], s.start, s.end) for s in p.selections]

    assert coder_spans(a) == coder_spans(b)
    assert not any("not listed" in w for w in a.warnings + b.warnings)


def test_empty_descriptions_and_selection_creator_differing_from_coding_creator() -> None:
    """NVivo writes ``<Description />`` on every selection and may credit the selection to one user
    and its coding to another: the memo is None and the coding's user is the coder."""
    qde = (FIXTURES / "capital_project.qde").read_bytes()
    qde = qde.replace(b"<Description>Lends the wheelbarrow every spring.</Description>", b"<Description />")
    qde = qde.replace(
        b'endPosition="23" creatingUser="7a000000-0000-4000-8000-000000000001"',
        b'endPosition="23" creatingUser="7a000000-0000-4000-8000-000000000009"',
    )
    project = read_qde(qde)
    first = project.selections[0]
    assert first.memo is None
    assert first.user_guid == "7a000000-0000-4000-8000-000000000001"
    assert any("differs from their coding's" in w for w in project.warnings)
    assert not any("not listed" in w for w in project.warnings)


def test_codebook_namespace_0_4_and_sets() -> None:
    book = read_qdc((FIXTURES / "ns04_sets.qdc").read_bytes())
    assert [c.name for c in walk_codes(book.codes)] == ["Morning routine", "Coffee", "Commute"]
    assert book.codes[0].description == "What the speaker does before work."
    assert book.codes[0].color == "#aa3300"
    assert book.codes[1].is_codable is True
    assert any("urn:QDA-XML:codebook:0:4" in w for w in book.warnings)
    assert any("Sets" in w for w in book.warnings)


def test_empty_sets_and_non_guid_ids() -> None:
    book = read_qdc((FIXTURES / "empty_sets_ids.qdc").read_bytes())
    assert [(c.guid, c.name) for c in book.codes] == [("c001", "Neighbours"), ("c002", "Noise")]
    assert book.codes[0].color == "#ccc"
    assert any("<Sets/>" in w for w in book.warnings)
    assert any("not GUIDs" in w and "'c001'" in w for w in book.warnings)


def test_codebook_without_namespace() -> None:
    book = read_qdc((FIXTURES / "no_namespace.qdc").read_bytes())
    assert [c.name for c in book.codes] == ["Weather"]
    assert any("non-standard namespace (none)" in w for w in book.warnings)


def test_selections_pointing_to_missing_codes_or_outside_text_are_skipped() -> None:
    qde = (FIXTURES / "capital_project.qde").read_bytes()
    qde = qde.replace(b'startPosition="3" endPosition="13"', b'startPosition="3" endPosition="99"')
    qde = qde.replace(b'<CodeRef targetGUID="7b000000-0000-4000-8000-000000000001"/>\n        </Coding>\n      '
                      b'</PlainTextSelection>\n    </TextSource>\n    <TextSource',
                      b'<CodeRef targetGUID="7b000000-0000-4000-8000-0000000000ff"/>\n        </Coding>\n      '
                      b'</PlainTextSelection>\n    </TextSource>\n    <TextSource')
    project = read_qde(qde)
    assert project.selections == ()
    assert any("unknown code" in w for w in project.warnings)
    assert any("outside the text" in w for w in project.warnings)


# ---------------------------------------------------------------- hostile input

@pytest.mark.parametrize(
    ("fixture", "message"),
    [
        ("billion_laughs.qde", "document type declaration"),
        ("external_entity.qde", "document type declaration"),
        ("malformed.qde", "malformed XML"),
        ("wrong_root.qde", "root element is <Invoice>"),
    ],
)
def test_hostile_xml_is_refused(fixture: str, message: str) -> None:
    data = (FIXTURES / fixture).read_bytes()
    with pytest.raises(InputError, match=message) as err:
        read_qde(data, name=fixture)
    assert err.value.where == fixture
    with pytest.raises(InputError, match=message):
        read_qdpx(_zip({"project.qde": data}))


def test_codebook_root_must_be_codebook() -> None:
    with pytest.raises(InputError, match="expected <CodeBook>"):
        read_qdc((FIXTURES / "capital_project.qde").read_bytes())


@pytest.mark.parametrize("evil", ["../evil.txt", "/abs.txt", "sources/../../evil.txt", "C:/evil.txt"])
def test_zip_slip_members_are_refused(evil: str) -> None:
    data = _zip({"project.qde": (FIXTURES / "capital_project.qde").read_bytes(), evil: b"x"})
    with pytest.raises(InputError, match="absolute path or '..'"):
        read_qdpx(data)


def test_zip_bomb_by_header_is_refused() -> None:
    data = _zip({"project.qde": (FIXTURES / "capital_project.qde").read_bytes(), "sources/big.txt": b"0" * 50_000})
    with pytest.raises(InputError, match="more than the limit of 10000"):
        read_qdpx(data, max_total_bytes=10_000)
    assert read_qdpx(data, max_total_bytes=100_000).name == "Garden allotments"


def _lie_about_size(data: bytes, member: str, claimed: int) -> bytes:
    """Rewrite the uncompressed size recorded for ``member`` in both zip headers."""
    out = bytearray(data)
    name = member.encode()
    local = out.find(b"PK\x03\x04" + b"", 0)
    while local != -1:
        if out[local + 30 : local + 30 + len(name)] == name:
            struct.pack_into("<I", out, local + 22, claimed)
        local = out.find(b"PK\x03\x04", local + 4)
    central = out.find(b"PK\x01\x02")
    while central != -1:
        if out[central + 46 : central + 46 + len(name)] == name:
            struct.pack_into("<I", out, central + 24, claimed)
        central = out.find(b"PK\x01\x02", central + 4)
    return bytes(out)


def test_zip_bomb_with_lying_header_is_refused() -> None:
    text_member = "sources/7c000000-0000-4000-8000-000000000001.txt"
    qde = (FIXTURES / "capital_project.qde").read_bytes()
    data = _zip({"project.qde": qde, text_member: b"0" * 2_000_000})
    assert len(data) < 20_000
    lying = _lie_about_size(data, text_member, 100)
    with zipfile.ZipFile(io.BytesIO(lying)) as archive:
        assert archive.getinfo(text_member).file_size == 100
    with pytest.raises(InputError, match="lying.qdpx"):
        read_qdpx(lying, name="lying.qdpx", max_total_bytes=10_000)


class _LyingZip:
    """A zip reader that trusts nothing but the data: headers claim 10 bytes, the stream is larger."""

    def __init__(self, size: int) -> None:
        self.size = size

    def infolist(self) -> list[zipfile.ZipInfo]:
        info = zipfile.ZipInfo("sources/big.txt")
        info.file_size = 10
        return [info]

    def open(self, info: zipfile.ZipInfo) -> io.BytesIO:
        return io.BytesIO(b"0" * self.size)


def test_byte_budget_is_enforced_while_reading() -> None:
    archive = SafeArchive(_LyingZip(300_000), where="bomb.qdpx", max_total_bytes=200_000)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="beyond the size limit"):
        archive.read("sources/big.txt")
    assert SafeArchive(_LyingZip(150_000), where="ok", max_total_bytes=200_000).read(  # type: ignore[arg-type]
        "sources/big.txt"
    ) == b"0" * 150_000


def test_not_a_zip_and_truncated_zip_are_refused(tmp_path: Path) -> None:
    plain = tmp_path / "notes.qdpx"
    plain.write_text("just some text")
    with pytest.raises(InputError, match="not a readable zip") as err:
        read_qdpx(plain)
    assert str(plain) in err.value.line()
    whole = _written(_project())
    with pytest.raises(InputError):
        read_qdpx(whole[: len(whole) // 2])
    with pytest.raises(InputError, match="no project.qde"):
        read_qdpx(_zip({"readme.txt": b"hello"}))
    with pytest.raises(InputError) as err:
        read_qdpx(b"PK\x03\x04 not really", name="upload.qdpx")
    assert err.value.where == "upload.qdpx"


def test_damaged_member_is_refused() -> None:
    data = bytearray(_zip({"project.qde": (FIXTURES / "capital_project.qde").read_bytes()}))
    start = data.find(b"project.qde") + len("project.qde") + 40
    data[start : start + 20] = bytes(20)
    with pytest.raises(InputError):
        read_qdpx(bytes(data))


# ---------------------------------------------------------------- runtime stays free of lxml

def test_runtime_modules_do_not_import_lxml() -> None:
    code = (
        "import sys, codebench.domain.refi, codebench.domain.csvsafe; "
        "sys.exit(1 if any(m.split('.')[0] == 'lxml' for m in sys.modules) else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


# ---------------------------------------------------------------- real samples, when present

_SAMPLE_FILES = sorted(p for pattern in ("*.qdpx", "*.qde", "*.qdc") for p in SAMPLES.glob(pattern))


@pytest.mark.parametrize(
    "sample",
    _SAMPLE_FILES
    or [pytest.param(None, marks=pytest.mark.skip(reason=f"no *.qdpx/*.qde/*.qdc files in {SAMPLES} yet"))],
    ids=lambda p: p.name if isinstance(p, Path) else "none",
)
def test_real_sample_imports(sample: Path) -> None:
    if sample.suffix == ".qdc":
        assert read_qdc(sample.read_bytes(), name=sample.name).codes
    elif sample.suffix == ".qde":
        assert read_qde(sample.read_bytes(), name=sample.name).codes
    else:
        assert read_qdpx(sample).codes
