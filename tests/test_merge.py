"""`codebench merge`: offline copies folded back into the team's project."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from codebench.domain.errors import InputError
from codebench.services import codings as codings_service
from codebench.services.coders import add_coders
from codebench.services.merge import merge_project
from codebench.services.project import init_project, open_project
from codebench.services.transcripts import import_attributes, import_transcripts
from codebench.store import models as m
from codebench.store.repo_merge import MergeRepo, ProjectSnapshot
from codebench.store.store import Store

P01 = "Interviewer: How do you choose a tuning method?\n\nMara: Random search first, the budget is small.\n"
P02 = "Interviewer: What about Bayesian optimisation?\n\nTeo: It needs too many trials before it helps.\n"
P03 = "Interviewer: Do you use defaults?\n\nIlse: Library defaults are my baseline, always.\n"


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def codings_csv(folder: Path, rows: list[tuple[str, str, str, str, str]]) -> Path:
    lines = ["transcript,coder,code,quote,memo"] + [",".join(r) for r in rows]
    return write(folder, f"codings-{len(list(folder.glob('codings-*')))}.csv", "\n".join(lines) + "\n")


def make_project(url: str, folder: Path, transcripts: dict[str, str], coders: list[str]) -> Store:
    store, _ = init_project(url)
    import_transcripts(store, [write(folder, f"{name}.txt", text) for name, text in transcripts.items()])
    add_coders(store, coders)
    return store


def snapshot(store: Store) -> ProjectSnapshot:
    return store.read(lambda tx: tx.snapshot())


def content(store: Store) -> dict[str, set]:
    """Everything that merge may change, as sets of natural-key tuples (order-free)."""
    snap = snapshot(store)
    return {name: set(getattr(snap, name)) for name in
            ("coders", "categories", "themes", "harmonised", "transcripts", "codes", "codings", "statuses",
             "never_merge", "settings")}


@pytest.fixture
def team(tmp_path: Path) -> tuple[Store, Store, Path]:
    """``here`` (ana coded P01) and an offline copy ``there`` where ben coded P01 and P02."""
    here = make_project(f"sqlite:///{tmp_path / 'here.db'}", tmp_path / "t", {"P01": P01, "P02": P02}, ["ana"])
    codings_service.import_codings(here, codings_csv(tmp_path, [("P01", "ana", "random search", "Random search first",
                                                                 "cheap")]))
    here.close()
    shutil.copy(tmp_path / "here.db", tmp_path / "there.db")
    here = open_project(f"sqlite:///{tmp_path / 'here.db'}")
    there = open_project(f"sqlite:///{tmp_path / 'there.db'}")
    codings_service.import_codings(there, codings_csv(tmp_path, [
        ("P01", "ben", "budget limits", "the budget is small", "time matters"),
        ("P02", "ben", "BO is slow", "needs too many trials", ""),
    ]), add_coders=True)
    there.write(lambda tx: tx.set_status("ben", "P01", "done"))
    yield here, there, tmp_path / "there.db"
    here.close()
    there.close()


def test_merge_brings_coders_codes_codings_memos_and_statuses(team) -> None:
    here, there, other = team
    report = merge_project(here, str(other))
    assert report.added["coders"] == 1 and report.added["codes"] == 2 and report.added["codings"] == 2
    assert not report.conflicts
    ben = {(c.transcript, c.code, c.quote, c.memo) for c in codings_service.codings(here, coder="ben")}
    assert ben == {("P01", "budget limits", "the budget is small", "time matters"),
                   ("P02", "BO is slow", "needs too many trials", None)}
    cells = {(c.transcript, c.coder): c.status for c in codings_service.status(here)}
    assert cells[("P01", "ben")] == "done" and cells[("P02", "ben")] == "in progress"
    assert content(here) == content(there)


def test_merging_twice_adds_nothing(team) -> None:
    here, _, other = team
    merge_project(here, str(other))
    before = content(here)
    again = merge_project(here, str(other))
    assert not again.changed and not again.conflicts
    assert content(here) == before


def test_dry_run_reports_exactly_and_changes_nothing(team) -> None:
    here, _, other = team
    before = content(here)
    dry = merge_project(here, str(other), dry_run=True)
    assert content(here) == before
    real = merge_project(here, str(other))
    assert (dry.added, dry.present, dry.conflicts) == (real.added, real.present, real.conflicts)
    assert content(here) != before


def test_same_name_other_content_is_a_reported_conflict(tmp_path: Path) -> None:
    here = make_project(f"sqlite:///{tmp_path / 'a.db'}", tmp_path / "a", {"P01": P01, "P02": P02}, ["ana"])
    there = make_project(f"sqlite:///{tmp_path / 'b.db'}", tmp_path / "b", {"P01": P03, "P02": P02}, ["ben"])
    codings_service.import_codings(there, codings_csv(tmp_path, [
        ("P01", "ben", "defaults", "Library defaults", ""), ("P02", "ben", "BO is slow", "too many trials", "")]))
    report = merge_project(here, str(tmp_path / "b.db"))
    assert len(report.conflicts) == 1 and "'P01' has other content" in report.conflicts[0]
    assert report.skipped["codings"] == 1
    assert [(c.transcript, c.code) for c in codings_service.codings(here, coder="ben")] == [("P02", "BO is slow")]
    text = here.read(lambda tx: tx.transcript_text("P01"))[0]
    assert text == P01  # not replaced, not guessed
    here.close()
    there.close()


def test_transcripts_match_by_content_and_new_ones_are_added(tmp_path: Path) -> None:
    here = make_project(f"sqlite:///{tmp_path / 'a.db'}", tmp_path / "a", {"P01": P01}, ["ana"])
    there = make_project(f"sqlite:///{tmp_path / 'b.db'}", tmp_path / "b", {"mara": P01, "P03": P03}, ["ben"])
    import_attributes(there, write(tmp_path, "attrs.csv", "transcript,field\nmara,biology\nP03,finance\n"))
    codings_service.import_codings(there, codings_csv(tmp_path, [
        ("mara", "ben", "budget", "budget is small", ""), ("P03", "ben", "defaults", "Library defaults", "")]))
    report = merge_project(here, str(tmp_path / "b.db"))
    assert any("'mara'" in n and "'P01' here" in n for n in report.notes)
    assert {(c.transcript, c.code) for c in codings_service.codings(here, coder="ben")} == {
        ("P01", "budget"), ("P03", "defaults")}
    infos = {t.name: t for t in here.read(lambda tx: tx.transcripts())}
    assert set(infos) == {"P01", "P03"}
    assert infos["P01"].attributes == {"field": "biology"} and infos["P03"].attributes == {"field": "finance"}
    assert here.read(lambda tx: tx.transcript_text("P03")) == there.read(lambda tx: tx.transcript_text("P03"))
    here.close()
    there.close()


def _decide(store: Store, coder: str, label: str, harmonised: str, theme: str, rejected: tuple[str, str]) -> None:
    """Record harmonisation decisions directly in the tables (the harmonise service's results)."""

    def work(tx) -> None:  # noqa: ANN001
        s = tx.session
        category = s.query(m.Category).filter_by(name="methods").one()
        th = m.Theme(name=theme, definition="how people search", category_id=category.id)
        s.add(th)
        s.flush()
        hc = m.HarmonisedCode(name=harmonised, definition="sampling the space at random", theme_id=th.id)
        s.add(hc)
        s.flush()
        code = s.query(m.Code).filter_by(label_key=label).one()
        code.harmonised_code_id = hc.id
        a, b = (s.query(m.Code).filter_by(label_key=k).one().id for k in rejected)
        s.add(m.NeverMerge(code_a_id=min(a, b), code_b_id=max(a, b)))
        s.add(m.MergeDecision(by=coder, action="merge", payload="{}"))
        s.add(m.Setting(key="glossary", value='{"BO": "Bayesian optimisation"}'))

    store.write(work)


def test_harmonisation_decisions_merge_or_say_why_not(team) -> None:
    here, there, other = team
    _decide(there, "ben", "budget limits", "random search", "search strategies", ("budget limits", "bo is slow"))
    report = merge_project(here, str(other))
    snap = snapshot(here)
    assert {(t.name, t.parent) for t in snap.themes} == {("search strategies", "methods")}
    assert {(h.name, h.parent) for h in snap.harmonised} == {("random search", "search strategies")}
    assert {(c.coder, c.label, c.harmonised) for c in snap.codes if c.harmonised} == {
        ("ben", "budget limits", "random search")}
    assert set(snap.never_merge) == {(("ben", "budget limits"), ("ben", "bo is slow"))}
    assert dict(snap.settings) == {"glossary": '{"BO": "Bayesian optimisation"}'}
    assert any("merge-log entries" in n and "not copied" in n for n in report.notes)
    assert snapshot(here).merge_log_entries == 0


def test_conflicting_decisions_keep_this_project_and_are_reported(team) -> None:
    here, there, other = team
    merge_project(here, str(other))
    _decide(there, "ben", "budget limits", "random search", "search strategies", ("budget limits", "bo is slow"))
    _decide(here, "ana", "budget limits", "budget", "search strategies", ("budget limits", "bo is slow"))
    here.write(lambda tx: tx.session.query(m.Setting).filter_by(key="glossary").update({"value": "{}"}))
    report = merge_project(here, str(other))
    assert any("code 'budget limits' of ben: harmonised code is 'budget' here" in c for c in report.conflicts)
    assert any("setting 'glossary'" in c for c in report.conflicts)
    codes = {c.label: c.harmonised for c in snapshot(here).codes if c.coder == "ben"}
    assert codes["budget limits"] == "budget"
    assert report.added["harmonised codes"] == 1  # 'random search' itself is new here, unmapped


def test_a_failing_merge_leaves_the_project_unchanged(team, monkeypatch: pytest.MonkeyPatch) -> None:
    here, _, other = team
    before = content(here)

    def broken(self, *args) -> None:  # noqa: ANN001
        raise InputError("simulated failure after codings were inserted")

    monkeypatch.setattr(MergeRepo, "_merge_never_merge", broken)
    with pytest.raises(InputError):
        merge_project(here, str(other))
    assert content(here) == before


def test_merging_a_project_into_itself_is_refused(team) -> None:
    here, _, _ = team
    with pytest.raises(InputError, match="into itself"):
        merge_project(here, str(Path(here.url.removeprefix("sqlite:///"))))


def test_cli_merge_json_and_errors(team, cli) -> None:  # noqa: ANN001
    here, _, other = team
    cli.url = here.url
    result = cli("merge", str(other), "--dry-run", "--format", "json")
    payload = json.loads(result.stdout)
    assert payload["dry_run"] is True and payload["added"]["codings"] == 2
    assert cli("merge", str(other)).exit_code == 0
    assert "nothing to merge" in cli("merge", str(other)).stdout
    missing = cli("merge", str(other.with_name("nowhere.db")), ok=False)
    assert missing.exit_code == 2 and "no project at" in missing.stderr


def test_merge_into_either_backend(db_url: str, tmp_path: Path) -> None:
    here = make_project(db_url, tmp_path / "a", {"P01": P01}, ["ana"])
    there = make_project(f"sqlite:///{tmp_path / 'b.db'}", tmp_path / "b", {"P01": P01, "P02": P02}, ["ben"])
    codings_service.import_codings(there, codings_csv(tmp_path, [
        ("P01", "ben", "budget", "budget is small", "m"), ("P02", "ben", "BO is slow", "too many trials", "")]))
    first = merge_project(here, str(tmp_path / "b.db"))
    assert first.added["codings"] == 2 and first.added["transcripts"] == 1
    assert not merge_project(here, str(tmp_path / "b.db")).changed
    here.close()
    there.close()
