"""The fictional sample study in ``sample_transcripts/`` is internally consistent.

Reads the files with python-docx and webvtt-py directly (not with codebench's parsers), so a
broken quote is blamed on the data, not on a parser.
"""

from __future__ import annotations

import csv
import filecmp
import importlib.util
import re
from collections import Counter, defaultdict
from pathlib import Path
from types import ModuleType

import pytest
import webvtt
from docx import Document

STUDY = Path(__file__).resolve().parent.parent / "sample_transcripts"
TRANSCRIPT_SUFFIXES = {".txt", ".md", ".docx", ".vtt"}
CODERS = ("ana", "ben", "chloe")
LABELLED_TURN = re.compile(r"(?:\*\*)?([A-Za-z0-9]+):(?:\*\*)? ")
VOICE_TAG = re.compile(r"</?v(?:\s[^>]*)?>")


def transcript_paths() -> dict[str, Path]:
    """Transcript stem -> file, in import (file name) order; README.md is documentation, not an interview."""
    paths = sorted(p for p in STUDY.iterdir() if p.suffix in TRANSCRIPT_SUFFIXES and p.name != "README.md")
    return {p.stem: p for p in paths}


def searchable_texts(path: Path) -> list[str]:
    """The texts a quote of ``path`` must lie within (the whole text, or for .vtt one speaker's run of cues)."""
    if path.suffix in {".txt", ".md"}:
        return [path.read_text(encoding="utf-8")]
    if path.suffix == ".docx":
        return ["\n".join(p.text for p in Document(str(path)).paragraphs)]
    return vtt_speaker_runs(path)


def vtt_speaker_runs(path: Path) -> list[str]:
    """Each cue's text, plus the text of every run of consecutive same-speaker cues joined by spaces."""
    cues = vtt_cues(path)
    return [text for _, text in cues] + [text for _, text in speaker_runs(cues)]


def vtt_cues(path: Path) -> list[tuple[str | None, str]]:
    """(voice, text without voice tags) of every cue of a WebVTT file."""
    cues = []
    for caption in webvtt.read(str(path)):
        voice = re.match(r"<v\s+([^>]+)>", caption.raw_text)
        cues.append((voice.group(1).strip() if voice else None, VOICE_TAG.sub("", caption.raw_text).strip()))
    return cues


def speaker_runs(cues: list[tuple[str | None, str]]) -> list[tuple[str | None, str]]:
    """Consecutive cues of one speaker merged into one (speaker, text joined by spaces)."""
    runs: list[tuple[str | None, list[str]]] = []
    for speaker, text in cues:
        if runs and runs[-1][0] == speaker:
            runs[-1][1].append(text)
        else:
            runs.append((speaker, [text]))
    return [(speaker, " ".join(texts)) for speaker, texts in runs]


def turns(path: Path) -> list[tuple[str | None, str]]:
    """(speaker, speech) of every turn; for .vtt every cue counts as a turn as well as every speaker run."""
    if path.suffix == ".vtt":
        cues = vtt_cues(path)
        return cues + speaker_runs(cues)
    if path.suffix == ".docx":
        paragraphs = [p.text for p in Document(str(path)).paragraphs]
    else:
        paragraphs = path.read_text(encoding="utf-8").split("\n\n")
    labelled = [LABELLED_TURN.match(p.strip()) for p in paragraphs]
    return [(m.group(1), p.strip()[m.end():]) for m, p in zip(labelled, paragraphs) if m]


