"""Figures of the POCs a user sees: win rate of deals that ran one, duration, share of criteria
met, POCs running per SE against the team's limit, revenue won without a POC. Read-only."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Sum

from presales.core import access
from presales.core.stats import Figure, median_figure, rate_figure
from presales.deals.access import opportunities_for
from presales.deals.models import Stage
from presales.people.models import User
from presales.pocs.models import DEFAULT_RUNNING_PER_SE, MET_GRADES, Criterion, Poc, PocLimit


@dataclass
class SeLoad:
    se: str
    se_id: int
    running: int
    limit: int

    @property
    def over(self) -> bool:
        return self.running > self.limit

    @property
    def at_limit(self) -> bool:
        return self.running >= self.limit


@dataclass
class PocFigures:
    win_rate: Figure
    duration: Figure
    criteria_met: Figure
    revenue_without_poc: Decimal
    won_without_poc: int
    loads: list[SeLoad]


def poc_figures(*, actor: User) -> PocFigures:
    deals = opportunities_for(actor)
    pocs = access.visible(actor, Poc)
    ran = pocs.exclude(status__in=[Poc.Status.PLANNED, Poc.Status.CANCELLED])
    with_poc = deals.filter(pk__in=ran.values("opportunity_id"))
    closed = with_poc.filter(stage__in=[Stage.WON, Stage.LOST])
    won = closed.filter(stage=Stage.WON).count()
    durations = [
        float((end - start).days)
        for start, end in ran.filter(status=Poc.Status.COMPLETED, started_on__isnull=False)
        .exclude(ended_on=None)
        .values_list("started_on", "ended_on")
    ]
    graded = Criterion.objects.filter(poc__in=ran.values("pk")).exclude(grade="")
    met = graded.filter(grade__in=MET_GRADES).count()
    without = deals.filter(stage=Stage.WON).exclude(
        Exists(Poc.objects.filter(opportunity=OuterRef("pk")).exclude(status=Poc.Status.CANCELLED))
    )
    revenue = without.aggregate(total=Sum("amount"))["total"] or Decimal(0)
    running = (
        pocs.filter(status=Poc.Status.RUNNING, se__isnull=False)
        .values("se_id", "se__first_name", "se__last_name", "se__username", "se__team_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "se__username")
    )
    limits = dict(PocLimit.objects.values_list("team_id", "running_per_se"))
    loads = [
        SeLoad(
            se=f"{row['se__first_name']} {row['se__last_name']}".strip() or row["se__username"],
            se_id=row["se_id"],
            running=row["n"],
            limit=limits.get(row["se__team_id"], DEFAULT_RUNNING_PER_SE),
        )
        for row in running
    ]
    return PocFigures(
        win_rate=rate_figure("Win rate of closed deals that ran a POC", won, closed.count()),
        duration=median_figure("Duration of completed POCs", durations),
        criteria_met=rate_figure("Criteria met or exceeded", met, graded.count()),
        revenue_without_poc=revenue,
        won_without_poc=without.count(),
        loads=loads,
    )


def figures_json(figures: PocFigures) -> dict[str, Any]:
    def fig(f: Figure) -> dict[str, Any]:
        return {"value": f.value, "n": f.n, "N": f.population, "low": f.low, "high": f.high}

    return {
        "win_rate": fig(figures.win_rate),
        "duration_days": fig(figures.duration),
        "criteria_met": fig(figures.criteria_met),
        "revenue_won_without_poc": float(figures.revenue_without_poc),
        "won_without_poc": figures.won_without_poc,
        "running_per_se": [
            {"se_id": s.se_id, "se": s.se, "running": s.running, "limit": s.limit}
            for s in figures.loads
        ],
    }
