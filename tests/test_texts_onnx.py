"""The meaning encoder on onnxruntime: the graph it builds, how close its vectors stay to the
float model as shipped, and the PyTorch path taken when onnxruntime is missing.

The model file is built once per user (``~/.cache/presales/models``) and reused by every test
process after the first.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from presales.texts import embedding, onnx_encoder
from tests.test_texts import NOTES

pytestmark = pytest.mark.skipif(
    not embedding.available(), reason="the meaning extra (presales[meaning]) is not installed"
)
needs_onnx = pytest.mark.skipif(not onnx_encoder.usable(), reason="onnxruntime is not installed")

TEXTS = [
    *NOTES,
    "Champion Maria is leaving the company at the end of the quarter, so we need a new sponsor "
    "before the security review, the pilot sign-off and the renewal of the framework agreement.",
]
QUERY = "budget is frozen for the rest of the year"


@pytest.fixture(scope="module")
def float_model() -> object:
    return embedding.load_float()


def float_vectors(model: object, texts: list[str]) -> np.ndarray:
    out = model.encode(texts, normalize_embeddings=True, show_progress_bar=False)  # type: ignore[attr-defined]
    return np.asarray(out, dtype=np.float32)


@needs_onnx
def test_the_model_file_is_the_fused_graph_on_int8_weights() -> None:
    import onnx

    embedding.encode(["builds the file when missing"])
    path = onnx_encoder.model_file()
    assert path.name.startswith(onnx_encoder.GRAPH + "-")
    assert embedding.model_name() == embedding.MODEL_NAME
    ops = Counter(node.op_type for node in onnx.load(str(path)).graph.node)
    # Six layers: one fused attention each, two residual layer norms, one bias with its GELU.
    assert ops["QAttention"] == 6, ops
    assert ops["SkipLayerNormalization"] == 12, ops
    assert ops["BiasGelu"] == 6, ops
    assert ops["EmbedLayerNormalization"] == 1, ops
    # Every other matrix product runs on int8 weights: none is left in float.
    assert ops["MatMul"] == 0 and ops["MatMulInteger"] == 18, ops


@needs_onnx
def test_its_vectors_stay_close_to_the_float_models_and_find_the_same_text(
    float_model: object,
) -> None:
    ours = embedding.encode(TEXTS)
    theirs = float_vectors(float_model, TEXTS)
    assert ours.shape == (len(TEXTS), embedding.DIMENSIONS) and ours.dtype == np.float32
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-4)
    cosine = (ours * theirs).sum(axis=1)
    assert cosine.min() > 0.97, cosine
    query = embedding.encode_query(QUERY)
    float_query = float_vectors(float_model, [QUERY])[0]
    assert float(query @ float_query) > 0.97
    # The paraphrase shares no word with the CFO's note; both models rank that note first.
    assert int(np.argmax(ours @ query)) == int(np.argmax(theirs @ float_query)) == 0


@needs_onnx
def test_side_by_side_sessions_give_the_vectors_of_one(monkeypatch: pytest.MonkeyPatch) -> None:
    encoder = onnx_encoder.load(embedding.model_folder())
    texts = TEXTS * 5
    together = encoder.encode(texts, batch_size=4)
    monkeypatch.setattr(encoder, "sessions", encoder.sessions[:1])
    alone = encoder.encode(texts, batch_size=4)
    assert np.array_equal(together, alone)
    # Equal texts get equal vectors wherever their batch falls.
    assert np.array_equal(together[0], together[len(TEXTS)])


def test_without_onnxruntime_the_torch_model_encodes(
    monkeypatch: pytest.MonkeyPatch, float_model: object
) -> None:
    monkeypatch.setattr(onnx_encoder, "usable", lambda: False)
    assert embedding.model_name() == embedding.TORCH_MODEL_NAME != embedding.MODEL_NAME
    ours = embedding.encode(TEXTS)
    theirs = float_vectors(float_model, TEXTS)
    assert ours.shape == (len(TEXTS), embedding.DIMENSIONS)
    assert (ours * theirs).sum(axis=1).min() > 0.95
    query = embedding.encode_query(QUERY + " (torch)")
    assert int(np.argmax(ours @ query)) == 0
