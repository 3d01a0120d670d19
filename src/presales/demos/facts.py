"""The per-deal facts the demo statistics count, kept current as the data changes.

For each deal (``DealFact``): its segment, stage now, amount, products, its *moment* (the first
showing of any demo in it, else when it entered the demo stage, else when it was created), its
stage at that moment and whether it moved to a later stage within 30 days of it. For each demo
shown in a deal (``DemoDealFact``): the first showing (a meeting that was not cancelled), the
deal's stage then and whether it advanced within 30 days of it, beside the deal's own facts.

The statistics then group these rows in SQL instead of walking every stage change and showing.
Every write to the facts gives them a new version (``bump``); computed statistics are kept
under it.

Kept current by:
- ``refresh(deal_ids)``: the facts of those deals computed again. The signals in
  ``presales.demos.signals`` call it, once per deal after the transaction commits, when a
  deal's stage history, its products, an activity with demos, a demo shown or a demo's products
  change through the ORM (a saved deal row takes ``refresh_saved``, which copies a changed
  amount or segment); services that bulk-write call it directly. When an import's run is
  recorded as finished, the deals it wrote are refreshed (``after_import``): its rows bypass
  the signals.
- Writes outside these functions: ``presales.core.signals.bulk_change`` around queryset
  updates (a picklist's stage moves, merges) refreshes the deals written.
- ``rebuild()``: every deal's facts from scratch. ``presales demos refresh`` runs it, and so
  does a scheduled background job when deals have no facts (bulk inserts, an upgrade) and once
  a day for other bulk updates (``facts_due``).
"""

from __future__ import annotations

import uuid
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Model, QuerySet
from django.utils import timezone

from presales.activities.models import Activity
from presales.deals.models import Opportunity, Stage, StageChange
from presales.demos.models import (
    DealFact,
    Demo,
    DemoDealFact,
    DemoShown,
    FactsRebuild,
    FactsStamp,
)

ADVANCE_DAYS = 30
ORDER: dict[str, int] = {
    Stage.PROSPECTING: 0,
    Stage.DISCOVERY: 1,
    Stage.DEMO: 2,
    Stage.POC: 3,
    Stage.PROPOSAL: 4,
    Stage.NEGOTIATION: 5,
    Stage.WON: 6,
}
CHUNK = 2000  # deal ids per query, well under every database's limit on parameters
DAILY = timedelta(hours=24)

History = list[tuple[datetime, str, str]]  # at, from, to; in order


def stage_at(
    history: History, times: list[datetime], current: str, moment: datetime
) -> tuple[str, bool]:
    """The deal's stage at ``moment`` and whether it moved to a later stage within
    ``ADVANCE_DAYS`` after it (closing won counts; lost does not). A change at the very moment
    has happened by then. Without a history the deal has always been at its ``current`` stage."""
    if not history:
        return current, False
    i = bisect_right(times, moment)
    stage = history[i - 1][2] if i else (history[0][1] or history[0][2])
    here = ORDER.get(stage, -1)
    limit = moment + timedelta(days=ADVANCE_DAYS)
    for at, _, after in history[i:]:
        if at > limit:
            break
        if ORDER.get(after, -1) > here:
            return stage, True
    return stage, False


@dataclass
class _Deal:
    stage: str
    amount: Decimal | None
    segment: str
    created: datetime
    products: list[int] = field(default_factory=list)
    history: History = field(default_factory=list)
    times: list[datetime] = field(default_factory=list)
    # demo id -> (first showing, its activity)
    shown: dict[int, tuple[datetime, int]] = field(default_factory=dict)


def _chunks(ids: list[int] | None) -> Iterator[list[int] | None]:
    if ids is None:
        yield None
        return
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _among(rows: QuerySet[Any], name: str, ids: list[int] | None) -> QuerySet[Any]:
    return rows if ids is None else rows.filter(**{f"{name}__in": ids})


def _load(ids: list[int] | None) -> dict[int, _Deal]:
    deals: dict[int, _Deal] = {}
    rows = _among(Opportunity.objects.all(), "pk", ids)
    for pk, stage, amount, size, created in rows.values_list(
        "pk", "stage", "amount", "account__size", "created_at"
    ):
        deals[pk] = _Deal(stage, amount, size or "", created)
    through = _among(Opportunity.products.through.objects.all(), "opportunity_id", ids)
    for deal_id, product_id in through.values_list("opportunity_id", "product_id"):
        deals[deal_id].products.append(product_id)
    changes = _among(StageChange.objects.all(), "opportunity_id", ids)
    for deal_id, at, before, after in changes.order_by(
        "opportunity_id", "changed_at", "id"
    ).values_list("opportunity_id", "changed_at", "from_stage", "to_stage"):
        deal = deals[deal_id]
        deal.history.append((at, before, after))
        deal.times.append(at)
    shown = _among(
        DemoShown.objects.filter(
            activity__opportunity__isnull=False, status=DemoShown.Status.SHOWN
        ),
        "activity__opportunity_id",
        ids,
    ).exclude(activity__status=Activity.Status.CANCELLED)
    for deal_id, demo_id, at, activity_id in shown.order_by(
        "activity__starts_at", "activity_id"
    ).values_list("activity__opportunity_id", "demo_id", "activity__starts_at", "activity_id"):
        shown_in = deals.get(deal_id)
        if shown_in is not None and demo_id not in shown_in.shown:
            shown_in.shown[demo_id] = (at, activity_id)
    return deals


