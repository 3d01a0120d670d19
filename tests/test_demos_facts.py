"""The per-deal facts behind the demo statistics: kept current change by change (signals and
services), they equal a full rebuild from scratch; bulk writes are caught up by the import hook,
the scheduled job and ``presales demos refresh``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from presales.activities.models import Activity
from presales.deals.models import Opportunity, StageChange
from presales.demos import facts, services
from presales.demos.models import DealFact, Demo, DemoDealFact, DemoShown, FactsRebuild
from presales.demos.stats import demo_statistics
from presales.imports.models import ImportRun
from tests.conftest import Cast, make_account, make_activity, make_opportunity, make_product

T0 = timezone.now() - timedelta(days=120)


def snapshot() -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    deals = list(
        DealFact.objects.order_by("deal_id").values_list(
            "deal_id", "segment", "stage", "amount", "moment", "stage_at_moment", "advanced",
            "products", "demos_shown",
        )
    )  # fmt: skip
    pairs = list(
        DemoDealFact.objects.order_by("deal_id", "demo_id").values_list(
            "demo_id", "deal_id", "activity_id", "shown_at", "stage_at", "advanced", "segment",
            "stage", "amount", "moment", "stage_at_moment", "deal_advanced", "comparable",
        )
    )  # fmt: skip
    return deals, pairs


def move(deal: Opportunity, days: int, before: str, after: str) -> StageChange:
    return StageChange.objects.create(
        opportunity=deal, from_stage=before, to_stage=after, changed_at=T0 + timedelta(days)
    )


def show(demo: Demo, deal: Opportunity, cast: Cast, days: int) -> Activity:
    meeting = make_activity(
        opportunity=deal, participants=[cast.alice], starts_at=T0 + timedelta(days)
    )
    DemoShown.objects.create(activity=meeting, demo=demo)
    return meeting


@pytest.fixture
def scene(cast: Cast) -> dict[str, Any]:
    sso, api = make_product("SSO"), make_product("API")
    first = Demo.objects.create(title="SSO flow", owner=cast.alice, state="master")
    first.products.add(sso)
    second = Demo.objects.create(title="API tour", owner=cast.alice, state="shared")
    mid = make_account(cast.north, "Mid Inc", size="mid")
    big = make_account(cast.north, "Big Inc", size="enterprise")
    a = make_opportunity(mid, owner=cast.bob, name="A", stage="discovery", amount="5000")
    b = make_opportunity(big, owner=cast.bob, name="B", stage="discovery", amount="7000")
    a.products.add(sso)
    b.products.add(api)
    move(a, 0, "discovery", "demo")
    move(b, 2, "discovery", "demo")
    return {"sso": sso, "api": api, "first": first, "second": second, "mid": mid, "big": big,
            "a": a, "b": b}  # fmt: skip


def test_each_change_keeps_the_facts_equal_to_a_full_rebuild(
    cast: Cast, scene: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    a, b, first, second = scene["a"], scene["b"], scene["first"], scene["second"]
    shown_a = show(first, a, cast, 5)
    show(second, a, cast, 8)
    shown_b = show(first, b, cast, 6)
    move(a, 20, "demo", "poc")
    early = make_activity(opportunity=a, participants=[cast.alice], starts_at=T0 + timedelta(1))
    fact = DealFact.objects.get(deal=a)
    assert (fact.stage_at_moment, fact.advanced, fact.demos_shown) == ("demo", True, 2)
    assert fact.moment == shown_a.starts_at
    assert DemoDealFact.objects.get(deal_id=a.pk, demo=first).comparable  # shares SSO
    assert not DemoDealFact.objects.get(deal_id=b.pk, demo=first).comparable  # API only

    steps = [
        lambda: setattr(a, "stage", "won") or a.save(),  # closes
        lambda: move(b, 30, "demo", "lost"),
        lambda: setattr(b, "stage", "lost") or b.save(),
        lambda: b.products.add(scene["sso"]),  # now comparable for the SSO demo
        lambda: second.products.add(scene["api"]),  # deal A has no API: not comparable
        lambda: _reschedule(shown_a, days=40),  # the first showing of SSO in A moves later
        lambda: _cancel(shown_b),  # B no longer saw the SSO demo
        lambda: _move_to(shown_a, b),  # A's SSO meeting was in fact B's
        lambda: setattr(scene["big"], "size", "large") or scene["big"].save(),
        lambda: StageChange.objects.filter(opportunity=a, to_stage="poc").delete(),
        # The meeting form: a bulk insert, refreshed by the service.
        lambda: services.set_demos_shown(actor=cast.root, activity=early, demo_ids=[second.pk]),
        lambda: services.set_demos_shown(actor=cast.root, activity=early, demo_ids=[]),
        lambda: DemoShown.objects.filter(demo=second).delete(),
    ]
    for step in steps:
        # Facts follow a write once its transaction commits (the test's never does).
        with django_capture_on_commit_callbacks(execute=True):
            step()
        incremental = snapshot()
        facts.rebuild(reason="test")
        assert snapshot() == incremental

    # The end state, read by hand: B got the SSO demo from A's meeting, on day 40, when it had
    # been lost for ten days; A has no demo left and closed won.
    deal_a, deal_b = DealFact.objects.get(deal=a), DealFact.objects.get(deal=b)
    assert (deal_a.demos_shown, deal_a.stage) == (0, "won")
    assert (deal_b.segment, deal_b.stage, deal_b.demos_shown) == ("large", "lost", 1)
    pair = DemoDealFact.objects.get()
    assert (pair.deal_id, pair.demo_id, pair.activity_id) == (b.pk, first.pk, shown_a.pk)
    assert (pair.stage_at, pair.advanced, pair.comparable) == ("lost", False, True)


def _reschedule(activity: Activity, *, days: int) -> None:
    activity.starts_at = T0 + timedelta(days)
    activity.ends_at = activity.starts_at + timedelta(hours=1)
    activity.save()


def _cancel(activity: Activity) -> None:
    activity.status = Activity.Status.CANCELLED
    activity.save()


def _move_to(activity: Activity, deal: Opportunity) -> None:
    activity.opportunity = deal
    activity.save()


def test_deleting_a_deal_or_a_meeting_takes_its_facts_along(
    cast: Cast, scene: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    a, b, first = scene["a"], scene["b"], scene["first"]
    meeting = show(first, a, cast, 5)
    show(first, b, cast, 6)
    with django_capture_on_commit_callbacks(execute=True):
        meeting.delete()
    assert DealFact.objects.get(deal=a).demos_shown == 0
    assert not DemoDealFact.objects.filter(deal_id=a.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        b.delete()  # its stage history goes with it: no fact comes back for a deal being deleted
    assert list(DealFact.objects.values_list("deal_id", flat=True)) == [a.pk]
    assert list(DemoDealFact.objects.all()) == []


def test_bulk_writes_are_caught_up_by_the_import_hook_and_the_rebuild(
    cast: Cast, scene: dict[str, Any]
) -> None:
    a, first = scene["a"], scene["first"]
    run = ImportRun.objects.create(profile="csv", files=["x.csv"])
    # Rows written as an import writes them: in bulk, without signals.
    meeting = make_activity(opportunity=a, participants=[cast.alice], starts_at=T0)
    DemoShown.objects.bulk_create([DemoShown(activity=meeting, demo=first)])
    Opportunity.objects.filter(pk=a.pk).update(stage="won", updated_at=timezone.now())
    assert DealFact.objects.get(deal=a).stage == "discovery"  # stale until the run finishes
    run.finished_at = timezone.now()
    run.counts = {"opportunity": {"created": 0, "updated": 1}}
    run.save()
    fact = DealFact.objects.get(deal=a)
    assert (fact.stage, fact.demos_shown, fact.moment) == ("won", 1, meeting.starts_at)

    # A bulk update outside an import stays stale until the rebuild.
    Opportunity.objects.filter(pk=a.pk).update(stage="lost")
    assert DealFact.objects.get(deal=a).stage == "won"
    assert demo_statistics(actor=cast.root).won_deals == 1
    facts.rebuild(reason="test")
    assert DealFact.objects.get(deal=a).stage == "lost"
    assert demo_statistics(actor=cast.root).won_deals == 0


def test_the_scheduled_rebuild_runs_when_deals_have_no_facts_and_daily(
    cast: Cast, scene: dict[str, Any]
) -> None:
    # Every deal made through the ORM has its facts, and no full rebuild ran yet: nothing due.
    assert not facts.facts_due()
    # A deal inserted in bulk has none.
    Opportunity.objects.bulk_create([Opportunity(name="Bulk", account=scene["mid"])])
    assert facts.missing().count() == 1
    assert facts.facts_due()
    record = facts.rebuild(reason="test")
    assert record.deals == 3 and record.finished_at is not None
    assert not facts.facts_due()
    assert facts.facts_due(now=timezone.now() + timedelta(hours=25))
    assert FactsRebuild.objects.count() == 1


def test_the_command_rebuilds(cast: Cast, scene: dict[str, Any], capsys: Any) -> None:
    from presales.demos.commands import demos_refresh

    DealFact.objects.all().delete()
    assert demos_refresh(None) == 0  # type: ignore[arg-type]
    assert "Recomputed the demo statistics of 2 deals." in capsys.readouterr().out
    assert DealFact.objects.count() == 2
