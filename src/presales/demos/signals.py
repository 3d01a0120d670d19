"""Keep the demo statistics' per-deal facts current on every change made through the ORM: a
deal (stage, amount, account, creation), its products, its stage history, an account's size, an
activity that showed demos (moved, rescheduled, cancelled, deleted), a demo shown and a demo's
products.

The per-object receivers note which deals changed; their facts are computed once per deal and
transaction, after it commits (``presales.core.aftercommit``), so a deal's update does not hold
the database's write lock while its facts are worked out. A deal whose own row alone was saved
takes the short way (``facts.refresh_saved``).

Bulk writes send no model signal: they run inside ``presales.core.signals.bulk_change`` (whose
``rows_changed`` refreshes the deals written here), call ``presales.demos.facts.refresh``
themselves, or leave it to the refresh after imports and the daily rebuild."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_save

from presales.accounts.models import Account
from presales.activities.models import Activity
from presales.core import aftercommit
from presales.core.signals import rows_changed, rows_changing
from presales.deals.models import Opportunity, StageChange
from presales.demos import facts
from presales.demos.models import DealFact, Demo, DemoDealFact, DemoShown

FULL = "Demo facts"
SAVED = "Demo facts of saved deals"


def refresh_later(deal_ids: Any) -> None:
    """These deals' facts computed again once, after the transaction commits."""
    aftercommit.later(FULL, deal_ids, facts.refresh)


def _deal_saved(sender: Any, instance: Opportunity, **kwargs: Any) -> None:
    if not kwargs.get("raw"):
        aftercommit.later(SAVED, [instance.pk], facts.refresh_saved)


def _products_changed(sender: Any, instance: Any, action: str, **kwargs: Any) -> None:
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if isinstance(instance, Opportunity):
        refresh_later([instance.pk])
    elif kwargs.get("pk_set"):  # from the product's side: product.deals.add(...)
        refresh_later(kwargs["pk_set"])


def _deleting_deal(kwargs: dict[str, Any]) -> bool:
    """Whether this row goes because its deal is deleted (its facts go with it then)."""
    origin = kwargs.get("origin")
    model = origin.model if isinstance(origin, QuerySet) else type(origin)
    return model is Opportunity


