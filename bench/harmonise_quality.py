"""Pairwise quality of harmonisation suggestions against the labelled fixtures.

Runs ``suggest_groups`` on the hand-labelled fixture (``codes.csv``) and on the held-out
variant (``heldout_codes.csv``, other topic and coders, never used for tuning) over a range of
thresholds, and prints pairwise precision, recall and F1: a pair of raw codes counts as
predicted when a suggested group holds both, as true when both share a ``true_group``.
Then it measures the whole service on the sample study (``sample_transcripts/``, never used for
tuning either): a fresh project with its transcripts, codings and the demo glossary but without
its codebook, whose harmonised codes are the true groups. ``--semantic`` adds the sentence-embedding
column everywhere (needs the extra ``codebench[semantic]``).

    python bench/harmonise_quality.py [--semantic]
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
from collections.abc import Iterable, Sequence
from itertools import combinations
from pathlib import Path
from typing import NamedTuple

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from codebench.domain.harmonise import (  # noqa: E402
    DEFAULT_THRESHOLD,
    RawCode,
    RawCoding,
    suggest_groups,
)
from codebench.domain.harmonise.engine import Embedder  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "harmonise"
SAMPLE = ROOT / "sample_transcripts"
VARIANTS = {"fixture": "", "held-out": "heldout_"}


class Fixture(NamedTuple):
    codes: list[RawCode]
    codings: list[RawCoding]
    glossary: dict[str, str]
    truth: dict[int, str]


class Scores(NamedTuple):
    precision: float
    recall: float
    f1: float


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def load_fixture(variant: str = "fixture") -> Fixture:
    """Read one labelled fixture: raw codes with their true group, codings and glossary."""
    prefix = VARIANTS[variant]
    code_rows = _rows(FIXTURES / f"{prefix}codes.csv")
    codes = [RawCode(int(r["id"]), r["coder"], r["label"]) for r in code_rows]
    codings = [RawCoding(int(r["code_id"]), r["transcript"], int(r["start"]), int(r["end"]),
                         int(r["turn"])) for r in _rows(FIXTURES / f"{prefix}codings.csv")]
    glossary_rows = _rows(FIXTURES / f"{prefix}glossary.csv")
    glossary = {r["abbreviation"]: r["expansion"] for r in glossary_rows}
    truth = {int(r["id"]): r["true_group"] for r in code_rows}
    return Fixture(codes, codings, glossary, truth)


def pairwise_scores(groups: Iterable[Sequence[int]], truth: dict[int, str]) -> Scores:
    """Pairwise precision, recall and F1 of suggested groups (raw code ids) against the true
    grouping."""
    predicted = {frozenset(p) for g in groups for p in combinations(g, 2)}
    members: dict[str, list[int]] = {}
    for code_id, group in truth.items():
        members.setdefault(group, []).append(code_id)
    actual = {frozenset(p) for ids in members.values() for p in combinations(ids, 2)}
    hits = len(predicted & actual)
    precision = hits / len(predicted) if predicted else 0.0
    recall = hits / len(actual) if actual else 0.0
    f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
    return Scores(precision, recall, f1)


def evaluate(fixture: Fixture, threshold: float = DEFAULT_THRESHOLD,
             semantic: Embedder | None = None) -> Scores:
    groups = suggest_groups(fixture.codes, fixture.codings, threshold=threshold,
                            glossary=fixture.glossary, semantic=semantic)
    return pairwise_scores([g.code_ids for g in groups], fixture.truth)


def evaluate_sample_study(threshold: float = DEFAULT_THRESHOLD, semantic: bool = False) -> Scores:
    """Pairwise scores of ``codebench harmonise suggest`` on the sample study without its
    codebook (the codebook's harmonised code of each raw code is its true group)."""
    from codebench.services import codings, harmonise, transcripts
    from codebench.services.coders import add_coders
    from codebench.services.demo import DEMO_CODERS, DEMO_GLOSSARY
    from codebench.services.project import init_project

    with tempfile.TemporaryDirectory() as folder:
        store, _ = init_project(f"sqlite:///{Path(folder) / 'sample.db'}")
        try:
            add_coders(store, DEMO_CODERS)
            interviews = sorted(p for p in SAMPLE.glob("P*.*")
                                if p.suffix.lower() in transcripts.SUFFIXES)
            transcripts.import_transcripts(store, interviews)
            for path in sorted((SAMPLE / "codings").glob("*.csv")):
                codings.import_codings(store, path)
            harmonise.set_glossary(store, DEMO_GLOSSARY)
            suggestions = harmonise.suggest(store, threshold=threshold, semantic=semantic)
            ids = {(c.coder, c.label): c.id for c in store.read(lambda tx: tx.codes())}
        finally:
            store.close()
    truth = {ids[(r["coder"], r["raw_code"])]: r["code"] for r in _rows(SAMPLE / "codebook.csv")}
    return pairwise_scores([[ids[c] for c in s.codes] for s in suggestions], truth)


def main() -> None:
    parser = argparse.ArgumentParser(description="Pairwise quality of harmonisation suggestions.")
    parser.add_argument("--semantic", action="store_true", help="add the sentence-embedding column")
    semantic = parser.parse_args().semantic
    embedder = None
    if semantic:
        from codebench.services.semantic import require_embedder
        embedder = require_embedder()
    for variant in VARIANTS:
        fixture = load_fixture(variant)
        print(f"{variant}: {len(fixture.codes)} raw codes, {len(set(fixture.truth.values()))} "
              f"true groups, {len(fixture.codings)} codings")
        print("  threshold  precision  recall     F1")
        for threshold in np.round(np.arange(0.05, 0.501, 0.025), 3):
            p, r, f = evaluate(fixture, float(threshold), embedder)
            mark = "  <- default" if abs(threshold - DEFAULT_THRESHOLD) < 1e-9 else ""
            print(f"  {threshold:9.3f}  {p:9.3f}  {r:6.3f}  {f:6.3f}{mark}")
        p, r, f = evaluate(fixture, semantic=embedder)
        print(f"  default {DEFAULT_THRESHOLD}: precision {p:.3f}, recall {r:.3f}, F1 {f:.3f}\n")
    p, r, f = evaluate_sample_study(semantic=semantic)
    print(f"sample study (service, default {DEFAULT_THRESHOLD}): precision {p:.3f}, "
          f"recall {r:.3f}, F1 {f:.3f}")


if __name__ == "__main__":
    main()
