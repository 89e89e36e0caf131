"""The fast read queries (``codebench.store.repo_reads``) give what the ORM reads give, on SQLite and PostgreSQL.

Each fast read is checked against a slower read of the same project (``codings()``, ``analysis_codings()``,
``all_turns()``), including codings of different coders on the same span, whose order comes from the
database's ordering of coder names (which differs between code-point and locale collations).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest
from _exports_study import build_study
from conftest import Cli

from codebench.services.project import open_project
from codebench.store.repo_reads import CodeUsage
from codebench.store.store import Store
from codebench.store.tx import Tx


@pytest.fixture
def store(any_cli: Cli, tmp_path: Path) -> Iterator[Store]:
    """The export study plus a coder "Zoe" who codes the same spans as ana (an upper-case name sorts
    before "ana" by code point, after it in most locales)."""
    build_study(any_cli, tmp_path)
    any_cli("coder", "add", "Zoe")
    project = open_project(any_cli.url)

    def copy_ana(tx: Tx) -> None:
        zoe_code = tx.add_missing_codes(tx.coder_ids()["Zoe"], ["again"])[0]["again"]
        for c in tx.codings("ana"):
            tx.add_coding("Zoe", c.transcript, zoe_code, c.start, c.end, c.quote)

    project.write(copy_ana)
    yield project
    project.close()


def test_quote_records_are_the_codings_in_the_same_order(store: Store) -> None:
    def read(tx: Tx) -> tuple:
        return tx.quote_records(tx.code_placements()), tx.codings(), tx.coders(), tx.transcripts()

    records, codings, coders, transcripts = store.read(read)
    coder_names, transcript_names = {c.id: c.name for c in coders}, {t.id: t.name for t in transcripts}
    assert [(coder_names[coder], code_id, transcript_names[transcript], start, end, quote, memo)
            for coder, code_id, transcript, start, end, quote, memo in records] == [
        (c.coder, c.code_id, c.transcript, c.start, c.end, c.quote, c.memo) for c in codings]
    assert any(a.start == b.start and a.coder != b.coder for a, b in zip(codings, codings[1:]))  # ties exist


def test_code_usage_matches_the_codings(store: Store) -> None:
    def read(tx: Tx) -> tuple:
        return tx.code_usage(tx.code_placements()), tx.codings(), tx.codes()

    (raw, harmonised), codings, codes = store.read(read)
    harmonised_of = {c.id: c.harmonised for c in codes}
    groups: dict[object, list] = defaultdict(list)
    for c in codings:  # in text order
        groups[c.code_id].append(c)
        if harmonised_of[c.code_id] is not None:
            groups[harmonised_of[c.code_id]].append(c)
    expected = {key: (len(cs), len({c.transcript for c in cs}), len({c.coder for c in cs}), cs[0].quote)
                for key, cs in groups.items()}
    got: dict[object, CodeUsage] = {**raw, **harmonised}
    assert {key: (u.codings, u.transcripts, u.coders, u.first_quote) for key, u in got.items()} == expected
    assert set(harmonised) == {h for h in harmonised_of.values() if h is not None}


def test_counts_spans_and_placements_match_the_analysis_codings(store: Store) -> None:
    def read(tx: Tx) -> tuple:
        return tx.code_placements(), tx.coding_counts(), tx.coding_spans(), tx.analysis_codings(), tx.codings()

    placements, counts, spans, analysis, codings = store.read(read)
    code_of = {(c.coder, c.transcript, c.start, c.end, c.code.casefold()): c.code_id for c in codings}
    for a in analysis:
        p = placements[code_of[(a.coder, a.transcript, a.start, a.end, a.raw.casefold())]]
        assert (p.coder, p.raw, p.harmonised, p.theme, p.category) == (a.coder, a.raw, a.harmonised, a.theme,
                                                                      a.category)
        assert all(p.key(level) == a.key(level) for level in ("raw", "harmonised", "theme", "category"))
    assert Counter({(t, coder, code_id): n for t, coder, code_id, n in counts}) == Counter(
        (c.transcript, c.coder, c.code_id) for c in codings)
    position = {t.name: t.position for t in store.read(lambda tx: tx.transcripts())}
    order = [(position[t], start, end) for _, t, start, end, _ in spans]
    assert order == sorted(order)
    assert Counter(spans) == Counter((c.coder, c.transcript, c.start, c.end, c.code_id) for c in codings)


def test_turn_marks_are_the_turns(store: Store) -> None:
    marks, turns = store.read(lambda tx: (tx.turn_marks(), tx.all_turns()))
    assert marks == {name: [(t.start, t.idx, t.speaker) for t in ts] for name, ts in turns.items()}
