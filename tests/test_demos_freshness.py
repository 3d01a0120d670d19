"""The demo statistics are never stale: writes that go around the models' signals (a picklist's
stage move, an account merge and its undo, a correction, a calendar's bulk cancel) keep the facts
equal to a full rebuild, and the statistics kept in the cache follow every write to the facts
(the page, a demo's page and the API show the new figures at once)."""

from __future__ import annotations

import re
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from presales.accounts.models import Account
from presales.activities.models import Activity
from presales.core.signals import bulk_change
from presales.deals.models import Opportunity
from presales.demos import facts
from presales.demos.models import DealFact, DemoDealFact
from presales.imports.models import ValueMapping
from presales.imports.services.picklists import change_mapping
from presales.intelligence import merging
from presales.intelligence.models import Correction
from presales.intelligence.quality import decide_correction
from tests.conftest import Cast
from tests.test_demos_facts import move, scene, show, snapshot  # noqa: F401  (scene: a fixture)


def equal_to_rebuild() -> None:
    incremental = snapshot()
    facts.rebuild(reason="test")
    assert snapshot() == incremental


def test_bulk_writes_outside_imports_keep_the_facts_equal_to_a_full_rebuild(
    cast: Cast,
    scene: dict[str, Any],  # noqa: F811  (the fixture imported above)
) -> None:
    a, b, first = scene["a"], scene["b"], scene["first"]
    meeting = show(first, a, cast, 5)
    show(first, b, cast, 6)
    # A picklist's stage move: a queryset update of the deals imported with that stage name.
    Opportunity.objects.filter(pk=a.pk).update(source="salesforce", source_stage="Parked")
    mapping = ValueMapping.objects.create(
        source="salesforce", picklist="stage", key="parked", label="Parked", value="discovery"
    )
    assert change_mapping(mapping=mapping, value="negotiation", actor=cast.root) == 1
    assert DealFact.objects.get(deal=a).stage == "negotiation"
    equal_to_rebuild()

    # Merging Mid Inc into Big Inc moves deal A to an enterprise account; undoing it moves it back.
    record = merging.merge("account", scene["big"].pk, [scene["mid"].pk], check=False)
    assert DealFact.objects.get(deal=a).segment == "enterprise"
    assert DemoDealFact.objects.get(deal_id=a.pk).segment == "enterprise"
    equal_to_rebuild()
    merging.unmerge(record.pk, check=False)
    assert DealFact.objects.get(deal=a).segment == "mid"
    equal_to_rebuild()

    # An accepted correction of an account's size band.
    correction = Correction.objects.create(
        account=scene["big"], field="size", old_value="enterprise", new_value="large"
    )
    decide_correction(correction, user=cast.root, accept=True)
    assert Account.objects.get(pk=scene["big"].pk).size == "large"
    assert DealFact.objects.get(deal=b).segment == "large"
    equal_to_rebuild()

    # A calendar sync cancels meetings in bulk: A's only showing goes.
    with bulk_change(Activity, [meeting.pk]):
        Activity.objects.filter(pk=meeting.pk).update(status=Activity.Status.CANCELLED)
    assert DealFact.objects.get(deal=a).demos_shown == 0
    assert not DemoDealFact.objects.filter(deal_id=a.pk).exists()
    equal_to_rebuild()


def _row(html: str, demo_id: int) -> str:
    found = re.search(rf'<tr data-demo="{demo_id}">(.*?)</tr>', html, re.S)
    assert found, html
    return re.sub(r"\s+", " ", found.group(1))


def test_the_statistics_follow_every_change_though_they_are_kept(
    cast: Cast,
    scene: dict[str, Any],  # noqa: F811  (the fixture imported above)
) -> None:
    a, b, first = scene["a"], scene["b"], scene["first"]
    show(first, a, cast, 5)
    show(first, b, cast, 6)
    client = Client()
    client.force_login(cast.root)

    def figures() -> tuple[str, dict[str, Any], str]:
        page = _row(client.get("/demos/stats/").content.decode(), first.pk)
        api = next(d for d in client.get("/api/demos/stats").json()["demos"] if d["id"] == first.pk)
        detail = client.get(f"/demos/{first.pk}/").content.decode()
        return page, api, detail

    page, api, _ = figures()
    assert "2 open · 0 won · 0 lost" in page
    assert (api["open_deals"], api["won"], api["lost"]) == (2, 0, 0)
    # Nothing changed: the kept statistics answer, without the grouped scans.
    with CaptureQueriesContext(connection) as again:
        kept = client.get("/demos/stats/").content.decode()
    assert "2 open · 0 won · 0 lost" in _row(kept, first.pk)
    assert not any("demos_dealfact" in q["sql"] for q in again.captured_queries)

    a.stage = "won"  # through the deal form: a signal
    a.save()
    page, api, detail = figures()
    assert "1 open · 1 won · 0 lost" in page
    assert (api["open_deals"], api["won"], api["lost"]) == (1, 1, 0)
    assert "1 open, 1 won, 0 lost" in detail

    Opportunity.objects.filter(pk=b.pk).update(source="salesforce", source_stage="Gone")
    mapping = ValueMapping.objects.create(
        source="salesforce", picklist="stage", key="gone", label="Gone", value="discovery"
    )
    change_mapping(mapping=mapping, value="lost", actor=cast.root)  # a bulk update
    page, api, detail = figures()
    assert "0 open · 1 won · 1 lost" in page
    assert (api["open_deals"], api["won"], api["lost"]) == (0, 1, 1)
    assert "0 open, 1 won, 1 lost" in detail

    # The segment filter is part of what is kept: each answers its own.
    mid = _row(client.get("/demos/stats/?segment=mid").content.decode(), first.pk)
    assert "0 open · 1 won · 0 lost" in mid
