"""The agreement's fast paths against simple references.

- The service reads ids through lean queries and hands the domain a ``CodingTable``; the reference builds
  the same input the plain way (``analysis_codings``, ``all_turns``, one ``CodedSpan`` per coding), on
  SQLite and PostgreSQL.
- The report takes MASI alpha, the unit histogram and prevalence from the presence array's entries; the
  references spell MASI alpha out over every pair of values (exact fractions) and count codes per unit
  with Python loops.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from _exports_study import build_study
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from codebench.domain.agreement import AgreementInput, CodingTable, TranscriptUnits, compute_agreement
from codebench.domain.agreement.masi import alpha_masi_entries
from codebench.domain.model import CodedSpan
from codebench.domain.units import units_for
from codebench.services.agreement import agreement_report
from codebench.services.project import open_project
from codebench.store.tx import Tx

# ---------------------------------------------------------------- MASI alpha from entries


def _masi(a: frozenset[int], b: frozenset[int]) -> Fraction:
    if a == b:
        return Fraction(1)
    shared = len(a & b)
    monotonicity = Fraction(2, 3) if shared == min(len(a), len(b)) else Fraction(1, 3) if shared else Fraction(0)
    return Fraction(shared, len(a | b)) * monotonicity


def _reference_masi_alpha(observed: np.ndarray, present: np.ndarray) -> Fraction | None:
    """Alpha with MASI distance, every pair of values spelled out in exact fractions (None: undefined)."""
    units = [[frozenset(np.flatnonzero(present[u, c]).tolist()) for c in np.flatnonzero(observed[u])]
             for u in range(observed.shape[0])]
    units = [values for values in units if len(values) >= 2]
    pooled = [value for values in units for value in values]
    n = len(pooled)
    if n < 2:
        return None
    within = sum((sum(1 - _masi(a, b) for i, a in enumerate(values) for j, b in enumerate(values) if i != j)
                  / (len(values) - 1) for values in units), Fraction(0))
    expected = sum((1 - _masi(a, b) for a in pooled for b in pooled), Fraction(0))
    return None if expected == 0 else 1 - (n - 1) * within / expected


@settings(max_examples=300, deadline=None)
@given(st.tuples(st.integers(1, 8), st.integers(1, 4), st.integers(1, 5)).flatmap(
    lambda shape: st.tuples(arrays(bool, shape[:2]), arrays(bool, shape))))
def test_masi_alpha_from_entries_equals_all_pairs_spelled_out(units):
    observed, present = units
    got = alpha_masi_entries(*np.nonzero(present & observed[..., None]), observed)
    reference = _reference_masi_alpha(observed, present)
    if reference is None:
        assert got.value is None and got.reason
    else:
        assert got.value == pytest.approx(float(reference), abs=1e-12)


# ---------------------------------------------------------------- the report from a coding table


@st.composite
def projects(draw):
    """A random small agreement input: turn-like units, coders who observed some transcripts, codings."""
    coders = tuple(f"c{i}" for i in range(draw(st.integers(2, 4))))
    transcripts, observed, spans = [], {c: set() for c in coders}, []
    for t in range(draw(st.integers(1, 3))):
        cuts = sorted(draw(st.sets(st.integers(1, 39), max_size=4)))
        bounds = [0, *cuts, 40]
        transcripts.append(TranscriptUnits(f"t{t}", 40, tuple(zip(bounds, bounds[1:], strict=False))))
        for coder in coders:
            if draw(st.booleans()):
                observed[coder].add(f"t{t}")
                for _ in range(draw(st.integers(0, 5))):
                    start = draw(st.integers(0, 39))
                    end = draw(st.integers(start + 1, 40))
                    spans.append(CodedSpan(coder, f"t{t}", start, end, draw(st.sampled_from("xyz"))))
    return AgreementInput(coders, tuple(transcripts), {c: frozenset(v) for c, v in observed.items()}, tuple(spans))


def _reference_counts(data: AgreementInput, codes: list[str], min_overlap: int) -> tuple[list, list]:
    """Per unit (in input order): observing coders and, per code, how many of them gave it."""
    observers, given = [], []
    for transcript in data.transcripts:
        for start, end in transcript.units:
            watching = [c for c in data.coders if transcript.name in data.observed[c]]
            observers.append(len(watching))
            given.append([sum(any(s.coder == c and s.transcript == transcript.name and s.code == code
                                  and min(s.end, end) - max(s.start, start) >= min_overlap for s in data.codings)
                              for c in watching) for code in codes])
    return observers, given


@settings(max_examples=150, deadline=None)
@given(projects(), st.integers(1, 3), st.randoms(use_true_random=False))
def test_report_from_entries_matches_counts_per_unit_and_any_table_order(data, min_overlap, rng):
    report = compute_agreement(data, min_overlap=min_overlap)
    codes = sorted({s.code for s in data.codings})
    observers, given = _reference_counts(data, codes, min_overlap)
    pairable = [u for u, m in enumerate(observers) if m >= 2]
    by_code = {c.code: c for c in report.codes}
    assert sorted(by_code) == codes
    values = sum(observers)
    for k, code in enumerate(codes):
        result = by_code[code]
        assert result.units == len(pairable)
        assert result.prevalence == (pytest.approx(sum(g[k] for g in given) / values) if values else None)
        zeros = sum(observers[u] - given[u][k] for u in pairable)
        ones = sum(given[u][k] for u in pairable)
        if zeros and ones:  # nominal alpha on binary values: 1 - (n - 1) * 2 o_01 / (2 n_0 n_1)
            mixed = sum(Fraction(given[u][k] * (observers[u] - given[u][k]), observers[u] - 1) for u in pairable)
            assert result.alpha.value == pytest.approx(1 - float((zeros + ones - 1) * mixed / (zeros * ones)))
        else:
            assert result.alpha.value is None and result.alpha.reason
    shuffled = list(data.codings)
    rng.shuffle(shuffled)
    table = CodingTable.of(shuffled)  # other row order, other name indices
    again = compute_agreement(AgreementInput(data.coders, data.transcripts, data.observed, table),
                              min_overlap=min_overlap)
    assert again.to_dict() == report.to_dict()


def test_coding_table_round_trips_and_reindexes():
    spans = [CodedSpan("b", "t2", 0, 5, "y"), CodedSpan("a", "t1", 3, 9, "x"), CodedSpan("b", "t1", 1, 2, "x")]
    table = CodingTable.of(spans)
    assert [table.span(i) for i in range(len(table))] == spans
    assert table.used_codes() == ["x", "y"]
    assert table.indexed({"a": 0, "b": 1}, {"t1": 0}, {"x": 5}).tolist() == [
        [1, -1, -1, 0, 5], [0, 0, 5, 3, 9], [1, 0, 5, 1, 2]]
    assert CodingTable.of(table) is table


# ---------------------------------------------------------------- the service against the plain reads


def _reference_input(tx: Tx, level: str, unit: str) -> AgreementInput:
    """The agreement input built the plain way: one CodedSpan per coding, turns as domain objects."""
    texts, turns, observed = tx.all_texts(), tx.all_turns(), tx.observed()
    names = [t.name for t in tx.transcripts()]
    coders = tuple(c.name for c in tx.coders() if observed.get(c.name, frozenset()) & set(names))
    return AgreementInput(
        coders=coders,
        transcripts=tuple(TranscriptUnits(name, len(texts[name]), tuple(units_for(
            texts[name], [(t.speech_start, t.end) for t in turns.get(name, [])], unit))) for name in names),
        observed={c: observed.get(c, frozenset()) for c in coders},
        codings=tuple(CodedSpan(a.coder, a.transcript, a.start, a.end, key) for a in tx.analysis_codings()
                      if (key := a.key(level)) is not None),
    )


@pytest.mark.parametrize(("level", "unit"), [("harmonised", "turn"), ("raw", "turn"), ("harmonised", "sentence")])
def test_service_report_equals_the_plain_reference(any_cli, tmp_path: Path, level: str, unit: str) -> None:
    build_study(any_cli, tmp_path)
    store = open_project(any_cli.url)
    try:
        result = agreement_report(store, level=level, unit=unit)
        reference = compute_agreement(store.read(lambda tx: _reference_input(tx, level, unit)), level=level, unit=unit)
    finally:
        store.close()
    assert result.report.to_dict() == reference.to_dict()
    assert len(result.report.codes) >= 3


def test_lean_reads_match_the_orm_reads(any_cli, tmp_path: Path) -> None:
    build_study(any_cli, tmp_path)
    store = open_project(any_cli.url)

    def read(tx: Tx) -> tuple:
        return (tx.coding_ids(), tx.codings(), tx.turn_rows(), tx.all_turns(), tx.transcript_texts(), tx.all_texts(),
                tx.transcripts(), tx.coder_ids())

    try:
        ids, codings, turn_rows, turns, transcript_texts, texts, transcripts, coder_ids = store.read(read)
    finally:
        store.close()
    transcript_ids = {t.name: t.id for t in transcripts}
    assert sorted(ids) == sorted((coder_ids[c.coder], transcript_ids[c.transcript], c.start, c.end, c.code_id)
                                 for c in codings)
    assert turn_rows == [(transcript_ids[name], t.idx, t.speaker, t.start, t.speech_start, t.end)
                         for name in sorted(turns, key=transcript_ids.get) for t in turns[name]]
    assert transcript_texts == [(t.id, t.name, texts[t.name]) for t in transcripts]
