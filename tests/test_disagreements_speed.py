"""The disagreements of every code from one pass against the per-code reference.

- ``find_all_disagreements`` against ``find_disagreements`` called code by code, and ``disagreement_labels``
  against a scan of every coding, on random small inputs.
- The service against the listing built the plain way (one ``CodedSpan`` per coding, ``find_disagreements``
  per code, labels and turns looked up coding by coding), on SQLite and PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from _exports_study import build_study
from hypothesis import given, settings
from hypothesis import strategies as st

from codebench.domain.agreement import (
    AgreementInput,
    CodingTable,
    TranscriptUnits,
    disagreement_labels,
    find_all_disagreements,
    find_disagreements,
)
from codebench.domain.errors import InputError
from codebench.domain.model import CodedSpan
from codebench.domain.units import units_for
from codebench.services.agreement import QuoteDisagreement, disagreements
from codebench.services.project import open_project
from codebench.store.tx import Tx

CODES = "xyzw"
LABELS = ("Cost", "cost", "budget", "time")


@st.composite
def labelled_projects(draw):
    """A random small agreement input with units of any length and one raw label per coding."""
    coders = tuple(f"c{i}" for i in range(draw(st.integers(1, 4))))
    transcripts, observed, spans, labels = [], {c: set() for c in coders}, [], []
    for t in range(draw(st.integers(1, 3))):
        length = draw(st.integers(1, 50))
        bounds = sorted(draw(st.sets(st.integers(0, length), min_size=2, max_size=6)))
        units = [(start, end) for start, end in zip(bounds, bounds[1:], strict=False) if draw(st.booleans())]
        transcripts.append(TranscriptUnits(f"t{t}", length, tuple(units)))
        for coder in coders:
            if draw(st.booleans()):
                observed[coder].add(f"t{t}")
                for _ in range(draw(st.integers(0, 6))):
                    start = draw(st.integers(0, length - 1))
                    end = draw(st.integers(start + 1, length))
                    spans.append(CodedSpan(coder, f"t{t}", start, end, draw(st.sampled_from(CODES))))
                    labels.append(draw(st.sampled_from(LABELS)))
    data = AgreementInput(coders, tuple(transcripts), {c: frozenset(v) for c, v in observed.items()}, tuple(spans))
    return data, labels


@settings(max_examples=300, deadline=None)
@given(labelled_projects(), st.integers(1, 4), st.none() | st.lists(st.sampled_from(CODES), unique=True),
       st.booleans())
def test_all_codes_at_once_equal_code_by_code(project, min_overlap, codes, as_table):
    data, labels = project
    if as_table:
        data = AgreementInput(data.coders, data.transcripts, data.observed, CodingTable.of(data.codings))
    table = CodingTable.of(data.codings)
    chosen = table.used_codes() if codes is None else codes
    found = find_all_disagreements(data, codes, min_overlap)
    assert found == {code: find_disagreements(data, code, min_overlap) for code in chosen}
    spans = [table.span(row) for row in range(len(table))]
    assert disagreement_labels(table, labels, found, min_overlap) == [
        {coder: tuple(sorted({label for span, label in zip(spans, labels, strict=True)
                              if (span.coder, span.transcript, span.code) == (coder, row.transcript, code)
                              and min(span.end, row.unit[1]) - max(span.start, row.unit[0]) >= min_overlap}))
         for coder in row.coders_with}
        for code, rows in found.items() for row in rows
    ]


def test_all_codes_at_once_reject_what_the_reference_rejects():
    units = (TranscriptUnits("t", 20, ((0, 10), (10, 20))),)
    unobserved = AgreementInput(("a", "b"), units, {"a": frozenset({"t"}), "b": frozenset()},
                                (CodedSpan("b", "t", 0, 5, "x"),))
    for data, min_overlap in ((unobserved, 1), (AgreementInput(("a", "b"), units, {}, ()), 0)):
        with pytest.raises(InputError) as reference:
            find_disagreements(data, "x", min_overlap)
        with pytest.raises(InputError) as all_codes:
            find_all_disagreements(data, ["x"], min_overlap)
        assert str(all_codes.value) == str(reference.value)
    assert find_all_disagreements(unobserved, [], 0) == {}


# ---------------------------------------------------------------- the service against the plain reads


def _reference_rows(tx: Tx, level: str, unit: str, min_overlap: int) -> list[dict]:
    """The listing the plain way: ``find_disagreements`` code by code, labels and turns found by scanning."""
    texts, turns, observed, codings = tx.all_texts(), tx.all_turns(), tx.observed(), tx.analysis_codings()
    names = [t.name for t in tx.transcripts()]
    coders = tuple(c.name for c in tx.coders() if observed.get(c.name, frozenset()) & set(names))
    counted = [a for a in codings if a.key(level) is not None]
    data = AgreementInput(
        coders=coders,
        transcripts=tuple(TranscriptUnits(name, len(texts[name]), tuple(units_for(
            texts[name], [(t.speech_start, t.end) for t in turns.get(name, [])], unit))) for name in names),
        observed={c: observed.get(c, frozenset()) for c in coders},
        codings=tuple(CodedSpan(a.coder, a.transcript, a.start, a.end, a.key(level)) for a in counted),
    )
    rows = []
    for code in sorted({a.key(level) for a in counted}):
        for found in find_disagreements(data, code, min_overlap):
            start, end = found.unit
            turn = [t for t in turns.get(found.transcript, []) if t.start <= start][-1:]
            rows.append(QuoteDisagreement(
                code=code, transcript=found.transcript, turn=turn[0].idx + 1 if turn else None,
                speaker=turn[0].speaker if turn else None, start=start, end=end,
                text=texts[found.transcript][start:end], coders_with=found.coders_with,
                coders_without=found.coders_without,
                labels={coder: tuple(sorted({a.raw for a in counted if (a.coder, a.transcript, a.key(level)) == (
                    coder, found.transcript, code) and min(a.end, end) - max(a.start, start) >= min_overlap}))
                    for coder in found.coders_with},
            ).to_dict())
    return rows


@pytest.mark.parametrize(("level", "unit", "min_overlap"),
                         [("harmonised", "turn", 1), ("raw", "turn", 1), ("raw", "sentence", 8)])
def test_service_listing_equals_the_plain_reference(any_cli, tmp_path: Path, level: str, unit: str,
                                                    min_overlap: int) -> None:
    build_study(any_cli, tmp_path)
    store = open_project(any_cli.url)
    try:
        result = disagreements(store, level=level, unit=unit, min_overlap=min_overlap)
        reference = store.read(lambda tx: _reference_rows(tx, level, unit, min_overlap))
    finally:
        store.close()
    assert result.to_dict()["disagreements"] == reference
    assert len(reference) >= 2
