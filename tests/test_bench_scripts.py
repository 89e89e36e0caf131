"""The benchmark scripts work: a tiny synthetic study imports cleanly, and the quick suite runs end to end."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))

from _common import loglog_slope  # noqa: E402
from make_study import StudySize, make_study  # noqa: E402
from run import END, START, write_block  # noqa: E402

from codebench.services.codings import codings, import_codings  # noqa: E402
from codebench.services.harmonise import funnel, import_codebook  # noqa: E402
from codebench.services.project import init_project  # noqa: E402
from codebench.services.transcripts import import_attributes, import_transcripts, list_transcripts  # noqa: E402


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    out = tmp_path_factory.mktemp("study")
    return make_study(StudySize(interviews=10, words=600, coders=3, seed=4, concepts=40), out), out


def test_tiny_study_imports_through_the_services(study, tmp_path: Path) -> None:  # noqa: ANN001
    summary, out = study
    store, _ = init_project(f"sqlite:///{tmp_path / 'p.db'}")
    outcomes = import_transcripts(store, [out])
    assert len(outcomes) == 10 and {o.status for o in outcomes} == {"imported"}
    assert {o.path.rsplit(".", 1)[1] for o in outcomes} <= {"txt", "docx", "vtt"}
    assert all(o.turns >= 4 for o in outcomes)
    assert import_attributes(store, out / "participants.csv") == 10
    assert {"field", "skill_level"} <= set(list_transcripts(store)[0].attributes)

    results = [import_codings(store, path, add_coders=True) for path in sorted(out.glob("codings_*.csv"))]
    assert len(results) == 3
    located = sum((Counter(r.located) for r in results), Counter())
    assert set(located) == {"exact"}, "every quote is copied verbatim from its transcript"
    assert sum(r.stored + r.duplicates for r in results) == summary.codings
    assert all(not r.skipped for r in results)
    assert len(codings(store)) == sum(r.stored for r in results)

    import_codebook(store, out / "codebook.csv")
    shape = funnel(store)
    assert shape.raw_total == summary.raw_codes
    assert shape.raw_unharmonised == 0
    assert shape.harmonised == summary.harmonised_codes
    store.close()


def test_coders_label_the_same_concept_differently(study) -> None:  # noqa: ANN001
    _, out = study
    rows = (out / "codebook.csv").read_text(encoding="utf-8").splitlines()[1:]
    labels: dict[str, set[str]] = {}
    for row in rows:
        code, raw = row.split(",")[2], row.split(",")[5]
        labels.setdefault(code, set()).add(raw.casefold())
    assert sum(len(v) > 1 for v in labels.values()) > len(labels) / 2


def test_the_same_seed_writes_the_same_study(tmp_path: Path) -> None:
    size = StudySize(interviews=3, words=300, coders=2, seed=9, concepts=10)
    make_study(size, tmp_path / "a")
    make_study(size, tmp_path / "b")
    for path in sorted((tmp_path / "a").iterdir()):
        if path.suffix != ".docx":  # docx zips carry a timestamp
            assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes(), path.name


def test_write_block_keeps_text_outside_the_markers(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    doc.write_text(f"# Title\n\nhand note before\n\n{START}\nold numbers\n{END}\n\nhand note after\n")
    write_block("new numbers", START, END, doc)
    text = doc.read_text()
    assert "old numbers" not in text and "new numbers" in text
    assert text.startswith("# Title\n\nhand note before") and text.endswith("hand note after\n")


def test_loglog_slope_recovers_the_exponent() -> None:
    sizes = [25, 50, 100, 200]
    assert loglog_slope(sizes, [0.01 * n**1.5 for n in sizes]) == pytest.approx(1.5)


def test_quick_suite_runs(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, str(BENCH / "run.py"), "--quick", "--no-write", "--work", str(tmp_path)],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "codebench benchmarks" in done.stdout
