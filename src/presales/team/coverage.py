"""Coverage: how many sales engineers stand behind the reps, per region and per line of
business, and the late-stage deals no SE has touched.

What the data model offers, and what is used:
- Region: a person's team's region (``Team.region``); SEs and reps are the active users of the
  roles "Sales engineer" and "Account executive (rep)" in the region's teams.
- Line of business: the product series (``Product.series``) of the products on open deals; the
  SEs and reps of a line are the distinct SEs on those deals and their owners.
- SE involvement in a deal: an SE named on the deal, or an SE among the participants of an
  activity on it (not cancelled).
Deals are only those the viewer may see.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, QuerySet

from presales.activities.models import Activity
from presales.deals.models import OPEN_STAGES, Opportunity, Stage
from presales.people.models import Region, Role, User

LATE_STAGES = (Stage.POC, Stage.PROPOSAL, Stage.NEGOTIATION)


@dataclass
class CoverageRow:
    name: str
    ses: int
    reps: int
    open_deals: int
    deals_with_se: int

    @property
    def ratio(self) -> str:
        """SE-to-rep ratio as ``1 : x`` (reps per SE), or a word when one side is missing."""
        if not self.ses:
            return "no SE" if self.reps else "—"
        return f"1 : {self.reps / self.ses:.1f}"

    @property
    def reps_per_se(self) -> float | None:
        return round(self.reps / self.ses, 2) if self.ses else None

    @property
    def covered_share(self) -> float | None:
        return self.deals_with_se / self.open_deals if self.open_deals else None


def _involved(deals: QuerySet[Opportunity]) -> Any:
    """The deals with ``has_se``: an SE named on the deal or at one of its activities."""
    named = Opportunity.sales_engineers.through.objects.filter(
        opportunity_id=OuterRef("pk"), user__role=Role.SE
    )
    met = Activity.objects.filter(
        opportunity_id=OuterRef("pk"), participants__role=Role.SE
    ).exclude(status=Activity.Status.CANCELLED)
    return deals.annotate(has_se=Exists(named) | Exists(met))


def by_region(deals: QuerySet[Opportunity]) -> list[CoverageRow]:
    people: dict[int, dict[str, int]] = defaultdict(lambda: {Role.SE: 0, Role.REP: 0})
    for row in (
        User.objects.filter(is_active=True, role__in=(Role.SE, Role.REP), team__isnull=False)
        .values("team__region_id", "role")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        people[row["team__region_id"]][row["role"]] = row["n"]
    open_deals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for row in (
        _involved(deals.filter(stage__in=OPEN_STAGES, team__isnull=False))
        .values("team__region_id", "has_se")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        open_deals[row["team__region_id"]][0] += row["n"]
        if row["has_se"]:
            open_deals[row["team__region_id"]][1] += row["n"]
    return [
        CoverageRow(
            name=region.name,
            ses=people[region.pk][Role.SE],
            reps=people[region.pk][Role.REP],
            open_deals=open_deals[region.pk][0],
            deals_with_se=open_deals[region.pk][1],
        )
        for region in Region.objects.order_by("name")
    ]


def by_line(deals: QuerySet[Opportunity]) -> list[CoverageRow]:
    lines = Opportunity.products.through.objects.filter(
        opportunity__in=deals.filter(stage__in=OPEN_STAGES)
    )
    deal_ids: dict[str, set[int]] = defaultdict(set)
    for series, deal_id in lines.values_list("product__series", "opportunity_id"):
        deal_ids[series or "No series"].add(deal_id)
    every = set().union(*deal_ids.values()) if deal_ids else set()
    ses: dict[int, set[int]] = defaultdict(set)
    for deal_id, user_id in Opportunity.sales_engineers.through.objects.filter(
        opportunity_id__in=every, user__role=Role.SE
    ).values_list("opportunity_id", "user_id"):
        ses[deal_id].add(user_id)
    owners = dict(
        Opportunity.objects.filter(pk__in=every, owner__role=Role.REP).values_list("pk", "owner_id")
    )
    with_se = set(
        _involved(Opportunity.objects.filter(pk__in=every))
        .filter(has_se=True)
        .values_list("pk", flat=True)
    )
    rows = []
    for series, ids in sorted(deal_ids.items()):
        rows.append(
            CoverageRow(
                name=series,
                ses=len(set().union(*(ses[d] for d in ids))),
                reps=len({owners[d] for d in ids if d in owners}),
                open_deals=len(ids),
                deals_with_se=len(ids & with_se),
            )
        )
    return rows


def late_without_se(deals: QuerySet[Opportunity]) -> Any:
    """Open deals in a late stage with no SE named and none at any of their activities, the
    biggest first."""
    return (
        _involved(deals.filter(stage__in=LATE_STAGES))
        .filter(has_se=False)
        .select_related("account", "owner", "team")
        .order_by(F("amount").desc(nulls_last=True), "close_date", "pk")
    )


def coverage_json(deals: QuerySet[Opportunity]) -> dict[str, Any]:
    def rows(items: list[CoverageRow]) -> list[dict[str, Any]]:
        return [
            {
                "name": r.name,
                "ses": r.ses,
                "reps": r.reps,
                "reps_per_se": r.reps_per_se,
                "open_deals": r.open_deals,
                "deals_with_se": {"n": r.deals_with_se, "N": r.open_deals},
            }
            for r in items
        ]

    late = late_without_se(deals)
    return {
        "by_region": rows(by_region(deals)),
        "by_line_of_business": rows(by_line(deals)),
        "late_stage_without_se": [
            {
                "id": d.pk,
                "name": d.name,
                "stage": d.stage,
                "amount": d.amount,
                "owner": d.owner.username if d.owner else None,
            }
            for d in late[:200]
        ],
    }
