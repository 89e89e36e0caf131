"""Harmonisation engine: label normalising, pair evidence, clustering, fixture quality."""

from __future__ import annotations

import importlib.util
import random
import string
from pathlib import Path

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from codebench.domain.errors import ConflictError, InputError, NotFoundError
from codebench.domain.harmonise import (
    RawCode,
    RawCoding,
    UnionFind,
    normalise_label,
    suggest_groups,
)
from codebench.domain.harmonise.labels import label_similarity
from codebench.domain.harmonise.linkage import average_linkage
from codebench.domain.harmonise.quotes import build_index, span_overlap

ROOT = Path(__file__).resolve().parents[1]


def _quality_module():
    spec = importlib.util.spec_from_file_location("harmonise_quality",
                                                  ROOT / "bench" / "harmonise_quality.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


quality = _quality_module()


def _same_passages(*code_ids: int, turns: range = range(1, 4)) -> list[RawCoding]:
    """Each code applied to the same passage of turns 1..3 (the passage differs per turn)."""
    return [RawCoding(c, "interview_01", 100 * t, 100 * t + 60, t) for c in code_ids for t in turns]


def _group_sets(groups) -> set[frozenset[int]]:
    return {frozenset(g.code_ids) for g in groups}


# --- normalise_label -------------------------------------------------------------------------

def test_normalise_label_folds_case_punctuation_and_whitespace() -> None:
    label = "  Grid-Search (full)\t, RANDOM_search!! "
    assert normalise_label(label) == "grid search full random search"
    assert normalise_label("We've always done it this way") == "weve always done it this way"


def test_normalise_label_expands_glossary_word_by_word() -> None:
    glossary = {"BO": "Bayesian optimization", "hpo": "hyperparameter optimization"}
    assert normalise_label("HPO via BO", glossary) == (
        "hyperparameter optimization via bayesian optimization")
    assert normalise_label("bob and bonus", glossary) == "bob and bonus"  # whole words only


@given(st.text(alphabet=string.ascii_letters + string.punctuation + " \t\n-é", max_size=40))
def test_normalised_labels_are_clean_and_stable(label: str) -> None:
    once = normalise_label(label)
    assert once == normalise_label(once)
    assert once == once.strip() and "  " not in once and once == once.casefold()
    assert not any(ch in string.punctuation for ch in once)


# --- pair evidence ---------------------------------------------------------------------------

_WORDS = st.lists(st.sampled_from(["grid", "search", "gird", "sweep", "a", "budget", "ab"]),
                  min_size=1, max_size=4).map(" ".join)


@settings(max_examples=40, deadline=None)
@given(st.lists(_WORDS, min_size=1, max_size=12))
def test_label_similarity_is_the_mean_of_token_sort_ratio_and_ratio(labels: list[str]) -> None:
    expected = np.array([[(fuzz.token_sort_ratio(a, b) + fuzz.ratio(a, b)) / 200 for b in labels]
                         for a in labels])
    np.testing.assert_allclose(label_similarity(labels), expected, atol=1e-6)


_CODINGS = st.lists(st.tuples(st.integers(0, 4), st.sampled_from(["t1", "t2"]),
                              st.integers(0, 60), st.integers(1, 30), st.integers(0, 2)),
                    max_size=40)


_CODER_OF = np.array([0, 0, 1, 1, 2])  # coder of each of the five code rows


def _jaccard(a: RawCoding, b: RawCoding) -> float:
    """Span Jaccard of two codings in one turn (0 when they do not overlap)."""
    if (a.transcript, a.turn) != (b.transcript, b.turn):
        return 0.0
    inter = min(a.end, b.end) - max(a.start, b.start)
    return inter / (max(a.end, b.end) - min(a.start, b.start)) if inter > 0 else 0.0


@settings(max_examples=80, deadline=None)
@given(_CODINGS)
@example([(0, "t1", 0, 10, 0), (3, "t1", 0, 10, 0), (2, "t1", 0, 10, 0)])  # a tie: code 2 wins
def test_span_overlap_sums_jaccard_within_a_coder_and_best_matches_across(rows) -> None:
    codings = [RawCoding(c, t, s, s + length, turn) for c, t, s, length, turn in rows]
    expected = np.zeros((5, 5))
    for i, a in enumerate(codings):  # one coder: every overlapping pair counts
        for b in codings[i + 1:]:
            if _CODER_OF[a.code_id] == _CODER_OF[b.code_id]:
                expected[a.code_id, b.code_id] += _jaccard(a, b)
                expected[b.code_id, a.code_id] += _jaccard(a, b)
    for a in codings:  # across coders: each coding's best match per other coder, both ways
        for other in set(_CODER_OF.tolist()) - {_CODER_OF[a.code_id]}:
            matches = [(_jaccard(a, b), -b.code_id) for b in codings
                       if _CODER_OF[b.code_id] == other and _jaccard(a, b) > 0]
            if matches:
                score, code = max(matches)
                expected[a.code_id, -code] += score / 2
                expected[-code, a.code_id] += score / 2
    found = span_overlap(build_index(codings, {c: c for c in range(5)}), _CODER_OF)
    np.testing.assert_allclose(found, expected, atol=1e-5)


def test_quote_overlap_links_synonyms_that_share_no_words() -> None:
    codes = [RawCode(1, "ana", "grid search"), RawCode(2, "ben", "cartesian sweep"),
             RawCode(3, "chloe", "time pressure")]
    codings = _same_passages(1, 2) + [RawCoding(3, "interview_01", 900, 960, 9)]
    groups = suggest_groups(codes, codings)
    assert _group_sets(groups) == {frozenset({1, 2})}
    (group,) = groups
    assert group.shared_quotes == 3
    assert group.overlap > 0.5 and group.label_similarity < 0.5
    assert group.example_quote == ("interview_01", 100, 160)
    assert suggest_groups(codes, []) == []  # the labels alone do not link them
    assert suggest_groups(codes[:1], []) == suggest_groups([], []) == []


def test_turnless_codings_overlap_by_characters() -> None:
    codes = [RawCode(1, "ana", "grid search"), RawCode(2, "ben", "cartesian sweep")]
    codings = [RawCoding(1, "t", 10 + 200 * k, 80 + 200 * k) for k in range(3)]
    codings += [RawCoding(2, "t", 15 + 200 * k, 85 + 200 * k) for k in range(3)]
    assert _group_sets(suggest_groups(codes, codings)) == {frozenset({1, 2})}
    apart = [RawCoding(c.code_id, c.transcript, c.start + 100 * (c.code_id - 1),
                       c.end + 100 * (c.code_id - 1)) for c in codings]
    assert suggest_groups(codes, apart) == []


def test_same_coder_applying_both_codes_to_one_passage_vetoes_the_merge() -> None:
    codes = [RawCode(1, "ana", "early stopping"), RawCode(2, "ana", "early stopping rule")]
    apart = [RawCoding(1, "interview_01", 0, 50, 1), RawCoding(2, "interview_01", 500, 550, 2)]
    assert _group_sets(suggest_groups(codes, apart)) == {frozenset({1, 2})}
    together = apart + [RawCoding(2, "interview_01", 10, 45, 1)]
    assert suggest_groups(codes, together) == []


def test_never_merge_pairs_are_not_proposed_again() -> None:
    codes = [RawCode(1, "ana", "grid search"), RawCode(2, "ben", "grid searches"),
             RawCode(3, "chloe", "Grid-search")]
    codings = _same_passages(1, 2, 3)
    assert _group_sets(suggest_groups(codes, codings)) == {frozenset({1, 2, 3})}
    groups = suggest_groups(codes, codings, never_merge=[(2, 1)])
    assert groups and all(not {1, 2} <= set(g.code_ids) for g in groups)


def test_already_merged_group_is_one_unit_and_not_proposed_alone() -> None:
    codes = [RawCode(1, "ana", "grid search"), RawCode(2, "ben", "grid searches"),
             RawCode(3, "chloe", "Grid-search"), RawCode(4, "chloe", "team habits")]
    codings = _same_passages(1, 2, 3)
    without_3 = [codes[0], codes[1], codes[3]]
    assert suggest_groups(without_3, codings[:6]) != []
    assert suggest_groups(without_3, codings[:6], already_merged=[[1, 2]]) == []
    (group,) = suggest_groups(codes, codings, already_merged=[[2, 1]])
    assert group.code_ids == (1, 2, 3)
    assert suggest_groups(codes[2:], [], already_merged=[[3, 4]]) == []


def test_semantic_evidence_is_optional_and_used_when_given() -> None:
    codes = [RawCode(1, "ana", "gut feeling"), RawCode(2, "ben", "intuition"),
             RawCode(3, "chloe", "cloud bill")]
    vectors = {"gut feeling": [1.0, 0.0], "intuition": [0.995, 0.0998], "cloud bill": [0.0, 1.0]}

    def embed(labels: list[str]) -> np.ndarray:
        return np.array([vectors[label] for label in labels])

    assert suggest_groups(codes, []) == []
    (group,) = suggest_groups(codes, [], semantic=embed)
    assert group.code_ids == (1, 2) and group.semantic == pytest.approx(0.995, abs=1e-3)


def test_bad_input_is_refused_with_typed_errors() -> None:
    codes = [RawCode(1, "ana", "grid search"), RawCode(2, "ben", "grid searches")]
    with pytest.raises(InputError):
        suggest_groups(codes + [RawCode(1, "chloe", "again")], [])
    with pytest.raises(NotFoundError):
        suggest_groups(codes, [RawCoding(9, "t", 0, 5, None)])
    with pytest.raises(NotFoundError):
        suggest_groups(codes, [], never_merge=[(1, 7)])
    with pytest.raises(InputError):
        suggest_groups(codes, [RawCoding(1, "t", 5, 2, None)])
    with pytest.raises(InputError):
        suggest_groups(codes, [], threshold=1.5)
    with pytest.raises(ConflictError):
        suggest_groups(codes, [], never_merge=[(1, 2)], already_merged=[[1, 2]])


# --- clustering ------------------------------------------------------------------------------

def test_average_linkage_does_not_chain() -> None:
    similarity = np.array([[1.0, 0.9, 0.0], [0.9, 1.0, 0.85], [0.0, 0.85, 1.0]])
    assert average_linkage(similarity, 0.7) == [[0, 1], [2]]
    assert average_linkage(similarity, 0.4) == [[0, 1, 2]]  # (0 + 0.85) / 2 >= 0.4


def test_average_linkage_respects_initial_groups_and_cannot_link() -> None:
    similarity = np.full((4, 4), 0.9)
    cannot = np.zeros((4, 4), dtype=bool)
    cannot[0, 3] = cannot[3, 0] = True
    clusters = average_linkage(similarity, 0.5, initial=[[2, 3]], cannot_link=cannot)
    assert [2, 3] in clusters and all(not {0, 3} <= set(c) for c in clusters)


def _naive_average_linkage(similarity: np.ndarray, threshold: float) -> list[list[int]]:
    """Reference: recompute every cluster average before each merge."""
    clusters = [[i] for i in range(len(similarity))]
    while True:
        best, pair = -np.inf, None
        for a in range(len(clusters)):
            for b in range(a + 1, len(clusters)):
                score = similarity[np.ix_(clusters[a], clusters[b])].mean()
                if score > best:
                    best, pair = score, (a, b)
        if pair is None or best < threshold:
            return sorted(sorted(c) for c in clusters)
        a, b = pair
        clusters[a] += clusters.pop(b)


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 9), st.integers(0, 10_000), st.floats(0.05, 0.95))
def test_average_linkage_matches_a_naive_reference(n: int, seed: int, threshold: float) -> None:
    rng = np.random.default_rng(seed)
    # coarse values put many averages close together; the jitter keeps them apart by far more
    # than rounding, so the summation order (which differs from the reference's) cannot decide
    upper = np.triu(rng.integers(0, 20, size=(n, n)) / 20 + rng.random((n, n)) * 1e-6, 1)
    similarity = upper + upper.T
    expected = _naive_average_linkage(similarity, threshold)
    assert sorted(average_linkage(similarity, threshold)) == expected


