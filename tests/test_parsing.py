"""Transcript parsing: formats, speaker labels, encodings, bad input, and fuzzed bytes."""

from __future__ import annotations

import codecs
import hashlib
import io
import re
from collections import Counter
from pathlib import Path

import docx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import SHARED
from codebench.domain.errors import CodebenchError, InputError
from codebench.domain.model import ParsedTranscript
from codebench.domain.parsing.labels import find_labels
from codebench.domain.transcripts import content_hash, decode_bytes, normalise_text, parse_transcript

REAL = SHARED / "real-transcripts"
FIXTURES = Path(__file__).parent / "fixtures" / "transcripts"
needs_real = pytest.mark.skipif(not REAL.is_dir(), reason="shared real transcripts not available")


def parse_file(path: Path) -> ParsedTranscript:
    parsed = parse_transcript(path.read_bytes(), path.name)
    assert_invariants(parsed)
    return parsed


def assert_invariants(parsed: ParsedTranscript) -> None:
    """Offsets inside the text, turns ordered and disjoint, speech non-empty and label-free."""
    text = parsed.text
    assert normalise_text(text) == text
    label_starts = [label.start for label in find_labels(text)]
    previous_end = 0
    for turn in parsed.turns:
        assert previous_end <= turn.start <= turn.speech_start < turn.end <= len(text)
        speech = text[turn.speech_start : turn.end]
        assert speech.strip() == speech != ""
        assert not any(turn.speech_start <= start < turn.end for start in label_starts)
        previous_end = turn.end


def speech(parsed: ParsedTranscript, index: int) -> str:
    turn = parsed.turns[index]
    return parsed.text[turn.speech_start : turn.end]


def label(parsed: ParsedTranscript, index: int) -> str:
    turn = parsed.turns[index]
    return parsed.text[turn.start : turn.speech_start]


def docx_bytes(paragraphs: list[str]) -> bytes:
    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- the shared real transcripts, one test per file -------------------------------------


@needs_real
def test_changelog_markdown_interview() -> None:
    path = REAL / "changelog-402_jose-valim_interview.md"
    parsed = parse_file(path)
    bold_label_lines = re.findall(r"^\*\*([^*\n]+):\*\*", path.read_text("utf-8"), re.MULTILINE)
    assert len(bold_label_lines) == 138
    assert [turn.speaker for turn in parsed.turns] == bold_label_lines
    assert Counter(bold_label_lines)["Break"] == 2
    assert {turn.speaker for turn in parsed.turns} == {"Jerod Santo", "José Valim", "Adam Stacoviak", "Break"}
    assert all(label(parsed, i).startswith(f"**{t.speaker}:** ") for i, t in enumerate(parsed.turns))
    assert parsed.text == path.read_text("utf-8")
    sure = next(i for i, t in enumerate(parsed.turns) if t.start_time == 4 * 60 + 21)
    assert speech(parsed, sure) == "Sure."
    assert parsed.text[parsed.turns[sure].start :].startswith("**Jerod Santo:** \\[04:21\\] Sure.")
    assert parsed.source_format == "md" and parsed.warnings == ()


@needs_real
def test_pdpilot_labels_on_their_own_line() -> None:
    path = REAL / "pdpilot-study_P1_interview_from-pdf.txt"
    parsed = parse_file(path)
    own_line_labels = [line[:-1] for line in path.read_text("utf-8").split("\n") if line in ("Dan:", "Participant:")]
    assert [turn.speaker for turn in parsed.turns] == own_line_labels
    assert Counter(own_line_labels) == {"Dan": 47, "Participant": 47}
    assert all(label(parsed, i) == f"{t.speaker}:\n" for i, t in enumerate(parsed.turns))
    assert speech(parsed, 0).startswith("Okay. So now you can stop sharing your screen")
    assert speech(parsed, 1) == "Okay."
    assert parsed.turns[0].start == parsed.text.index("Dan:")  # the "1/5" and "Interview" debris is no turn
    assert "earth mover’s distance" in parsed.text


@needs_real
def test_qualcoder_bracketed_ids() -> None:
    path = REAL / "qualcoder_examples_transcript.txt"
    parsed = parse_file(path)
    assert [turn.speaker for turn in parsed.turns] == ["id1", "id2", "id3", "id1", "id3", "id1", "id2"]
    assert parsed.text == path.read_text("utf-8")
    assert speech(parsed, 0).startswith("hello, I like the course.")
    assert "wrtitten assignments" in speech(parsed, 3)


