"""The indexed quote finder gives exactly the answers of the plain locator; row validation fast path."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from codebench.domain.quotes import KEY, STRIDE, QuoteFinder, locate_quote
from codebench.services.codings import CodingRow, Fields, record_validator

# A small alphabet makes repeated blocks, near misses and hash-bucket sharing common.
small_text = st.text(alphabet="ab \n", max_size=400) | st.builds(
    lambda part, times, tail: part * times + tail,
    st.text(alphabet="ab c", min_size=1, max_size=30), st.integers(1, 20), st.text(alphabet="abc", max_size=40))
any_text = st.text(max_size=300)


@st.composite
def text_and_quotes(draw: st.DrawFn, texts: st.SearchStrategy[str] = small_text) -> tuple[str, list[str]]:
    """A text and quotes: slices of it (often repeated elsewhere), edited slices and free strings."""
    text = draw(texts)
    quotes = []
    for _ in range(draw(st.integers(0, 12))):
        kind = draw(st.sampled_from(["slice", "edited", "free"]))
        if kind == "free" or not text:
            quotes.append(draw(texts))
            continue
        start = draw(st.integers(0, len(text) - 1))
        quote = text[start : draw(st.integers(start + 1, len(text)))]
        if kind == "edited":
            at = draw(st.integers(0, len(quote)))
            quote = quote[:at] + draw(st.sampled_from(["a", " ", "  ", "\n", "b"])) + quote[at:]
        quotes.append(quote)
    return text, quotes


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(text_and_quotes())
@example(("ab" * 40, ["ab" * 12, "ba" * 12 + "b", "b" + "ab" * 11]))
def test_find_all_is_str_find(case: tuple[str, list[str]]) -> None:
    text, quotes = case
    assert QuoteFinder(text).find_all(quotes) == [text.find(q) for q in quotes]


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(text_and_quotes(any_text))
def test_find_all_is_str_find_on_any_unicode(case: tuple[str, list[str]]) -> None:
    text, quotes = case
    assert QuoteFinder(text).find_all(quotes) == [text.find(q) for q in quotes]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text_and_quotes())
def test_locate_all_is_locate_quote(case: tuple[str, list[str]]) -> None:
    text, quotes = case
    assert QuoteFinder(text).locate_all(quotes) == [locate_quote(text, q) for q in quotes]


def test_the_first_of_several_occurrences_is_found_past_an_earlier_false_block() -> None:
    # The quote's keys occur early at aligned positions without the whole quote following them.
    quote = "alpha beta gamma delta epsilon"
    text = quote[:KEY] + "x" * (3 * STRIDE) + "noise " + quote + " and " + quote
    assert QuoteFinder(text).find_all([quote]) == [text.index(quote)]
    assert QuoteFinder(text).locate_all([quote])[0].how == "exact"


def test_whitespace_and_fuzzy_attempts_are_kept() -> None:
    text = "Ana: we tried   a grid\nsearch first, then random search over the learning rate."
    finder = QuoteFinder(text)
    spaced, fuzzy, missing, blank = finder.locate_all(
        ["tried a grid search first", "then random search over the learning rat", "bayesian optimisation", "  "])
    assert (spaced.how, text[spaced.start : spaced.end]) == ("whitespace", "tried   a grid\nsearch first")
    assert fuzzy == locate_quote(text, "then random search over the learning rat")
    assert missing is None and blank is None


def _row(**values: str) -> dict[str, str]:
    return {"transcript": "t1", "coder": "ana", "code": "grid", "quote": "we tried", **values}


def _by_pydantic(values: dict[str, str]) -> Fields:
    row = CodingRow.model_validate(values)
    return Fields(row.transcript, row.coder, row.code, row.quote, row.start, row.end, row.memo)


def validate_row(values: dict[str, str]) -> Fields:
    """The row's fields as the import's validator gives them."""
    return record_validator(list(values))(list(values.values()))


cell = st.sampled_from(["", " ", "0", "12", "007", " 3 ", "-1", "+4", "1_0", "x", "٣", "2.0", "a note"])


@settings(max_examples=300)
@given(transcript=cell, coder=cell, code=cell, start=st.none() | cell, end=st.none() | cell, memo=st.none() | cell)
def test_validate_row_agrees_with_coding_row(transcript: str, coder: str, code: str, start: str | None,
                                             end: str | None, memo: str | None) -> None:
    values = {"transcript": transcript, "coder": coder, "code": code, "quote": "q"}
    values |= {k: v for k, v in (("start", start), ("end", end), ("memo", memo)) if v is not None}
    try:
        expected = _by_pydantic(values)
    except ValidationError as exc:
        with pytest.raises(ValidationError) as raised:
            validate_row(values)
        assert raised.value.errors(include_context=False) == exc.errors(include_context=False)
    else:
        assert validate_row(values) == expected


def test_validate_row_plain_values() -> None:
    assert validate_row(_row(start="4", end="12", memo=" ")) == Fields("t1", "ana", "grid", "we tried", 4, 12, None)
    assert validate_row(_row(transcript=" t1 ", memo="first pass")).memo == "first pass"
    with pytest.raises(ValidationError):
        validate_row(_row(start="4"))
