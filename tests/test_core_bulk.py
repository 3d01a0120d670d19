"""``core.bulk.insert_new`` writes the same rows as ``bulk_create``, gives each object its key,
and hands what it does not handle to ``bulk_create``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection

from presales.core.bulk import insert_new
from presales.deals.models import Opportunity
from presales.people.models import Region, Team
from presales.texts.models import Text
from tests.conftest import Cast, make_account, make_opportunity

pytestmark = pytest.mark.django_db


def _text(n: int, cast: Cast, account: Any, deal: Any) -> Text:
    return Text(
        kind="bulk-test",
        object_id=n,
        body=f"Note {n}: they ask for SSO \u2019s audit logs",
        content_hash=f"{n:064d}",
        written_at=datetime(2026, 3, 1, 9, tzinfo=UTC) + timedelta(minutes=n),
        author=cast.alice if n % 2 else None,
        account=account,
        opportunity=deal if n % 3 == 0 else None,
        predicted={"flavor": "problem", "competitors": ["Northwind"], "n": n},
        labels={"corrected": []},
        labelled_hash=f"{n}:r",
    )


def _stored(kind: str) -> list[tuple[Any, ...]]:
    # indexed_at is stamped with the clock by each writer; every other column must match.
    skip = ("id", "kind", "indexed_at")
    fields = [f.attname for f in Text._meta.concrete_fields if f.attname not in skip]
    rows = Text.objects.filter(kind=kind).order_by("object_id").values_list(*fields)
    return [tuple(row) for row in rows]


def test_rows_and_keys_match_bulk_create(cast: Cast) -> None:
    account = make_account(cast.north)
    deal = make_opportunity(account=account)
    # More rows than one statement takes on SQLite, in small batches: several chunks.
    made = insert_new(Text, [_text(n, cast, account, deal) for n in range(1, 1201)], batch=500)
    assert [t.pk for t in made] == sorted(t.pk for t in made)
    assert all(t.pk is not None and not t._state.adding for t in made)
    assert Text.objects.get(pk=made[41].pk).object_id == 42
    reference = [_text(n, cast, account, deal) for n in range(1, 1201)]
    for text in reference:
        text.kind = "bulk-reference"
    Text.objects.bulk_create(reference, batch_size=500)
    mine, theirs = _stored("bulk-test"), _stored("bulk-reference")
    assert len(mine) == 1200
    assert mine == theirs
    assert Text.objects.get(pk=made[0].pk).predicted == {
        "flavor": "problem",
        "competitors": ["Northwind"],
        "n": 1,
    }


def test_a_related_object_saved_after_assignment_is_linked(cast: Cast) -> None:
    region = Region.objects.create(name="Bulk region")
    team = Team(name="Saved later", region=region)
    deal_owner = cast.bob
    account = make_account(cast.north)
    deal = Opportunity(name="Later deal", account=account, team=team, owner=deal_owner)
    team.save()  # the team gets its key after the deal was pointed at it
    (made,) = insert_new(Opportunity, [deal])
    assert Opportunity.objects.get(pk=made.pk).team_id == team.pk


def test_objects_with_a_key_go_through_bulk_create(cast: Cast) -> None:
    account = make_account(cast.north)
    text = _text(7, cast, account, None)
    text.pk = 987_654
    insert_new(Text, [text])
    assert Text.objects.get(pk=987_654).object_id == 7


def test_nothing_to_insert_runs_no_query(cast: Cast) -> None:
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert insert_new(Text, []) == []
    assert len(queries) == 0
