"""The demo's MBO layer: goals across the four pillars for every SE this quarter and the last,
a team goal, bonus plans, survey answers, two SPIFFs (one well made, one that the checks flag)
and quota buckets per product. A step of the demo generator, run after the workspace step.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from presales.core.bulk import insert_new
from presales.deals.models import Stage
from presales.incentives.models import QuotaBucket, Spiff
from presales.scorecards.models import BonusPlan, Goal, Pillar, SurveyResponse
from presales.scorecards.periods import Quarter

# (pillar, title, metric, target, weight, why, correlated result)
GOALS = [
    (
        Pillar.BUSINESS,
        "Win with the SE in the deal",
        "win_rate_with_se",
        "35",
        "25",
        "Deals where an SE is involved should close more often than those without.",
        "",
    ),
    (
        Pillar.BUSINESS,
        "Spend the week with customers",
        "customer_facing_time",
        "60",
        "20",
        "Time with customers sells; internal firefighting does not.",
        "",
    ),
    (
        Pillar.ENABLEMENT,
        "Share what we learn",
        "collateral_published",
        "2",
        "15",
        "A published win/loss or trip report saves the next SE a week.",
        "team knowledge",
    ),
    (
        Pillar.CUSTOMER,
        "Bring the customer's asks to product",
        "feature_requests",
        "3",
        "15",
        "Product can only fix the gaps it hears about.",
        "",
    ),
    (
        Pillar.PROCESS,
        "Debrief every customer meeting",
        "debrief_completion",
        "80",
        "25",
        "Five minutes after each call keeps rep and SE on the same page.",
        "",
    ),
]
_TEAM_GOAL = (
    Pillar.BUSINESS,
    "Demos across the team",
    "demos_delivered",
    "40",
    "100",
    "Demos are where the team's evaluations start.",
    "",
)


def populate(builder: Any) -> None:
    rng: random.Random = builder.rng
    today: date = builder.today
    now = Quarter.containing(today)
    goals: list[Goal] = []
    plans: list[BonusPlan] = []
    for quarter in (now.previous(), now):
        for se in builder.all_ses:
            for pillar, title, metric, target, weight, why, correlated in GOALS:
                goals.append(
                    Goal(
                        owner=se,
                        year=quarter.year,
                        quarter=quarter.quarter,
                        pillar=pillar,
                        title=title,
                        metric=metric,
                        target=Decimal(target),
                        weight=Decimal(weight),
                        why=why,
                        correlated_result=correlated,
                    )
                )
            plans.append(
                BonusPlan(
                    owner=se,
                    year=quarter.year,
                    quarter=quarter.quarter,
                    target_bonus=Decimal(rng.choice([6000, 7500, 9000])),
                )
            )
        pillar, title, metric, target, weight, why, correlated = _TEAM_GOAL
        goals.append(
            Goal(
                team=builder.teams[0],
                year=quarter.year,
                quarter=quarter.quarter,
                pillar=pillar,
                title=title,
                metric=metric,
                target=Decimal(target),
                weight=Decimal(weight),
                why=why,
            )
        )
    insert_new(Goal, goals)
    # Goals were agreed in the first days of their quarter (saving stamps the present moment).
    for quarter in (now.previous(), now):
        agreed = min(_morning(quarter.start + timedelta(days=3)), builder.now)
        Goal.objects.filter(year=quarter.year, quarter=quarter.quarter).update(
            created_at=agreed, updated_at=agreed
        )
    insert_new(BonusPlan, plans)

    answers: list[SurveyResponse] = []
    for account_id in rng.sample(list(builder.contacts), k=min(len(builder.contacts), 60)):
        for _ in range(rng.randint(1, 3)):
            day = today - timedelta(days=rng.randint(1, 330))
            answers.append(
                SurveyResponse(
                    account_id=account_id,
                    respondent=f"respondent {len(answers)}",
                    respondent_key=f"respondent {len(answers)}",
                    score=Decimal(rng.choice([6, 7, 8, 8, 9, 9, 10])),
                    responded_on=day,
                    source_file="demo",
                    imported_at=min(_morning(day + timedelta(days=1)), builder.now),
                )
            )
    insert_new(SurveyResponse, answers)

    by_name = {p.name: p for p in builder.products}
    fair = Spiff.objects.create(
        name="GTX Plus Pro this quarter",
        basis=Spiff.Basis.SALE,
        purpose="Move customers from GTX Pro to Plus Pro before the price change.",
        starts_on=now.start,
        ends_on=now.end,
        rep_amount=Decimal(500),
        se_amount=Decimal(300),
        created_at=min(_morning(now.start - timedelta(days=5)), builder.now),
    )
    fair.products.set([by_name["GTX Plus Pro"]])
    rushed = Spiff.objects.create(
        name="GTK 500 month-end push",
        basis=Spiff.Basis.SALE,
        purpose="Close GTK 500 deals before the month ends.",
        starts_on=today.replace(day=1),
        ends_on=today.replace(day=1) + timedelta(days=29),
        rep_amount=Decimal(1000),
        se_amount=Decimal(0),
        created_at=min(_morning(today.replace(day=1)), builder.now),
    )
    rushed.products.set([by_name["GTK 500"]])

    history = _bookings(
        builder, now.back(4)[0].start, now.start - timedelta(days=1), per_quarter=True
    )
    so_far = _bookings(builder, now.start, now.end)
    elapsed = max(0.1, min(1.0, (today - now.start).days / ((now.end - now.start).days + 1)))
    buckets = []
    for team in builder.teams:
        for person in [*builder.ses[team.pk], *builder.reps[team.pk]]:
            for name, floor in (("GTX Plus Pro", 10000), ("MG Advanced", 5000)):
                product = by_name[name]
                # A quota a manager would set: last year's quarterly average for the product,
                # raised a little, never below a floor for someone with little history.
                # Someone who has booked this quarter is on a pace drawn around their quota
                # (so attainment to date reads like a real team's; a choice of the demo).
                booked = so_far.get((person.pk, product.pk), Decimal(0))
                if booked > 0:
                    pace = min(2.2, max(0.4, rng.lognormvariate(0, 0.35)))
                    quota = booked / Decimal(str(round(pace * elapsed, 3)))
                else:
                    past = history.get((person.pk, product.pk), Decimal(0))
                    quota = past * Decimal(str(round(rng.uniform(1.0, 1.3), 2)))
                quota = max(Decimal(floor), quota)
                buckets.append(
                    QuotaBucket(
                        owner=person,
                        product=product,
                        year=now.year,
                        quarter=now.quarter,
                        target=(quota / 1000).quantize(Decimal("1")) * 1000,
                    )
                )
    insert_new(QuotaBucket, buckets)
    builder.counts["goals"] = len(goals)
    builder.counts["quota buckets"] = len(buckets)


def _bookings(
    builder: Any, first: date, last: date, *, per_quarter: bool = False
) -> dict[tuple[int, int], Decimal]:
    """Won amount per (person, product) closed from ``first`` to ``last`` (a quarterly average
    over four quarters with ``per_quarter``), counting the deals a person owned or supported."""
    share = Decimal(4) if per_quarter else Decimal(1)
    totals: dict[tuple[int, int], Decimal] = {}
    for deal in builder.deal_list:
        opp = deal.obj
        closed = opp.close_date
        if opp.stage != Stage.WON or closed is None or not first <= closed <= last:
            continue
        for person in {opp.owner_id, *(se.pk for se in deal.ses)}:
            key = (person, deal.product.pk)
            totals[key] = totals.get(key, Decimal(0)) + (opp.amount or Decimal(0)) / share
    return totals


def _morning(day: date) -> datetime:
    return datetime.combine(day, time(9), tzinfo=timezone.get_current_timezone())
