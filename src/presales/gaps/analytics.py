"""Read-only figures about product gaps: revenue at stake, the maybes and their age, ranking.

Every figure carries its sample: revenue at stake says how many open deals it sums, the maybe
count says of how many open gaps.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Count, Min, Q, QuerySet

from presales.deals.models import STAGE_PROBABILITY, Stage
from presales.gaps.access import gap_links_for, gaps_for
from presales.gaps.models import (
    DEFAULT_IMPACT_WEIGHTS,
    GapOpportunity,
    ImpactWeights,
    ProductGap,
    maybe_filter,
    open_filter,
)
from presales.people.models import Team, User

CENT = Decimal("0.01")


def weights_by_team(team_ids: Iterable[int | None]) -> dict[int | None, dict[str, Decimal]]:
    """Each team's impact weights; teams without their own (and no team) get the defaults."""
    wanted = {t for t in team_ids if t is not None}
    found = {w.team_id: w.as_dict() for w in ImpactWeights.objects.filter(team_id__in=wanted)}
    result: dict[int | None, dict[str, Decimal]] = {None: dict(DEFAULT_IMPACT_WEIGHTS)}
    for team_id in wanted:
        result[team_id] = found.get(team_id, dict(DEFAULT_IMPACT_WEIGHTS))
    return result


@dataclass(frozen=True)
class RevenueLine:
    opportunity_id: int
    opportunity: str
    account_id: int | None
    stage: str
    amount: Decimal | None
    impact: str
    probability: Decimal
    weight: Decimal
    at_stake: Decimal
    lost: Decimal
    won: Decimal


@dataclass
class Revenue:
    """Revenue at stake (open deals), lost (lost deals citing the gap) and won despite it."""

    at_stake: Decimal = Decimal("0.00")
    lost: Decimal = Decimal("0.00")
    won: Decimal = Decimal("0.00")
    open_deals: int = 0
    lost_deals: int = 0
    won_deals: int = 0
    accounts: int = 0
    lines: list[RevenueLine] = field(default_factory=list)


def _line(
    link: GapOpportunity,
    stage: str,
    amount: Decimal | None,
    weights: dict[str, Decimal],
    name: str = "",
    account_id: int | None = None,
) -> RevenueLine:
    probability = STAGE_PROBABILITY[stage]
    weight = weights[link.impact]
    value = amount or Decimal("0")
    is_open = stage not in (Stage.WON, Stage.LOST)
    cited = link.cited_as_loss_reason
    return RevenueLine(
        opportunity_id=link.opportunity_id,
        opportunity=name,
        account_id=account_id,
        stage=stage,
        amount=amount,
        impact=link.impact,
        probability=probability,
        weight=weight,
        at_stake=(value * probability * weight).quantize(CENT) if is_open else Decimal("0.00"),
        lost=value.quantize(CENT) if stage == Stage.LOST and cited else Decimal("0.00"),
        won=value.quantize(CENT) if stage == Stage.WON else Decimal("0.00"),
    )


def revenue_of(gaps: Iterable[ProductGap]) -> dict[int, Revenue]:
    """Revenue at stake, lost and won for each gap, from its links and its deals as they are.

    At stake = Σ over linked open deals of amount x stage probability x the impact's weight in
    the deal's team (deals.models.STAGE_PROBABILITY; gaps.models.DEFAULT_IMPACT_WEIGHTS unless
    the team set its own). Lost = Σ amount of lost deals that cited the gap as a loss reason.
    Won = Σ amount of won deals that had the gap anyway.
    """
    gaps = list(gaps)
    result = {g.pk: Revenue() for g in gaps}
    accounts: dict[int, set[int]] = {g.pk: {g.account_id} if g.account_id else set() for g in gaps}
    links = list(
        GapOpportunity.objects.filter(gap__in=[g.pk for g in gaps])
        .select_related("opportunity")
        .order_by("gap_id", "id")
    )
    weights = weights_by_team(link.opportunity.team_id for link in links)
    for link in links:
        deal = link.opportunity
        line = _line(
            link, deal.stage, deal.amount, weights[deal.team_id], deal.name, deal.account_id
        )
        revenue = result[link.gap_id]
        revenue.lines.append(line)
        revenue.at_stake += line.at_stake
        revenue.lost += line.lost
        revenue.won += line.won
        revenue.open_deals += deal.stage not in (Stage.WON, Stage.LOST)
        revenue.lost_deals += deal.stage == Stage.LOST and link.cited_as_loss_reason
        revenue.won_deals += deal.stage == Stage.WON
        if deal.account_id:
            accounts[link.gap_id].add(deal.account_id)
    for gap_id, revenue in result.items():
        revenue.accounts = len(accounts[gap_id])
    return result