def _demo_products_changed(sender: Any, instance: Any, action: str, **kwargs: Any) -> None:
    """Which deals a demo is compared with follows its products."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    demo_ids = [instance.pk] if isinstance(instance, Demo) else list(kwargs.get("pk_set") or ())
    pairs = DemoDealFact.objects.filter(demo_id__in=demo_ids)
    refresh_later(pairs.values_list("deal_id", flat=True))


def _history_changed(sender: Any, instance: StageChange, **kwargs: Any) -> None:
    if not kwargs.get("raw") and not _deleting_deal(kwargs):
        refresh_later([instance.opportunity_id])


def _account_saved(sender: Any, instance: Account, **kwargs: Any) -> None:
    """The segment is the account's size: copy it to its deals' facts where it differs."""
    if kwargs.get("raw") or kwargs.get("created"):
        return
    size = instance.size or ""
    deals = Opportunity.objects.filter(account_id=instance.pk).values("pk")
    changed = DealFact.objects.filter(deal_id__in=deals).exclude(segment=size).update(segment=size)
    DemoDealFact.objects.filter(deal_id__in=deals).exclude(segment=size).update(segment=size)
    if changed:
        facts.bump()


def _deal_deleted(sender: Any, instance: Opportunity, **kwargs: Any) -> None:
    """Its facts went with it (cascade): what was computed from them is out of date."""
    facts.bump()


def _deals_of_activities(ids: list[int]) -> set[int]:
    """The deals whose facts activities ``ids`` count in: those they were a demo's first
    showing in, and the deals of those that showed a demo."""
    deals = set(DemoDealFact.objects.filter(activity_id__in=ids).values_list("deal_id", flat=True))
    deals |= set(
        DemoShown.objects.filter(activity_id__in=ids, activity__opportunity__isnull=False)
        .values_list("activity__opportunity_id", flat=True)
        .distinct()
    )
    return deals


def _rows_changing(sender: Any, ids: list[int], **kwargs: Any) -> set[int]:
    """Before a bulk write of activities: the deals they count in now (they may move away)."""
    return _deals_of_activities(ids) if sender is Activity and ids else set()


def _rows_changed(sender: Any, ids: list[int], before: dict[Any, Any], **kwargs: Any) -> None:
    """A bulk write (queryset updates, imports, merges) sends no model signal: refresh the
    deals it wrote, those of the accounts it wrote, or those its activities count in."""
    if not ids:
        return
    if sender is Opportunity:
        facts.refresh(ids)
    elif sender is Account:
        facts.refresh(Opportunity.objects.filter(account_id__in=ids).values_list("pk", flat=True))
    elif sender is Activity:
        deals = _deals_of_activities(ids) | set(before.get(_rows_changing) or ())
        if deals:
            facts.refresh(deals)


def _activity_changed(sender: Any, instance: Activity, **kwargs: Any) -> None:
    """An activity matters when it showed a demo now, or was a demo's first showing in a deal
    before (it may have moved to another deal, been cancelled or rescheduled)."""
    if kwargs.get("raw") or kwargs.get("created"):
        return  # a new activity is no deal's first showing yet, and shows no demo yet
    deals = set(
        DemoDealFact.objects.filter(activity_id=instance.pk).values_list("deal_id", flat=True)
    )
    if (
        instance.opportunity_id
        and DemoShown.objects.filter(activity_id=instance.pk).exists()  # none once deleted
    ):
        deals.add(instance.opportunity_id)
    if deals:
        refresh_later(deals)


def _shown_changed(sender: Any, instance: DemoShown, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    deal = (
        Activity.objects.filter(pk=instance.activity_id)
        .values_list("opportunity_id", flat=True)
        .first()
    )
    if deal:
        refresh_later([deal])


def _import_finished(sender: Any, instance: Any, **kwargs: Any) -> None:
    """An import writes rows in bulk, without signals: when its run is recorded as finished,
    record the demos its activities' subjects name, then bring the facts of what it wrote up
    to date (once per run, in bulk)."""
    if kwargs.get("created") or kwargs.get("raw") or kwargs.get("update_fields") is not None:
        return
    if instance.finished_at is None or instance.dry_run:
        return
    if facts.changed_anything(instance.counts):
        from presales.demos.matching import match_imported

        match_imported(instance.started_at, refresh=False)
        facts.after_import(instance.started_at)


def connect() -> None:
    from presales.imports.models import ImportRun

    uid = "demos-facts-"
    post_save.connect(_import_finished, sender=ImportRun, dispatch_uid=uid + "import")
    post_save.connect(_deal_saved, sender=Opportunity, dispatch_uid=uid + "deal")
    m2m_changed.connect(
        _products_changed, sender=Opportunity.products.through, dispatch_uid=uid + "products"
    )
    m2m_changed.connect(
        _demo_products_changed, sender=Demo.products.through, dispatch_uid=uid + "demo-products"
    )
    for signal in (post_save, post_delete):
        name = "save" if signal is post_save else "delete"
        signal.connect(_history_changed, sender=StageChange, dispatch_uid=f"{uid}history-{name}")
        signal.connect(_activity_changed, sender=Activity, dispatch_uid=f"{uid}activity-{name}")
        signal.connect(_shown_changed, sender=DemoShown, dispatch_uid=f"{uid}shown-{name}")
    post_save.connect(_account_saved, sender=Account, dispatch_uid=uid + "account")
    post_delete.connect(_deal_deleted, sender=Opportunity, dispatch_uid=uid + "deal-delete")
    for model in (Opportunity, Account, Activity):
        label = model._meta.label_lower
        rows_changing.connect(_rows_changing, sender=model, dispatch_uid=f"{uid}changing-{label}")
        rows_changed.connect(_rows_changed, sender=model, dispatch_uid=f"{uid}changed-{label}")