def load_script(name: str) -> ModuleType:
    """Import one of the study's generator scripts by file path (they are scripts, not an API)."""
    spec = importlib.util.spec_from_file_location(f"sample_study_{name}", STUDY / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def codings() -> list[dict[str, str]]:
    return [row for coder in CODERS for row in read_csv(STUDY / "codings" / f"{coder}.csv")]


def harmonised() -> dict[tuple[str, str], str]:
    """(coder, raw code) -> harmonised code, from the answer key."""
    return {(r["coder"], r["raw_code"]): r["code"] for r in read_csv(STUDY / "codebook.csv")}


def test_study_has_enough_interviews_in_mixed_formats() -> None:
    suffixes = Counter(p.suffix for p in transcript_paths().values())
    assert sum(suffixes.values()) >= 14
    assert suffixes[".docx"] >= 3 and suffixes[".vtt"] >= 3 and suffixes[".txt"] >= 3


@pytest.mark.parametrize("stem", sorted(transcript_paths()))
def test_interview_has_interviewer_and_one_participant(stem: str) -> None:
    spoken = turns(transcript_paths()[stem])
    assert {speaker for speaker, _ in spoken} == {"Interviewer", stem}
    assert len(spoken) >= 20


def test_every_quote_occurs_verbatim_in_its_transcript() -> None:
    texts = {stem: searchable_texts(path) for stem, path in transcript_paths().items()}
    missing = [
        (row["coder"], row["transcript"], row["quote"])
        for row in codings()
        if not any(row["quote"] in text for text in texts[row["transcript"]])
    ]
    assert missing == []


def test_every_quote_is_participant_speech() -> None:
    speech = {
        stem: [text for speaker, text in turns(path) if speaker == stem] for stem, path in transcript_paths().items()
    }
    outside = [
        (row["coder"], row["transcript"], row["quote"])
        for row in codings()
        if not any(row["quote"] in text for text in speech[row["transcript"]])
    ]
    assert outside == []


def test_codings_and_codebook_are_what_the_builder_writes(tmp_path: Path) -> None:
    load_script("_build_codings").write_codings(tmp_path)
    for name in ("codings/ana.csv", "codings/ben.csv", "codings/chloe.csv", "codebook.csv"):
        assert filecmp.cmp(tmp_path / name, STUDY / name, shallow=False), name


@pytest.mark.parametrize("stem", ["P03", "P08", "P13"])
def test_docx_files_hold_the_generator_texts(stem: str) -> None:
    texts = load_script("make_docx").TRANSCRIPTS
    paragraphs = [p.text for p in Document(str(STUDY / f"{stem}.docx")).paragraphs]
    assert paragraphs == texts[stem].strip().split("\n\n")


def test_codings_have_the_agreed_columns_and_coder() -> None:
    for coder in CODERS:
        path = STUDY / "codings" / f"{coder}.csv"
        with path.open(encoding="utf-8", newline="") as handle:
            assert next(csv.reader(handle)) == ["transcript", "coder", "code", "quote"]
        assert {row["coder"] for row in read_csv(path)} == {coder}


def test_every_transcript_has_exactly_one_participant_row() -> None:
    rows = read_csv(STUDY / "participants.csv")
    assert list(rows[0]) == ["transcript", "field", "role", "years_experience", "skill_level", "domain"]
    assert sorted(r["transcript"] for r in rows) == sorted(transcript_paths())
    for row in rows:
        assert row["field"] in {"academia", "industry"}
        assert row["skill_level"] in {"novice", "intermediate", "expert"}
        assert int(row["years_experience"]) >= 0


def test_each_coder_codes_every_interview_8_to_15_times() -> None:
    counts = Counter((row["coder"], row["transcript"]) for row in codings())
    for coder in CODERS:
        for stem in transcript_paths():
            assert 8 <= counts[coder, stem] <= 15, (coder, stem, counts[coder, stem])


def test_labels_are_unique_per_coder_ignoring_case() -> None:
    for coder in CODERS:
        labels = {row["code"] for row in codings() if row["coder"] == coder}
        assert len({label.casefold() for label in labels}) == len(labels)


def test_codebook_maps_every_raw_code_exactly_once() -> None:
    rows = read_csv(STUDY / "codebook.csv")
    assert list(rows[0]) == ["category", "theme", "code", "definition", "coder", "raw_code"]
    keys = Counter((r["coder"], r["raw_code"]) for r in rows)
    assert max(keys.values()) == 1
    used = {(row["coder"], row["code"]) for row in codings()}
    assert set(keys) == used
    assert 70 <= len(keys) <= 100


def test_harmonised_codes_have_one_category_theme_and_definition() -> None:
    described = {(r["code"], r["category"], r["theme"], r["definition"]) for r in read_csv(STUDY / "codebook.csv")}
    assert len(described) == len({d[0] for d in described})
    assert {d[1] for d in described} == {"methods", "goals", "contextual factors"}
    assert 20 <= len(described) <= 30


def test_coders_never_share_a_label_for_a_concept() -> None:
    labels: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in read_csv(STUDY / "codebook.csv"):
        labels[row["code"], row["coder"]].add(row["raw_code"].casefold())
    for code in {code for code, _ in labels}:
        ana, ben, chloe = (labels[code, coder] for coder in CODERS)
        assert ana and ben and chloe, code
        assert not (ana & ben or ana & chloe or ben & chloe), code


def new_concepts_per_interview() -> list[int]:
    """How many harmonised codes first appear in each interview, in import order."""
    key = harmonised()
    seen: set[str] = set()
    per_stem: dict[str, set[str]] = defaultdict(set)
    for row in codings():
        per_stem[row["transcript"]].add(key[row["coder"], row["code"]])
    new = []
    for stem in transcript_paths():
        new.append(len(per_stem[stem] - seen))
        seen |= per_stem[stem]
    return new


def test_new_concepts_stop_before_the_last_four_interviews() -> None:
    new = new_concepts_per_interview()
    assert new[-4:] == [0, 0, 0, 0]
    assert sum(new[:4]) >= sum(new) / 2
    assert sum(new[4:]) > 0
