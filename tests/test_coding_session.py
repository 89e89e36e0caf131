"""CodingSession: one coder's view and actions, blind to the others, with a persistent undo journal."""

from __future__ import annotations

from pathlib import Path

import pytest

from codebench.domain.errors import ConflictError, InputError, NotFoundError
from codebench.services import codings as codings_service
from codebench.services.coders import add_coders
from codebench.services.coding_session import CodingSession, rank_codes, trim_span
from codebench.services.project import init_project, open_project
from codebench.services.transcripts import import_transcripts
from codebench.domain.model import Code

TEXT = """Interviewer: How do you pick a tuning method?

Mira Koss: I start with a coarse grid. Then I switch to random search when the grid gets too big.

Interviewer: And the budget?

Mira Koss: The budget decides everything. We rent machines by the hour.
"""


@pytest.fixture
def store(tmp_path: Path, sqlite_url: str):
    store, _ = init_project(sqlite_url)
    source = tmp_path / "mira.txt"
    source.write_text(TEXT, encoding="utf-8")
    import_transcripts(store, [source])
    add_coders(store, ["ana", "ben"])
    yield store
    store.close()


def view(session: CodingSession) -> tuple[list[tuple], list[tuple]]:
    """What a coder sees, without row ids (undo re-creates rows)."""
    return ([(c.code, c.start, c.end, c.quote, c.memo) for c in session.codings("mira")],
            [(c.label, c.memo, c.uses) for c in session.codes()])


def span(word: str) -> tuple[int, int]:
    start = TEXT.index(word)
    return start, start + len(word)


def test_add_coding_creates_code_and_marks_in_progress(store) -> None:
    ana = CodingSession(store, "ana")
    coding = ana.add_coding("mira", *span("coarse grid"), label="Grid search")
    assert (coding.code, coding.quote, coding.coder) == ("Grid search", "coarse grid", "ana")
    mine = ana.transcripts()[0]
    assert (mine.status, mine.codings) == ("in progress", 1)
    assert [c.label for c in ana.codes()] == ["Grid search"]
    again = ana.add_coding("mira", *span("coarse grid"), code_id=coding.code_id)
    assert again.id == coding.id and len(ana.codings("mira")) == 1


def test_span_is_trimmed_and_empty_refused(store) -> None:
    ana = CodingSession(store, "ana")
    a, b = span("random search")
    assert ana.add_coding("mira", a - 1, b + 1, label="x").quote == "random search"
    with pytest.raises(InputError):
        ana.add_coding("mira", a - 1, a, label="x")
    assert trim_span("  ab ", 0, 5) == (2, 4)


def test_several_codes_on_one_quote_change_code_span_memo_delete(store) -> None:
    ana = CodingSession(store, "ana")
    first = ana.add_coding("mira", *span("random search"), label="random search")
    second = ana.add_coding("mira", *span("random search"), label="switching methods")
    assert {c.code for c in ana.codings("mira")} == {"random search", "switching methods"}
    changed = ana.change_code(second.id, label="method change")
    assert changed.code == "method change"
    wider = ana.change_span(first.id, *span("switch to random search"))
    assert wider.quote == "switch to random search"
    assert ana.set_coding_memo(wider.id, "  the move away from grids ").memo == "the move away from grids"
    ana.add_coding("mira", *span("random search"), label="tuning")
    with pytest.raises(ConflictError):
        ana.change_code(changed.id, label="tuning")  # that code is already on this quote
    ana.undo()
    ana.delete_coding(changed.id)
    assert [c.code for c in ana.codings("mira")] == ["random search"]


def test_undo_redo_every_action_and_after_restart(store, sqlite_url: str) -> None:
    ana = CodingSession(store, "ana")
    c = ana.add_coding("mira", *span("budget decides"), label="budget")
    ana.change_span(c.id, *span("The budget decides everything"))
    ana.set_coding_memo(ana.codings("mira")[0].id, "money first")
    code_id = ana.codes()[0].id
    ana.rename_code(code_id, "compute budget")
    ana.set_code_memo(code_id, "cost of machines")
    states = []
    for _ in range(5):
        states.append(view(ana))
        assert ana.undo() is not None
    assert view(ana) == ([], [])
    assert ana.undo() is None
    assert ana.redo() == "add coding"
    assert ana.redo() == "change span"

    restarted = CodingSession(open_project(sqlite_url), "ana")
    assert restarted.redo() == "coding memo"
    assert restarted.undo() == "coding memo"
    assert restarted.undo() == "change span"
    assert [c.quote for c in restarted.codings("mira")] == ["budget decides"]
    for expected in ("change span", "coding memo", "rename code", "code memo"):
        assert restarted.redo() == expected
    assert view(restarted) == states[0]
    assert restarted.redo() is None


