"""Read-only figures for incentives: what a SPIFF pays whom, whether it is realistic and
inclusive, and how far each quota bucket is attained."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone

from presales.activities.models import Activity
from presales.deals.models import Opportunity, Stage
from presales.incentives.models import QuotaBucket, Spiff
from presales.people.models import Role, User
from presales.scorecards.periods import Quarter


@dataclass(frozen=True)
class SalesCycle:
    median_days: float | None
    sample: int  # won deals with an engage and a close date


@dataclass(frozen=True)
class SpiffFlag:
    code: str
    message: str


@dataclass(frozen=True)
class Earning:
    person_id: int
    person: str
    role: str
    items: int
    amount: Decimal


@dataclass
class SpiffReport:
    spiff_id: int
    name: str
    window_days: int
    cycle: SalesCycle
    flags: list[SpiffFlag]
    qualifying: int  # deals (sale) or activities (activity) in the window so far
    earnings: list[Earning] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((e.amount for e in self.earnings), Decimal(0))


@dataclass(frozen=True)
class BucketAttainment:
    bucket_id: int
    person_id: int
    person: str
    product: str
    period: str
    target: Decimal
    booked: Decimal
    attainment: Decimal
    sample: int  # won deals counted


def sales_cycle(product_ids: Iterable[int]) -> SalesCycle:
    """Median days from engagement to close of the won deals with any of the products."""
    with_product = Opportunity.products.through.objects.filter(product_id__in=list(product_ids))
    rows = Opportunity.objects.filter(
        pk__in=with_product.values("opportunity_id"),
        stage=Stage.WON,
        engage_date__isnull=False,
        close_date__isnull=False,
    ).values_list("engage_date", "close_date")
    days = [
        (closed - engaged).days
        for engaged, closed in rows
        if engaged is not None and closed is not None and closed >= engaged
    ]
    if not days:
        return SalesCycle(None, 0)
    return SalesCycle(float(statistics.median(days)), len(days))


def _deals(spiff: Spiff, product_ids: Sequence[int]) -> list[Opportunity]:
    with_product = Opportunity.products.through.objects.filter(product_id__in=product_ids)
    rows = Opportunity.objects.filter(
        pk__in=with_product.values("opportunity_id"),
        stage=Stage.WON,
        close_date__gte=spiff.starts_on,
        close_date__lte=spiff.ends_on,
    )
    if spiff.team_id:
        rows = rows.filter(team_id=spiff.team_id)
    return list(rows.select_related("owner").prefetch_related("sales_engineers").order_by("pk"))


def _activities(spiff: Spiff, product_ids: Sequence[int]) -> list[Activity]:
    with_product = Opportunity.products.through.objects.filter(product_id__in=product_ids)
    rows = Activity.objects.filter(
        kind=spiff.activity_kind,
        opportunity__in=with_product.values("opportunity_id"),
        starts_at__date__gte=spiff.starts_on,
        starts_at__date__lte=spiff.ends_on,
        ends_at__lte=timezone.now(),
    ).exclude(status=Activity.Status.CANCELLED)
    if spiff.team_id:
        rows = rows.filter(Q(opportunity__team_id=spiff.team_id))
    return list(rows.prefetch_related("participants").order_by("pk"))


def spiff_report(spiff: Spiff) -> SpiffReport:
    product_ids = list(spiff.products.values_list("pk", flat=True))
    cycle = sales_cycle(product_ids)
    pay: dict[int, list[Any]] = defaultdict(lambda: [None, 0, Decimal(0)])
    ses_on_items: set[int] = set()

    def credit(person: User, amount: Decimal) -> None:
        entry = pay[person.pk]
        entry[0] = person
        entry[1] += 1
        entry[2] += amount

    if spiff.basis == Spiff.Basis.SALE:
        items: Sequence[Opportunity | Activity] = _deals(spiff, product_ids)
        for deal in items:
            assert isinstance(deal, Opportunity)
            if deal.owner is not None and spiff.rep_amount:
                credit(deal.owner, spiff.rep_amount)
            for se in deal.sales_engineers.all():
                ses_on_items.add(se.pk)
                if spiff.se_amount:
                    credit(se, spiff.se_amount)
    else:
        items = _activities(spiff, product_ids)
        for activity in items:
            assert isinstance(activity, Activity)
            for person in activity.participants.all():
                if person.role == Role.SE:
                    ses_on_items.add(person.pk)
                    if spiff.se_amount:
                        credit(person, spiff.se_amount)
                elif person.role == Role.REP and spiff.rep_amount:
                    credit(person, spiff.rep_amount)
    flags = spiff_flags(spiff, cycle=cycle, ses_on_items=len(ses_on_items), items=len(items))
    earnings = sorted(
        (
            Earning(pk, str(person), person.get_role_display(), n, amount)
            for pk, (person, n, amount) in pay.items()
        ),
        key=lambda e: (-e.amount, e.person),
    )
    return SpiffReport(spiff.pk, spiff.name, spiff.window_days, cycle, flags, len(items), earnings)


def spiff_flags(
    spiff: Spiff, *, cycle: SalesCycle, ses_on_items: int, items: int
) -> list[SpiffFlag]:
    flags = []
    if (
        spiff.basis == Spiff.Basis.SALE
        and cycle.median_days is not None
        and spiff.window_days < cycle.median_days
    ):
        flags.append(
            SpiffFlag(
                "unrealistic",
                f"The window is {spiff.window_days} days but the products' median sales cycle "
                f"is {cycle.median_days:g} days ({cycle.sample} won deals): it pays deals "
                "already in the pipeline and pushes the cycle.",
            )
        )
    if spiff.rep_amount > 0 and spiff.se_amount == 0:
        on_items = (
            f" ({ses_on_items} SE(s) worked on the {items} qualifying "
            f"{'deal' if spiff.basis == Spiff.Basis.SALE else 'activit'}"
            f"{'s' if spiff.basis == Spiff.Basis.SALE else 'ies'} so far)"
            if items
            else ""
        )
        flags.append(
            SpiffFlag(
                "not_inclusive",
                f"It pays reps but not the SEs on the same deals{on_items}.",
            )
        )
    return flags


def bucket_attainment(bucket: QuotaBucket) -> BucketAttainment:
    """Booked amount of the person's won deals with the product closed in the quarter; a deal
    with several products counts an equal share of its amount for each."""
    return bucket_attainments([bucket])[0]


def bucket_attainments(buckets: Iterable[QuotaBucket]) -> list[BucketAttainment]:
    """``bucket_attainment`` of each bucket, from three queries whatever their number: the won
    deals of all the buckets' people, products and quarters, their products and their SEs."""
    buckets = list(buckets)
    if not buckets:
        return []
    quarters = [Quarter(b.year, b.quarter) for b in buckets]
    owners = {b.owner_id for b in buckets}
    supported = Opportunity.sales_engineers.through.objects.filter(user_id__in=owners)
    deals = list(
        Opportunity.objects.filter(
            Q(owner_id__in=owners) | Q(pk__in=supported.values("opportunity_id")),
            products__in={b.product_id for b in buckets},
            stage=Stage.WON,
            close_date__gte=min(q.start for q in quarters),
            close_date__lte=max(q.end for q in quarters),
        )
        .distinct()
        .values_list("pk", "owner_id", "close_date", "amount")
    )
    ids = [pk for pk, *_ in deals]
    products: dict[int, set[int]] = defaultdict(set)
    for deal_id, product_id in Opportunity.products.through.objects.filter(
        opportunity_id__in=ids
    ).values_list("opportunity_id", "product_id"):
        products[deal_id].add(product_id)
    ses: dict[int, set[int]] = defaultdict(set)
    for deal_id, user_id in supported.filter(opportunity_id__in=ids).values_list(
        "opportunity_id", "user_id"
    ):
        ses[deal_id].add(user_id)
    out = []
    for bucket, quarter in zip(buckets, quarters, strict=True):
        booked = Decimal(0)
        n = 0
        for pk, owner, closed, amount in deals:
            if (
                (owner == bucket.owner_id or bucket.owner_id in ses[pk])
                and bucket.product_id in products[pk]
                and closed is not None
                and quarter.start <= closed <= quarter.end
            ):
                booked += (amount or Decimal(0)) / (len(products[pk]) or 1)
                n += 1
        booked = booked.quantize(Decimal("0.01"), ROUND_HALF_UP)
        pct = (booked / bucket.target * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)
        out.append(
            BucketAttainment(
                bucket.pk,
                bucket.owner_id,
                str(bucket.owner),
                str(bucket.product),
                quarter.label,
                bucket.target,
                booked,
                pct,
                n,
            )
        )
    return out
