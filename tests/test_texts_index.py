"""The shared vector index past its projection threshold, the word ranking of common words,
and similar texts read from the index: each must give the answer of the plain way."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from django.db import connection
from django.utils import timezone

from presales.texts import embedding, vectors, visibility, words
from presales.texts.access import texts_for
from presales.texts.models import Text, TextVector
from presales.texts.services import similar_texts
from presales.texts.visibility import Visibility, ranked_visible
from tests.conftest import Cast, make_account, make_note


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    vectors.invalidate()
    visibility._shares.clear()
    words._frequencies.clear()
    yield
    words._frequencies.clear()
    visibility._shares.clear()


def clustered(rows: int, seed: int = 3) -> np.ndarray:
    """Unit vectors around 40 centres, as texts on a few dozen topics would be."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(40, embedding.DIMENSIONS))
    points = centres[rng.integers(0, 40, rows)] + rng.normal(0, 0.6, (rows, embedding.DIMENSIONS))
    return (points / np.linalg.norm(points, axis=1, keepdims=True)).astype(np.float32)


def test_the_projected_first_pass_finds_the_exact_nearest_rows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(vectors, "COARSE_POOL", 200)
    points = clustered(4000)
    projection = vectors._fit_projection(points)
    coarse = points @ projection
    m = vectors.Matrix(
        ids=np.arange(1, 4001, dtype=np.int64),
        vectors=points,
        stamp=(),
        coarse=coarse,
        projection=projection,
        residual=vectors.residual_lengths(points, coarse),
    )
    for row in (0, 17, 999):
        query = points[row]
        exact = np.argsort(-(points @ query))[:10]
        ranking = vectors.Ranking(m, query)
        positions, scores = ranking.best(10)
        assert not ranking.exact  # the pool, not every row, was scored
        assert positions.tolist() == exact.tolist()
        assert np.allclose(scores, points[exact] @ query)
        # Asked past a quarter of the index, every row is scored exactly.
        deep = vectors.Ranking(m, query)
        assert deep.best(1000)[0][:10].tolist() == exact.tolist() and deep.exact


@pytest.mark.skipif(not embedding.available(), reason="the meaning extra is not installed")
def test_the_index_keeps_a_projection_once_large_and_a_search_reads_it(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    north = make_account(cast.north, "Northwind")
    south = make_account(cast.south, "Southwind")
    for i in range(60):
        make_note(f"note {i}", author=cast.alice if i % 3 else cast.carol, account=north)
        make_note(f"other {i}", author=cast.carol, account=south)
    texts = list(Text.objects.order_by("pk").values_list("pk", "content_hash"))
    points = clustered(len(texts), seed=5)
    TextVector.objects.bulk_create(
        TextVector(
            text_id=pk,
            model_name=embedding.model_name(),
            content_hash=digest,
            dimensions=embedding.DIMENSIONS,
            vector=point.tobytes(),
            encoded_at=timezone.now(),
        )
        for (pk, digest), point in zip(texts, points, strict=True)
    )
    monkeypatch.setattr(vectors, "COARSE_FROM", 100)
    monkeypatch.setattr(vectors, "COARSE_POOL", 10)
    vectors.invalidate()  # saving the notes read the (then empty) index
    m = vectors.matrix()
    assert m.coarse is not None and m.coarse.shape == (len(texts), vectors.COARSE_DIMENSIONS)
    query = points[7]
    ids = np.array([pk for pk, _ in texts])
    seen = set(texts_for(cast.alice).values_list("pk", flat=True))
    order = np.argsort(-(points @ query))
    expected = [int(ids[i]) for i in order if int(ids[i]) in seen][:5]
    found = vectors.nearest_visible(query, k=5, minimum=-1.0, visibility=Visibility(cast.alice, {}))
    assert [pk for pk, _ in found] == expected
    assert len(seen) < len(texts)  # carol's notes on the South account were left out


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 word ranking is SQLite's")
def test_a_common_word_is_not_ranked_when_the_query_has_a_rarer_one(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    account = make_account(cast.north, "Northwind")
    for i in range(8):
        make_note(f"pricing discussion number {i}", author=cast.alice, account=account)
    rare = make_note("pricing of the Zephyr connector", author=cast.alice, account=account)
    both = make_note("renewal pricing call", author=cast.alice, account=account)
    monkeypatch.setattr(words, "COMMON_MINIMUM", 2)
    monkeypatch.setattr(words, "COMMON_SHARE", 0.1)
    text_of = dict(Text.objects.filter(kind="note").values_list("object_id", "pk"))
    # "pricing" is in every note: only the rare word is ranked.
    assert words._sqlite_ranking(["pricing", "zephyr"])(5) == [text_of[rare.pk]]
    # Every word common: the newest texts holding all of them come first, then any of them.
    make_note("renewal notes", author=cast.alice, account=account)
    make_note("renewal again", author=cast.alice, account=account)
    text_of = dict(Text.objects.filter(kind="note").values_list("object_id", "pk"))
    ranked = words._sqlite_ranking(["pricing", "renewal"])(4)
    assert ranked[0] == text_of[both.pk]
    assert len(ranked) == 4 and len(set(ranked)) == 4


def test_the_visible_share_seen_last_time_sizes_the_first_check(cast: Cast) -> None:
    account = make_account(cast.south, "Southwind")
    for i in range(20):
        make_note(f"south note {i}", author=cast.carol, account=account)
    mine = make_note("a note alice wrote", author=cast.alice, account=account)
    texts = list(Text.objects.order_by("-pk").values_list("pk", flat=True))
    asked: list[int] = []

    def ranked(n: int) -> list[int]:
        asked.append(n)
        return texts[:n]

    own = Text.objects.get(kind="note", object_id=mine.pk).pk
    assert ranked_visible(ranked, 1, Visibility(cast.alice, {}), first=2) == [own]
    assert asked == [2]
    asked.clear()
    # Alice saw 1 of 2: next time she asks for 2 visible texts, 6 are checked at once.
    assert ranked_visible(ranked, 2, Visibility(cast.alice, {}), first=2) == [own]
    assert asked[0] == 6


@pytest.mark.skipif(not embedding.available(), reason="the meaning extra is not installed")
def test_similar_texts_read_the_index_and_keep_to_what_the_user_sees(cast: Cast) -> None:
    from presales.texts.services import index_texts

    north = make_account(cast.north, "Northwind")
    south = make_account(cast.south, "Southwind")
    base = make_note(
        "Their scanners drop the wifi connection every hour", author=cast.alice, account=north
    )
    make_note("Handheld devices keep losing the wireless network", author=cast.alice, account=north)
    make_note("Scanners lose wifi all the time in the warehouse", author=cast.carol, account=south)
    make_note("Pricing sheet sent to procurement", author=cast.alice, account=north)
    index_texts()
    text = Text.objects.get(kind="note", object_id=base.pk)
    hits: list[Any] = similar_texts(actor=cast.alice, text=text, limit=5)
    bodies = [h.text.body for h in hits]
    assert bodies[0] == "Handheld devices keep losing the wireless network"
    assert text.body not in bodies
    assert "Scanners lose wifi all the time in the warehouse" not in bodies  # carol's, South
    everyone = [h.text.body for h in similar_texts(actor=cast.root, text=text, limit=5)]
    assert "Scanners lose wifi all the time in the warehouse" in everyone