@needs_real
def test_qualcoder_docx_paragraphs() -> None:
    parsed = parse_file(REAL / "qualcoder_examples_ID1.docx")
    paragraphs = parsed.text.split("\n")
    assert len(paragraphs) == 4 and paragraphs[3] == ""
    assert [speech(parsed, i) for i in range(len(parsed.turns))] == paragraphs[:3]
    assert {turn.speaker for turn in parsed.turns} == {""}
    assert "€200" in parsed.text
    assert parsed.source_format == "docx" and parsed.warnings


@needs_real
def test_webvtt_with_bom() -> None:
    path = REAL / "webvtt-py_captions_with_bom.vtt"
    assert path.read_bytes().startswith(codecs.BOM_UTF8)
    parsed = parse_file(path)
    assert "\ufeff" not in parsed.text and "WEBVTT" not in parsed.text and "-->" not in parsed.text
    assert parsed.text == " ".join(f"Caption text #{n}" for n in range(1, 5))
    (turn,) = parsed.turns
    assert (turn.speaker, turn.start_time, turn.end_time) == ("", 0.5, 21.58)


@needs_real
def test_teams_webvtt_voices_and_short_timestamps() -> None:
    parsed = parse_file(REAL / "webvtt-py_teams_timeframe.vtt")
    assert [turn.speaker for turn in parsed.turns] == ["Yuri Bakulin", "Adrian Petrescu"]
    assert [(t.start_time, t.end_time) for t in parsed.turns] == [(0.0, 0.57), (0.21, 1.13)]
    assert [speech(parsed, 0), speech(parsed, 1)] == ["There you go.", "Why hello there, Yuri."]
    assert "<v" not in parsed.text and "</v>" not in parsed.text


@needs_real
def test_subrip_sample() -> None:
    parsed = parse_file(REAL / "webvtt-py_sample.srt")
    assert parsed.text == " ".join(f"Caption text #{n}" for n in range(1, 6))
    assert not re.search(r"\d:\d", parsed.text)
    (turn,) = parsed.turns
    assert (turn.start_time, turn.end_time) == (0.5, 23.88)
    assert parsed.source_format == "srt"


# --- speaker label styles (own fixtures) --------------------------------------------------


def test_colon_labels_timestamps_and_sentence_colons() -> None:
    parsed = parse_file(FIXTURES / "colon_labels.txt")
    speakers = [turn.speaker for turn in parsed.turns]
    assert speakers == ["Interviewer", "Mara Olsen", "Interviewer", "Dr. Ines Varga", "Mara Olsen", "Interviewer (I)"]
    assert speech(parsed, 1) == "I start at four. The oven needs an hour to heat.\nI think the honest answer is: yes, it is hard."
    assert [turn.start_time for turn in parsed.turns] == [5.0, 12.0, None, None, 90.0, None]
    assert speech(parsed, 0).startswith("Thank you")
    assert label(parsed, 4) == "[00:01:30] Mara Olsen: "
    assert parsed.turns[0].start == parsed.text.index("Interviewer:")  # the title is no turn


def test_labels_alone_on_their_line() -> None:
    parsed = parse_file(FIXTURES / "own_line_labels.txt")
    assert [turn.speaker for turn in parsed.turns] == ["Moderator", "Tove", "Moderator"]
    assert speech(parsed, 0) == "Welcome, everyone.\nPlease introduce yourselves."
    assert speech(parsed, 1) == "Hello, I run a small farm\nnear the coast."
    assert label(parsed, 1) == "Tove:\n"


def test_markdown_bold_labels() -> None:
    parsed = parse_file(FIXTURES / "bold_labels.md")
    assert [turn.speaker for turn in parsed.turns] == ["Lena Kowal", "Rafael Souza", "Lena Kowal"]
    assert label(parsed, 1) == "**Rafael Souza**: \\[01:02\\] "
    assert speech(parsed, 1) == "Thanks for having me.\n\nI started repairing bikes when I was twelve."
    assert parsed.turns[1].start_time == 62.0