FACT_COLUMNS = (
    "deal_id",
    "segment",
    "stage",
    "amount",
    "moment",
    "stage_at_moment",
    "advanced",
    "products",
    "demos_shown",
)
PAIR_COLUMNS = (
    "demo_id",
    "deal_id",
    "activity_id",
    "shown_at",
    "stage_at",
    "advanced",
    "segment",
    "stage",
    "amount",
    "moment",
    "stage_at_moment",
    "deal_advanced",
    "comparable",
)


def _demo_products(deals: dict[int, _Deal]) -> dict[int, set[int]]:
    demo_ids = {demo_id for deal in deals.values() for demo_id in deal.shown}
    found: dict[int, set[int]] = {demo_id: set() for demo_id in demo_ids}
    rows = Demo.products.through.objects.filter(demo_id__in=demo_ids)
    for demo_id, product_id in rows.values_list("demo_id", "product_id"):
        found[demo_id].add(product_id)
    return found


def _facts(deals: dict[int, _Deal]) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The rows of DealFact and DemoDealFact, in the order of FACT_COLUMNS and PAIR_COLUMNS,
    with values as the database takes them (tens of thousands of rows: no model instances)."""
    ops = connection.ops
    when = ops.adapt_datetimefield_value
    facts: list[tuple[Any, ...]] = []
    pairs: list[tuple[Any, ...]] = []
    demo_products = _demo_products(deals)
    for pk, deal in deals.items():
        first_demo_stage = next((at for at, _, to in deal.history if to == Stage.DEMO), None)
        first_shown = min((at for at, _ in deal.shown.values()), default=None)
        moment = first_shown or first_demo_stage or deal.created
        stage, advanced = stage_at(deal.history, deal.times, deal.stage, moment)
        amount = None if deal.amount is None else ops.adapt_decimalfield_value(deal.amount, 14, 2)
        owned = set(deal.products)
        products = ",".join(str(p) for p in sorted(owned))
        moment_value = when(moment)
        facts.append(
            (pk, deal.segment, deal.stage, amount, moment_value, stage, advanced, products,
             len(deal.shown))
        )  # fmt: skip
        for demo_id, (at, activity_id) in deal.shown.items():
            then, moved = stage_at(deal.history, deal.times, deal.stage, at)
            pairs.append(
                (demo_id, pk, activity_id, when(at), then, moved, deal.segment, deal.stage,
                 amount, moment_value, stage, advanced,
                 not demo_products[demo_id] or bool(owned & demo_products[demo_id]))
            )  # fmt: skip
    return facts, pairs


def _insert(model: type[Model], columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ({marks})"  # noqa: S608
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[start : start + 5000])


def _delete(model: type[Model], ids: list[int] | None) -> None:
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        if ids is None:
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608
        elif ids:
            marks = ", ".join(["%s"] * len(ids))
            cursor.execute(f"DELETE FROM {table} WHERE deal_id IN ({marks})", ids)  # noqa: S608


def _write(ids: list[int] | None, deals: dict[int, _Deal]) -> int:
    facts, pairs = _facts(deals)
    _delete(DemoDealFact, ids)
    _delete(DealFact, ids)
    _insert(DealFact, FACT_COLUMNS, facts)
    _insert(DemoDealFact, PAIR_COLUMNS, pairs)
    bump()
    return len(facts)


def bump() -> None:
    """Give the facts a new version, in the transaction that writes them: whatever was
    computed from the former facts is no longer served. A random token, not a counter, so a
    rolled-back write or a restored database never brings back a version already used."""
    token = uuid.uuid4().hex
    if not FactsStamp.objects.filter(pk=1).update(token=token):
        FactsStamp.objects.update_or_create(pk=1, defaults={"token": token})


def stamp() -> str:
    """The facts' version now; empty before their first write."""
    return FactsStamp.objects.filter(pk=1).values_list("token", flat=True).first() or ""