def revenue_of_gap(gap: ProductGap, viewer: User | None = None) -> Revenue:
    """The gap's revenue; with a ``viewer``, the lines name only the deals they may see (the
    totals count every linked deal)."""
    revenue = revenue_of([gap])[gap.pk]
    if viewer is not None:
        seen = set(gap_links_for(viewer).filter(gap=gap).values_list("opportunity_id", flat=True))
        revenue.lines = [line for line in revenue.lines if line.opportunity_id in seen]
    return revenue


# -- maybes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamMaybes:
    """Open maybes of one team, with the sample: "``maybes`` of ``open_gaps`` open gaps"."""

    team_id: int | None
    team: str
    maybes: int
    open_gaps: int
    oldest_days_overdue: int

    @property
    def share(self) -> float | None:
        return self.maybes / self.open_gaps if self.open_gaps else None


@dataclass(frozen=True)
class MaybeFigures:
    teams: list[TeamMaybes]
    maybes: int
    open_gaps: int
    as_of: date


def maybe_figures(user: User, *, today: date) -> MaybeFigures:
    """Open maybes per team the user sees (all teams for product management)."""
    rows = (
        gaps_for(user)
        .filter(open_filter())
        .values("team_id")
        .annotate(
            open_gaps=Count("id"),
            maybes=Count("id", filter=maybe_filter(today)),
            first_due=Min("review_due_on", filter=maybe_filter(today)),
        )
        .order_by()
    )
    names = dict(Team.objects.values_list("pk", "name"))
    teams = [
        TeamMaybes(
            team_id=row["team_id"],
            team=names.get(row["team_id"], "No team"),
            maybes=row["maybes"],
            open_gaps=row["open_gaps"],
            oldest_days_overdue=(today - row["first_due"]).days if row["first_due"] else 0,
        )
        for row in rows
    ]
    teams.sort(key=lambda t: (-t.maybes, t.team))
    return MaybeFigures(
        teams=teams,
        maybes=sum(t.maybes for t in teams),
        open_gaps=sum(t.open_gaps for t in teams),
        as_of=today,
    )


def maybes_for(user: User, *, today: date) -> QuerySet[ProductGap]:
    """The user's visible maybes, oldest first (the most overdue answer on top)."""
    return (
        gaps_for(user)
        .filter(maybe_filter(today))
        .select_related("account", "team")
        .order_by("review_due_on", "id")
    )


# -- ranking ---------------------------------------------------------------------------------

ORDERS = {
    "revenue": ("-revenue_at_stake", "-id"),
    "accounts": ("-account_count", "-revenue_at_stake", "-id"),
    "lost": ("-revenue_lost", "-revenue_at_stake", "-id"),
    "newest": ("-created_at", "-id"),
}


@dataclass(frozen=True)
class RankingFilters:
    product_area: str = ""
    since: datetime | None = None
    until: datetime | None = None
    status: str = ""
    maybes_only: bool = False
    order: str = "revenue"
    q: str = ""


def ranked_gaps(user: User, filters: RankingFilters, *, today: date) -> QuerySet[ProductGap]:
    """The gaps the user sees, not merged away, filtered and ranked."""
    rows = gaps_for(user).filter(merged_into__isnull=True)
    if filters.product_area:
        rows = rows.filter(product_area=filters.product_area)
    if filters.since:
        rows = rows.filter(created_at__gte=filters.since)
    if filters.until:
        rows = rows.filter(created_at__lt=filters.until)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.maybes_only:
        rows = rows.filter(maybe_filter(today))
    if filters.q:
        rows = rows.filter(Q(title__icontains=filters.q) | Q(description__icontains=filters.q))
    return rows.select_related("account", "team").order_by(
        *ORDERS.get(filters.order, ORDERS["revenue"])
    )


def product_areas(user: User) -> list[str]:
    return list(
        gaps_for(user)
        .exclude(product_area="")
        .values_list("product_area", flat=True)
        .distinct()
        .order_by("product_area")
    )