def test_bracket_labels_skip_stage_notes() -> None:
    parsed = parse_file(FIXTURES / "bracket_labels.txt")
    assert [turn.speaker for turn in parsed.turns] == ["P1", "P2", "Facilitator", "P1"]
    assert speech(parsed, 0) == "I liked the workshop.\n[laughs] Mostly the coffee, to be honest."
    assert label(parsed, 2) == "[Facilitator]: "


def test_lowercase_labels_count_when_repeated() -> None:
    parsed = parse_file(FIXTURES / "lowercase_labels.txt")
    assert [turn.speaker for turn in parsed.turns] == ["int", "resp", "int", "resp"]
    assert speech(parsed, 1) == "about nine years.\nso the short version is: it was the rent."


def test_a_sentence_with_a_colon_is_no_label() -> None:
    parsed = parse_transcript(b"I think the answer is: yes\nand that is all.\n", "one.txt")
    assert [(turn.speaker, turn.start) for turn in parsed.turns] == [("", 0)]


def test_no_labels_gives_one_turn_per_paragraph() -> None:
    parsed = parse_file(FIXTURES / "no_labels.txt")
    assert [turn.speaker for turn in parsed.turns] == ["", "", ""]
    assert speech(parsed, 1) == "By August the neighbours came by every evening.\nThey brought baskets."
    assert any("no speaker labels" in warning for warning in parsed.warnings)


def test_docx_with_labels() -> None:
    data = docx_bytes(["Focus group, week 3", "Host: Who starts?", "Ilse: I will.", "It went well."])
    parsed = parse_transcript(data, "group.DOCX")
    assert_invariants(parsed)
    assert parsed.text == "Focus group, week 3\nHost: Who starts?\nIlse: I will.\nIt went well."
    assert [turn.speaker for turn in parsed.turns] == ["Host", "Ilse"]
    assert speech(parsed, 1) == "I will.\nIt went well."


def test_webvtt_voices_labels_and_speakerless_cues() -> None:
    parsed = parse_file(FIXTURES / "voices.vtt")
    assert parsed.text == (
        "Noor Haddad: Good morning. Shall we start?\n\n"
        "Kalle Berg: Yes, fish & chips first.\n\n"
        "(door closes)\n\n"
        "Kalle Berg: Sorry about that."
    )
    assert [turn.speaker for turn in parsed.turns] == ["Noor Haddad", "Kalle Berg", "", "Kalle Berg"]
    assert [(t.start_time, t.end_time) for t in parsed.turns] == [(1.0, 4.0), (4.0, 6.0), (6.0, 7.0), (7.0, 9.25)]
    assert speech(parsed, 0) == "Good morning. Shall we start?"


def test_subrip_labels_join_consecutive_cues() -> None:
    parsed = parse_file(FIXTURES / "labels.srt")
    assert parsed.text == "Ana: Hi. How are you?\n\nBen: Fine, thanks."
    assert [(t.speaker, t.start_time, t.end_time) for t in parsed.turns] == [("Ana", 0.0, 2.0), ("Ben", 2.5, 4.0)]


def test_extension_is_case_insensitive() -> None:
    data = (FIXTURES / "voices.vtt").read_bytes()
    assert parse_transcript(data, "CALL.VTT").source_format == "vtt"


# --- encodings and normalisation -----------------------------------------------------------

SAMPLE = "Ana: café ☕ – 5 €\nBen: ok\n"


def parse_written(tmp_path: Path, name: str, data: bytes) -> ParsedTranscript:
    path = tmp_path / name
    path.write_bytes(data)
    parsed = parse_transcript(path.read_bytes(), path.name)
    assert_invariants(parsed)
    return parsed


@pytest.mark.parametrize(
    "data",
    [
        SAMPLE.encode("utf-8"),
        codecs.BOM_UTF8 + SAMPLE.encode("utf-8"),
        codecs.BOM_UTF16_LE + SAMPLE.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + SAMPLE.encode("utf-16-be"),
    ],
    ids=["utf8", "utf8-bom", "utf16-le", "utf16-be"],
)
def test_unicode_encodings(tmp_path: Path, data: bytes) -> None:
    parsed = parse_written(tmp_path, "t.txt", data)
    assert parsed.text == SAMPLE and parsed.warnings == ()
    assert [turn.speaker for turn in parsed.turns] == ["Ana", "Ben"]