def test_shuffled_input_gives_identical_groups() -> None:
    fixture = quality.load_fixture()
    expected = suggest_groups(fixture.codes, fixture.codings, glossary=fixture.glossary)
    rng = random.Random(3)
    codes, codings = list(fixture.codes), list(fixture.codings)
    rng.shuffle(codes)
    rng.shuffle(codings)
    assert suggest_groups(codes, codings, glossary=fixture.glossary) == expected


def test_groups_are_ordered_by_score_and_have_two_or_more_codes() -> None:
    fixture = quality.load_fixture()
    groups = suggest_groups(fixture.codes, fixture.codings, glossary=fixture.glossary)
    assert all(len(g.code_ids) >= 2 and list(g.code_ids) == sorted(g.code_ids) for g in groups)
    assert [g.score for g in groups] == sorted((g.score for g in groups), reverse=True)
    assert all(0.0 <= g.score <= 1.0 for g in groups)


# --- UnionFind -------------------------------------------------------------------------------

def test_union_find_joins_and_lists_groups() -> None:
    found = UnionFind([1, 2, 3, 4, 5])
    found.union(1, 2)
    found.union(4, 2)
    assert found.connected(1, 4) and not found.connected(1, 3)
    assert found.find(4) == found.find(1)
    assert found.groups() == [[1, 2, 4], [3], [5]]
    found.union(6, 5)
    assert found.groups() == [[1, 2, 4], [3], [5, 6]]


# --- quality on the labelled fixtures --------------------------------------------------------

@pytest.mark.parametrize(("variant", "floor"), [("fixture", 0.89), ("held-out", 0.96)])
def test_pairwise_f1_on_labelled_fixtures_does_not_regress(variant: str, floor: float) -> None:
    scores = quality.evaluate(quality.load_fixture(variant))
    assert scores.f1 >= floor, scores


def test_pairwise_f1_on_the_sample_study_does_not_regress() -> None:
    """Through the service, on a project of the sample study without its codebook."""
    scores = quality.evaluate_sample_study()
    assert scores.f1 >= 0.87 and scores.recall >= 0.95, scores