def test_new_action_drops_redo_tail(store) -> None:
    ana = CodingSession(store, "ana")
    ana.add_coding("mira", *span("coarse grid"), label="grid")
    ana.undo()
    ana.add_coding("mira", *span("random search"), label="random")
    assert ana.redo() is None
    assert [c.code for c in ana.codings("mira")] == ["random"]


def test_merge_own_codes_and_undo_restores_both(store) -> None:
    ana = CodingSession(store, "ana")
    ana.add_coding("mira", *span("coarse grid"), label="grid")
    ana.add_coding("mira", *span("random search"), label="random")
    ana.add_coding("mira", *span("random search"), label="grid")
    before = view(ana)
    grid, random_ = sorted(ana.codes(), key=lambda c: c.label)
    ana.merge_codes(random_.id, grid.id)
    assert [(c.code, c.quote) for c in ana.codings("mira")] == [("grid", "coarse grid"), ("grid", "random search")]
    assert [c.label for c in ana.codes()] == ["grid"]
    assert ana.undo() == "merge codes"
    assert view(ana) == before
    assert ana.redo() == "merge codes"
    assert [c.label for c in ana.codes()] == ["grid"]


def test_recreated_code_with_taken_id_is_remapped(store) -> None:
    ana, ben = CodingSession(store, "ana"), CodingSession(store, "ben")
    c = ana.add_coding("mira", *span("coarse grid"), label="grid")
    ana.undo()  # drops the coding and the new code, whose id is now free
    ben.add_coding("mira", *span("coarse grid"), label="ben's grid")  # takes that id
    assert ben.codes()[0].id == c.code_id
    assert ana.redo() == "add coding"
    assert [x.code for x in ana.codings("mira")] == ["grid"]
    assert ana.codes()[0].id != c.code_id
    assert ana.undo() == "add coding" and ana.codes() == []
    assert [x.code for x in ben.codings("mira")] == ["ben's grid"]


def test_blind_coding_at_service_level(store) -> None:
    ana, ben = CodingSession(store, "ana"), CodingSession(store, "ben")
    theirs = ben.add_coding("mira", *span("rent machines"), label="renting compute", memo="ben's memo")
    ana.add_coding("mira", *span("coarse grid"), label="grid")
    assert [c.coder for c in ana.codings("mira")] == ["ana"]
    assert [c.label for c in ana.codes()] == ["grid"]
    assert ana.ranked_codes("renting compute") == []
    assert ana.recent_codes() == [c for c in ana.codes()]
    assert ana.workspace("mira") == (ana.codings("mira"), ana.codes(), ana.recent_codes())
    assert ana.transcripts()[0].codings == 1
    for attempt in (lambda: ana.delete_coding(theirs.id), lambda: ana.change_span(theirs.id, 0, 5),
                    lambda: ana.set_coding_memo(theirs.id, "x"), lambda: ana.change_code(theirs.id, label="x"),
                    lambda: ana.rename_code(theirs.code_id, "x"), lambda: ana.set_code_memo(theirs.code_id, "x"),
                    lambda: ana.merge_codes(theirs.code_id, ana.codes()[0].id),
                    lambda: ana.add_coding("mira", 0, 5, code_id=theirs.code_id)):
        with pytest.raises(NotFoundError):
            attempt()
    ana.undo(), ana.undo()
    assert ben.codings("mira")[0] == theirs  # ana's undo never touches ben's journal
    assert codings_service.codings(store, coder="ben")[0].memo == "ben's memo"


def test_unknown_coder_is_refused(store) -> None:
    with pytest.raises(NotFoundError):
        CodingSession(store, "nobody")


def test_done_and_reopen(store) -> None:
    ana = CodingSession(store, "ana")
    assert ana.set_done("mira", True) == "done"
    assert ana.transcripts()[0].status == "done"
    assert ana.set_done("mira", False) == "in progress"
    assert CodingSession(store, "ben").transcripts()[0].status == "not started"


def test_rank_codes_best_first_ties_by_use() -> None:
    codes = [Code(1, "ana", "grid search", uses=1), Code(2, "ana", "Grid search budget", uses=9),
             Code(3, "ana", "random search", uses=4), Code(4, "ana", "gut feeling", uses=2),
             Code(5, "ana", "grid search!", uses=7)]
    ranked = rank_codes(codes, "grid search")
    assert [c.id for c in ranked[:2]] == [5, 1]  # both score 100 after normalisation; 5 used more
    assert 4 not in [c.id for c in ranked]
    assert [c.id for c in rank_codes(codes, "")] == [2, 5, 3, 4, 1]
    assert rank_codes(codes, "zzzz") == []
