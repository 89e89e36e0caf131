"""Unit segmentation: turns, sentences and paragraphs as character spans."""

from __future__ import annotations

import pytest

from codebench.domain.errors import InputError
from codebench.domain.units import units_for

TEXT = "Ana: I moved here in May. Was it hard? Yes!\n\nIt was…  Fine.\nBo: Why? Tell me more."
TURNS = [(0, TEXT.index("\nBo:")), (TEXT.index("Bo:"), len(TEXT))]


def pieces(spans):
    return [TEXT[s:e] for s, e in spans]


def test_turn_units_are_the_turns():
    assert units_for(TEXT, TURNS, "turn") == TURNS


def test_sentences_split_after_terminators_followed_by_whitespace_within_turns():
    assert pieces(units_for(TEXT, TURNS, "sentence")) == [
        "Ana: I moved here in May.", "Was it hard?", "Yes!", "It was…", "Fine.", "Bo: Why?", "Tell me more.",
    ]


def test_paragraphs_split_at_blank_lines_and_turn_boundaries():
    assert pieces(units_for(TEXT, TURNS, "paragraph")) == [
        "Ana: I moved here in May. Was it hard? Yes!", "It was…  Fine.", "Bo: Why? Tell me more.",
    ]


def test_text_without_blank_lines_has_one_paragraph_per_turn():
    text = "Ana: one. two.\nBo: three."
    turns = [(0, 14), (15, len(text))]
    assert units_for(text, turns, "paragraph") == turns


def test_a_decimal_point_does_not_end_a_sentence_and_spans_are_trimmed():
    text = "  It cost 3.50 euros. Then  "
    assert [text[s:e] for s, e in units_for(text, [], "sentence")] == ["It cost 3.50 euros.", "Then"]


def test_bad_kind_and_bad_turn_are_input_errors():
    with pytest.raises(InputError):
        units_for(TEXT, TURNS, "chapter")
    with pytest.raises(InputError):
        units_for("short", [(0, 99)], "sentence")