def test_cp1252_is_read_with_a_warning(tmp_path: Path) -> None:
    parsed = parse_written(tmp_path, "old.txt", "Ana: café – 5 €\n".encode("cp1252"))
    assert parsed.text == "Ana: café – 5 €\n"
    assert len(parsed.warnings) == 1 and "old.txt" in parsed.warnings[0] and "1252" in parsed.warnings[0]


@pytest.mark.parametrize("newline", [b"\r\n", b"\r"], ids=["crlf", "cr"])
def test_windows_and_old_mac_line_ends(tmp_path: Path, newline: bytes) -> None:
    data = newline.join([b"Ana:", b"Hello there.", b"", b"Ben: Hi."]) + newline
    parsed = parse_written(tmp_path, "t.txt", data)
    assert parsed.text == "Ana:\nHello there.\n\nBen: Hi.\n"
    assert [speech(parsed, 0), speech(parsed, 1)] == ["Hello there.", "Hi."]


def test_decomposed_text_is_composed() -> None:
    parsed = parse_transcript("Ana: cafe\u0301\n".encode(), "t.txt")
    assert parsed.text == "Ana: caf\u00e9\n"
    assert speech(parsed, 0) == "caf\u00e9"


def test_normalise_text() -> None:
    assert normalise_text("\ufeffa\r\nb\rc\u0065\u0301\n") == "a\nb\nc\u00e9\n"
    assert normalise_text("x\ufeff") == "x\ufeff"  # only a leading BOM goes


def test_decode_bytes_returns_text_and_warnings() -> None:
    assert decode_bytes(codecs.BOM_UTF8 + b"hi", "a.txt") == ("hi", [])
    text, warnings = decode_bytes(b"caf\xe9", "b.txt")
    assert text == "café" and warnings and "b.txt" in warnings[0]


def test_content_hash_ignores_bom_and_line_ends() -> None:
    expected = hashlib.sha256("Ana: é\nBen: ok\n".encode()).hexdigest()
    assert content_hash("\ufeffAna: e\u0301\r\nBen: ok\r\n") == expected
    assert content_hash("Ana: é\nBen: ok\n") == expected
    assert content_hash("Ana: é\nBen: no\n") != expected


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.md", b"  \n\t\r\n ", "empty file"),
        ("blank.vtt", "\ufeff \n".encode(), "empty file"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary file"),
        ("noise.txt", bytes(range(1, 9)) * 20 + b"Ana: hi", "binary file"),
        ("cp1252-holes.srt", b"Ana: \x81\x8d\x8f\x90\x9d", "binary file"),
        ("notes.pdf", b"%PDF-1.7", "unsupported file type"),
        ("README", b"Ana: hi", "unsupported file type"),
        ("words.docx", b"Ana: this is plain text", "cannot read .docx"),
        ("garbage.vtt", b"this is not a caption file\n", "not a valid WebVTT file"),
        ("garbage.srt", b"1\n00:00:01,000 --> soon\nhello\n", "SubRip"),
        ("no-cues.vtt", b"WEBVTT\n\n", "no captions"),
    ],
)
def test_bad_input_is_one_clear_error(name: str, data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message) as raised:
        parse_transcript(data, name)
    assert raised.value.where == name


