"""Pairwise quality of harmonisation suggestions against the labelled fixtures.

Runs ``suggest_groups`` on the hand-labelled fixture (``codes.csv``) and on the held-out
variant (``heldout_codes.csv``, other topic and coders, never used for tuning) over a range of
thresholds, and prints pairwise precision, recall and F1: a pair of raw codes counts as
predicted when a suggested group holds both, as true when both share a ``true_group``.

    python bench/harmonise_quality.py
"""

from __future__ import annotations

import csv
import sys
from itertools import combinations
from pathlib import Path
from typing import NamedTuple

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from codebench.domain.harmonise import (  # noqa: E402
    DEFAULT_THRESHOLD,
    RawCode,
    RawCoding,
    SuggestionGroup,
    suggest_groups,
)

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "harmonise"
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


def pairwise_scores(groups: list[SuggestionGroup], truth: dict[int, str]) -> Scores:
    """Pairwise precision, recall and F1 of suggested groups against the true grouping."""
    predicted = {frozenset(p) for g in groups for p in combinations(g.code_ids, 2)}
    members: dict[str, list[int]] = {}
    for code_id, group in truth.items():
        members.setdefault(group, []).append(code_id)
    actual = {frozenset(p) for ids in members.values() for p in combinations(ids, 2)}
    hits = len(predicted & actual)
    precision = hits / len(predicted) if predicted else 0.0
    recall = hits / len(actual) if actual else 0.0
    f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
    return Scores(precision, recall, f1)


def evaluate(fixture: Fixture, threshold: float = DEFAULT_THRESHOLD) -> Scores:
    groups = suggest_groups(fixture.codes, fixture.codings, threshold=threshold,
                            glossary=fixture.glossary)
    return pairwise_scores(groups, fixture.truth)


def main() -> None:
    for variant in VARIANTS:
        fixture = load_fixture(variant)
        print(f"{variant}: {len(fixture.codes)} raw codes, {len(set(fixture.truth.values()))} "
              f"true groups, {len(fixture.codings)} codings")
        print("  threshold  precision  recall     F1")
        for threshold in np.round(np.arange(0.05, 0.501, 0.025), 3):
            p, r, f = evaluate(fixture, float(threshold))
            mark = "  <- default" if abs(threshold - DEFAULT_THRESHOLD) < 1e-9 else ""
            print(f"  {threshold:9.3f}  {p:9.3f}  {r:6.3f}  {f:6.3f}{mark}")
        p, r, f = evaluate(fixture)
        print(f"  default {DEFAULT_THRESHOLD}: precision {p:.3f}, recall {r:.3f}, F1 {f:.3f}\n")


if __name__ == "__main__":
    main()