def _lock(ids: list[int] | None) -> None:
    """Hold these deals (SQLite: the write lock) before reading them, so that another refresh
    of the same deals cannot write facts read before this one's between its read and write."""
    if ids:
        list(Opportunity.objects.select_for_update().filter(pk__in=ids).values_list("pk"))


@transaction.atomic
def refresh(deal_ids: Iterable[int | None]) -> int:
    """Compute the facts of these deals again (a deal that no longer exists loses its facts).
    Returns how many deals have facts now."""
    wanted = sorted({pk for pk in deal_ids if pk is not None})
    written = 0
    for ids in _chunks(wanted):
        _lock(ids)
        written += _write(ids, _load(ids))
    return written


@transaction.atomic
def refresh_saved(deal_ids: Iterable[int | None]) -> None:
    """After deals' own rows were saved: where the stored facts hold the deal's stage now, only
    its amount and segment (its account's size) can differ, and are copied; the other deals'
    facts are computed again. A change of stage, history, products or demos shown goes through
    ``refresh`` (their signals call it)."""
    wanted = sorted({pk for pk in deal_ids if pk is not None})
    again: list[int] = []
    copied = 0
    for ids in _chunks(wanted):
        assert ids is not None
        _lock(ids)
        now = {
            pk: (stage, amount, size or "")
            for pk, stage, amount, size in Opportunity.objects.filter(pk__in=ids).values_list(
                "pk", "stage", "amount", "account__size"
            )
        }
        stored = {
            pk: (stage, amount, segment)
            for pk, stage, amount, segment in DealFact.objects.filter(deal_id__in=ids).values_list(
                "deal_id", "stage", "amount", "segment"
            )
        }
        for pk in ids:
            current, kept = now.get(pk), stored.get(pk)
            if current is None or kept is None or current[0] != kept[0]:
                again.append(pk)
            elif current[1:] != kept[1:]:
                _, amount, segment = current
                DealFact.objects.filter(deal_id=pk).update(amount=amount, segment=segment)
                DemoDealFact.objects.filter(deal_id=pk).update(amount=amount, segment=segment)
                copied += 1
    if copied and not again:
        bump()  # refresh bumps when it runs
    if again:
        refresh(again)


def rebuild(
    *, reason: str = "", progress: Callable[[str, int, int], None] | None = None
) -> FactsRebuild:
    """Every deal's facts from scratch, in one transaction: pages read the former facts until
    it commits."""
    record = FactsRebuild.objects.create(reason=reason[:200])
    with transaction.atomic():
        if progress:
            progress("reading deals", 0, 2)
        deals = _load(None)
        if progress:
            progress("writing facts", 1, 2)
        record.deals = _write(None, deals)
    record.finished_at = timezone.now()
    record.save(update_fields=["deals", "finished_at"])
    if progress:
        progress("done", 2, 2)
    return record


def last_rebuild() -> FactsRebuild | None:
    return FactsRebuild.objects.filter(finished_at__isnull=False).first()


def touched_since(moment: datetime) -> set[int]:
    """Deals an import may have changed without a signal: deals and accounts written since
    ``moment``, deals of activities written since, the deals those activities were a demo's
    first showing in, and deals without facts."""
    deals = set(Opportunity.objects.filter(updated_at__gte=moment).values_list("pk", flat=True))
    deals |= set(
        Opportunity.objects.filter(account__updated_at__gte=moment).values_list("pk", flat=True)
    )
    activities = Activity.objects.filter(updated_at__gte=moment)
    deals |= set(
        activities.filter(opportunity__isnull=False).values_list("opportunity_id", flat=True)
    )
    deals |= set(
        DemoDealFact.objects.filter(activity_id__in=activities.values("pk")).values_list(
            "deal_id", flat=True
        )
    )
    deals |= set(missing().values_list("pk", flat=True))
    return deals


def missing() -> QuerySet[Opportunity]:
    """Deals without facts: written in bulk (an import, the demo data) or before the facts
    existed."""
    return Opportunity.objects.filter(demo_fact__isnull=True)


def after_import(started_at: datetime) -> int:
    """Bring the facts of what an import wrote up to date (its rows bypass the signals)."""
    return refresh(touched_since(started_at))


def changed_anything(counts: Any) -> bool:
    if not isinstance(counts, dict):
        return False
    return any(
        isinstance(c, dict) and (c.get("created") or c.get("updated")) for c in counts.values()
    )


def facts_due(*, now: datetime | None = None) -> bool:
    """Whether the scheduled rebuild has work: deals without facts (bulk writes, an upgrade),
    or a day since the last full rebuild (other bulk updates bypass the signals too)."""
    if missing().exists():
        return True
    last = last_rebuild()
    return last is not None and last.started_at < (now or timezone.now()) - DAILY