@needs_real
def test_truncated_docx() -> None:
    data = (REAL / "qualcoder_examples_ID1.docx").read_bytes()
    with pytest.raises(InputError, match=r"^cut\.docx: cannot read \.docx: "):
        parse_transcript(data[: len(data) // 2], "cut.docx")


# --- fuzzing ----------------------------------------------------------------------------------

_LABEL_FRAGMENTS = st.sampled_from(
    ["", "Ann: ", "Ann:", "**Bo:** ", "**Bo**: ", "[id1] ", "bo: ", "Dr. Ek:", "[laughs] ", "I think it is: ",
     "[00:00:03] Cy: ", "<v Cy>", "\\[01:02\\] ", "(00:01) ", "  Ann: "]
)  # fmt: skip
_BODY_FRAGMENTS = st.sampled_from(["", " ", "\n", "\r\n", "\r", "\t", "é", "e\u0301", "\ufeff", "&amp;", "</v>", "-->"])
_BODY = st.lists(st.one_of(_BODY_FRAGMENTS, st.text(alphabet="Ab :*[]()\\01.<>&", max_size=8)), max_size=6)
_LABELISH = st.lists(st.tuples(_LABEL_FRAGMENTS, _BODY.map("".join)).map("".join), max_size=8).map("\n".join)


_DOCX = docx_bytes(["Host: Who starts?", "Ilse: I will."])
_FUZZ_INPUT = st.one_of(
    st.binary(max_size=300),
    _LABELISH.map(str.encode),
    _LABELISH.map(lambda body: f"WEBVTT\n\n00:00.000 --> 00:01.000\n{body}".encode()),
    _LABELISH.map(lambda body: f"1\n00:00:00,000 --> 00:00:01,000\n{body}".encode()),
    st.lists(st.tuples(st.integers(0, len(_DOCX) - 1), st.integers(0, 255)), min_size=1, max_size=4).map(
        lambda edits: bytes(_corrupt(bytearray(_DOCX), edits))
    ),
)


def _corrupt(data: bytearray, edits: list[tuple[int, int]]) -> bytearray:
    for position, value in edits:
        data[position] = value
    return data


@settings(max_examples=300, deadline=None)
@given(data=_FUZZ_INPUT, extension=st.sampled_from(["txt", "md", "docx", "vtt", "srt"]))
def test_fuzzed_bytes_parse_or_raise_a_codebench_error(data: bytes, extension: str) -> None:
    try:
        parsed = parse_transcript(data, f"fuzz.{extension}")
    except CodebenchError as error:
        assert error.where == f"fuzz.{extension}"
        return
    assert parsed.source_format == extension
    assert_invariants(parsed)


@settings(max_examples=200, deadline=None)
@given(text=st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1))
def test_txt_keeps_the_normalised_text(text: str) -> None:
    try:
        parsed = parse_transcript(text.encode(), "t.txt")
    except InputError:
        assert not text.strip()
        return
    assert parsed.text == normalise_text(text)
    assert_invariants(parsed)


@settings(max_examples=40, deadline=None)
@given(paragraphs=st.lists(_LABELISH, min_size=1, max_size=6))
def test_fuzzed_docx_paragraphs(paragraphs: list[str]) -> None:
    try:
        parsed = parse_transcript(docx_bytes(paragraphs), "fuzz.docx")
    except InputError as error:
        assert error.message == "empty file"
        return
    assert_invariants(parsed)


# --- the fast readers give what the libraries give ----------------------------------------

from codebench.domain.parsing import captions, encoding, labels, word  # noqa: E402


def library_docx_text(data: bytes) -> str:
    return "\n".join(paragraph.text for paragraph in docx.Document(io.BytesIO(data)).paragraphs)


def rich_docx_bytes() -> bytes:
    """Runs with tabs, line/page breaks, a table, blank and preserved-space runs."""
    document = docx.Document()
    document.add_paragraph("Host:\tWelcome back.")
    paragraph = document.add_paragraph("Ilse: first line")
    paragraph.add_run().add_break()
    paragraph.add_run("second line ")
    paragraph.add_run().add_break(docx.enum.text.WD_BREAK.PAGE)
    paragraph.add_run(" after the page break")
    document.add_table(rows=1, cols=1).cell(0, 0).text = "a cell is not a body paragraph"
    document.add_paragraph("")
    document.add_paragraph("   ")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def docx_samples() -> list[Path]:
    folders = [REAL, Path(__file__).parent.parent / "sample_transcripts", Path(__file__).parent / "fixtures"]
    return sorted(p for folder in folders if folder.is_dir() for p in folder.rglob("*.docx"))


@pytest.mark.parametrize("path", docx_samples(), ids=lambda p: p.name)
def test_docx_xml_reader_matches_python_docx_on_every_sample(path: Path) -> None:
    data = path.read_bytes()
    assert word._plain_docx_text(data) == library_docx_text(data)


def test_docx_xml_reader_matches_python_docx_on_runs_breaks_and_tables() -> None:
    data = rich_docx_bytes()
    assert word._plain_docx_text(data) == library_docx_text(data)
    assert "first line\nsecond line  after the page break" in word._plain_docx_text(data)  # a page break adds nothing


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=40), min_size=1, max_size=6))
def test_docx_xml_reader_matches_python_docx_on_fuzzed_paragraphs(paragraphs: list[str]) -> None:
    data = docx_bytes(paragraphs)
    assert word._plain_docx_text(data) == library_docx_text(data)


