"""The shared vector index past its projection threshold must still find a text unlike the
rest of the index: a new note on another subject whose vector lies outside the directions the
projection was fitted on, searched with words close to it, comes first."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from django.utils import timezone

from presales.notes.models import Note
from presales.texts import embedding, vectors, visibility
from presales.texts.models import Text, TextVector
from presales.texts.visibility import Visibility
from tests.conftest import Cast, make_account, make_note

pytestmark = pytest.mark.skipif(
    not embedding.available(), reason="the meaning extra is not installed"
)


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    vectors.invalidate()
    visibility._shares.clear()
    yield
    vectors.invalidate()
    visibility._shares.clear()


def _basis(seed: int) -> np.ndarray:
    """A random orthonormal basis of the vector space, one direction a column."""
    rng = np.random.default_rng(seed)
    basis, _ = np.linalg.qr(rng.normal(size=(embedding.DIMENSIONS, embedding.DIMENSIONS)))
    return basis


def _unit(vector: np.ndarray) -> np.ndarray:
    return (vector / np.linalg.norm(vector)).astype(np.float32)


def _store(note: Note, vector: np.ndarray) -> int:
    text = Text.objects.get(kind="note", object_id=note.pk)
    TextVector.objects.create(
        text=text,
        model_name=embedding.model_name(),
        content_hash=text.content_hash,
        dimensions=embedding.DIMENSIONS,
        vector=_unit(vector).tobytes(),
        encoded_at=timezone.now(),
    )
    return int(text.pk)


def test_a_text_unlike_the_index_comes_first_for_its_query(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(vectors, "COARSE_FROM", 100)
    monkeypatch.setattr(vectors, "COARSE_POOL", 10)
    basis = _basis(7)
    topics, spread, elsewhere = basis[:, :30], basis[:, 30:130], basis[:, 130:]
    rng = np.random.default_rng(8)
    centres = rng.normal(size=(6, 30))
    account = make_account(cast.north, "Northwind")
    # Sales notes: six subjects in thirty directions, a little spread in a hundred others.
    ordinary = []
    for i in range(240):
        body = topics @ (centres[i % 6] + rng.normal(0, 0.3, 30))
        vector = _unit(body) + spread @ rng.normal(0, 0.1 / 10, 100)
        note = make_note(f"sales note {i}", author=cast.alice, account=account)
        ordinary.append(_store(note, vector))
    vectors.invalidate()  # saving the notes read the (then empty) index
    fitted = vectors.matrix()
    assert fitted.coarse is not None and fitted.projection is not None

    # A note on another subject altogether, saved after the projection was fitted: nothing of
    # it lies in the directions of the sales notes.
    ships = make_note(
        "Vessels at sea report their position every hour over satellite.",
        author=cast.alice,
        account=account,
    )
    unusual = _store(ships, elsewhere[:, 0] + 0.05 * elsewhere[:, 1])
    vectors.invalidate()
    m = vectors.matrix()
    assert len(m.ids) == 241 and m.coarse is not None and m.projection is not None
    assert np.array_equal(m.projection, fitted.projection)  # kept: the index has not doubled

    # Close to the ship note, with a little of the first sales subject.
    query = _unit(elsewhere[:, 0] + 0.2 * elsewhere[:, 2] + 0.25 * _unit(topics @ centres[0]))
    exact = np.argsort(-(np.asarray(m.vectors) @ query))[:5]
    expected = [int(m.ids[i]) for i in exact]
    assert expected[0] == unusual  # the ship note is by far the nearest text
    ranking = vectors.Ranking(m, query)
    positions, _ = ranking.best(1)
    assert not ranking.exact  # found through the pool, not by scoring every row
    assert [int(m.ids[p]) for p in positions] == [unusual]
    found = vectors.nearest(query, allowed=None, k=5)
    assert [pk for pk, _ in found] == expected
    seen = vectors.nearest_visible(query, k=5, minimum=-1.0, visibility=Visibility(cast.alice, {}))
    assert [pk for pk, _ in seen] == expected

    # An ordinary query still finds the exact nearest sales notes.
    near_sales = _unit(topics @ centres[3])
    exact = np.argsort(-(np.asarray(m.vectors) @ near_sales))[:10]
    found = vectors.nearest(near_sales, allowed=None, k=10)
    assert [pk for pk, _ in found] == [int(m.ids[i]) for i in exact]
    assert set(pk for pk, _ in found) <= set(ordinary)


def test_coarse_files_of_an_earlier_layout_are_made_again(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(vectors, "COARSE_FROM", 100)
    account = make_account(cast.north, "Northwind")
    rng = np.random.default_rng(9)
    for i in range(120):
        _store(make_note(f"note {i}", author=cast.alice, account=account), rng.normal(size=384))
    vectors.invalidate()
    m = vectors.matrix()
    assert m.residual is not None and m.projection is not None
    assert m.projection.shape[1] == vectors.COARSE_DIMENSIONS
    # As an earlier build left them: 64 directions, no residual lengths, no layout in the meta.
    _, vectors_path, meta = vectors._paths()
    coarse_path, projection_path, residual_path = vectors._coarse_paths(vectors_path)
    projection = vectors._fit_projection(np.asarray(m.vectors))[:, :64]
    np.save(projection_path, np.ascontiguousarray(projection))
    np.save(coarse_path, np.ascontiguousarray(np.asarray(m.vectors) @ projection))
    residual_path.unlink()
    written = meta.read_text()
    meta.write_text(written.replace(f', "coarse": "{vectors.COARSE_LAYOUT}"', ""))
    assert vectors._coarse_stale(meta)
    vectors.invalidate()
    again = vectors.matrix()
    assert again.projection is not None and again.residual is not None
    assert again.projection.shape[1] == vectors.COARSE_DIMENSIONS
    assert again.coarse is not None and again.coarse.shape == (120, vectors.COARSE_DIMENSIONS)
    assert not vectors._coarse_stale(meta)
    lengths = np.linalg.norm(
        np.asarray(again.vectors) - np.asarray(again.coarse) @ again.projection.T, axis=1
    )
    assert np.allclose(again.residual, lengths, atol=1e-4)
