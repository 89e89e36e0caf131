"""The lead's service functions on a real SQLite project: quotes of a raw code, default names, group
rejects, theme moves with undo, and the data version the saturation dashboard polls."""

from __future__ import annotations

import pytest

from codebench.domain.errors import NotFoundError
from codebench.services import harmonise, lead
from codebench.services.coding_session import CodingSession
from codebench.store.store import Store

from lead_study import code_study


@pytest.fixture
def study(project: Store) -> Store:
    code_study(project)
    return project


def test_raw_code_quotes_lists_the_quotes_and_the_mapping(study: Store) -> None:
    found = lead.raw_code_quotes(study, "ben", "money LIMITS")
    assert (found.label, found.total, found.harmonised) == ("money limits", 1, None)
    assert [c.quote for c in found.codings] == ["The budget decides everything."]
    harmonise.merge(study, ["ana:budget", "ben:money limits"], "budget", by="lena")
    assert lead.raw_code_quotes(study, "ben", "money limits").harmonised == "budget"
    session = CodingSession(study, "ana")
    session.add_coding("tomas", 0, 11, label="budget")
    limited = lead.raw_code_quotes(study, "ana", "budget", limit=1)
    assert (limited.total, len(limited.codings), limited.codings[0].transcript) == (2, 1, "mira")
    with pytest.raises(NotFoundError):
        lead.raw_code_quotes(study, "ana", "no such code")


def test_suggested_name_is_the_most_common_label() -> None:
    assert lead.suggested_name([("a", "random search"), ("b", "Grid  search"), ("c", "grid search")]) == "Grid  search"
    assert lead.suggested_name([("a", "budget"), ("b", "money limits")]) == "budget"


def test_reject_group_remembers_every_pair_once(study: Store) -> None:
    refs = ["ana:grid search", "ben:Grid search", "ana:random search"]
    assert lead.reject_group(study, refs, by="lena", score=0.5) == 3
    assert lead.reject_group(study, refs, by="lena") == 0
    assert len(study.read(lambda tx: tx.never_merge_pairs())) == 3
    rejects = [d for d in harmonise.decisions(study) if d.action == "reject"]
    assert len(rejects) == 3 and {d.by for d in rejects} == {"lena"}
    assert all(("ana", "grid search") not in g.codes or ("ben", "Grid search") not in g.codes
               for g in harmonise.suggest(study))


def test_move_theme_is_logged_and_undone(study: Store) -> None:
    harmonise.add_theme(study, "Search methods", "methods", by="lena")
    assert harmonise.move_theme(study, "Search methods", "goals", by="lena") is True
    assert harmonise.move_theme(study, "Search methods", "goals", by="lena") is False
    assert harmonise.themes(study)[0][:2] == ("Search methods", "goals")
    undone = harmonise.undo(study, by="lena")
    assert undone is not None and undone.action == "theme_move"
    assert harmonise.themes(study)[0][:2] == ("Search methods", "methods")
    assert harmonise.undo(study, by="lena").action == "theme_add"
    assert harmonise.themes(study) == []
    with pytest.raises(NotFoundError):
        harmonise.move_theme(study, "Search methods", "goals")


def test_data_version_moves_with_every_change(study: Store) -> None:
    session = CodingSession(study, "ana")
    seen = {lead.data_version(study)}

    def changed() -> None:
        version = lead.data_version(study)
        assert version not in seen
        seen.add(version)

    coding = session.add_coding("tomas", 0, 11, label="opening")
    changed()
    session.change_code(coding.id, label="budget")
    changed()
    session.change_span(coding.id, 0, 12)
    changed()
    session.undo()
    changed()
    session.set_done("tomas", True)
    changed()
    harmonise.merge(study, ["ana:budget"], "budget", by="lena")
    changed()
    harmonise.undo(study, by="lena")
    changed()
    assert lead.data_version(study) == lead.data_version(study)