def vtt_samples() -> list[Path]:
    folders = [REAL, FIXTURES, Path(__file__).parent.parent / "sample_transcripts"]
    return sorted(p for folder in folders if folder.is_dir() for p in folder.glob("*.vtt"))


def assert_plain_vtt_matches_webvtt(text: str) -> None:
    fast = captions._plain_vtt(text)
    if fast is not None:
        assert fast == captions._webvtt_captions(text, "vtt", "x.vtt")


@pytest.mark.parametrize("path", vtt_samples(), ids=lambda p: p.name)
def test_plain_vtt_reader_matches_webvtt_py_on_every_sample(path: Path) -> None:
    text = normalise_text(decode_bytes(path.read_bytes(), path.name)[0])
    assert_plain_vtt_matches_webvtt(text)


def test_plain_vtt_reader_reads_a_plain_file_and_leaves_the_rest() -> None:
    plain = "WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.500\n<v Ana>Hello &amp; <b>welcome</b>\nsecond line\n\n\n"
    plain += "01:00:03.000 --> 01:00:04.000\nNoor: thanks\n"
    assert [c.text for c in captions._plain_vtt(plain)] == ["Hello &amp; welcome\nsecond line", "Noor: thanks"]
    assert_plain_vtt_matches_webvtt(plain)
    for unusual in ("WEBVTT\n\nNOTE a note\n\n00:01.000 --> 00:02.000\nhi\n",
                    "WEBVTT\n\n00:00:01.000 --> 00:00:02.000 align:start\nhi\n",
                    "WEBVTT\n\n0:0:1.0 --> 0:0:2.0\nhi\n",
                    "WEBVTT\nKind: captions\n\n00:00:01.000 --> 00:00:02.000\nhi\n"):
        assert captions._plain_vtt(unusual) is None


cue_line = st.sampled_from(["<v Ana>Hi there", "Noor: yes", "plain words", "<i>tagged</i> text", "a &lt; b",
                            "<v.loud Teo Li>Loud", "  ", "x --> y", "NOTE", "<c.red>red", "<v>empty voice"])
timing = st.sampled_from(["00:00:01.000 --> 00:00:02.000", "00:01.500 --> 00:02.000", "10:59:59.999 --> 11:00:00.000",
                          "00:00:61.000 --> 00:01:02.000", "00:00:01.000 --> 00:00:02.000 line:0",
                          "00:00:01.0 --> 00:00:02.0"])
cue_block = st.tuples(st.sampled_from(["", "7\n", "intro\n"]), timing, st.lists(cue_line, max_size=3)).map(
    lambda parts: parts[0] + parts[1] + "".join("\n" + line for line in parts[2]))


@settings(max_examples=300)
@given(st.sampled_from(["WEBVTT", "WEBVTT - a title", "WEBVTT\nKind: captions"]), st.lists(cue_block, max_size=6),
       st.sampled_from(["\n\n", "\n\n\n"]))
def test_plain_vtt_reader_matches_webvtt_py_on_generated_files(header: str, blocks: list[str], gap: str) -> None:
    assert_plain_vtt_matches_webvtt(header + gap + gap.join(blocks) + "\n")


@given(st.text(max_size=200))
def test_control_count_on_ascii_matches_the_pattern(text: str) -> None:
    assert encoding._control_count(text) == len(encoding._CONTROL.findall(text))


@settings(max_examples=200)
@given(st.lists(st.sampled_from(["Ana: hi", "  [00:01] Noor: yes", "**Teo:** ok", "[Li] fine", "int: a", "int: b",
                                 "I think: yes", "", "\n", "[laughs] no", "Dr. Who: x"]), max_size=12))
def test_label_search_after_line_breaks_matches_the_multiline_pattern(lines: list[str]) -> None:
    text = "\n".join(lines)
    whole = re.compile("^" + labels._LABEL_BODY, re.MULTILINE)
    expected = [m.start("label") for m in whole.finditer(text)]
    first = labels._LABEL.match(text)
    after_breaks = [m.start("label") for m in labels._LABEL_AFTER_BREAK.finditer(text)]
    found = ([first.start("label")] if first else []) + after_breaks
    assert found == expected
