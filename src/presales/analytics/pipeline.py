"""Pipeline analytics: stage conversion, cycle length and win rate by product, segment, owner
or manager, slipped and pushed deals, and win rate with and without an SE.

Read-only functions over a queryset of deals the caller already scoped (e.g.
``opportunities_for(user)``). Every figure is a ``core.stats.Figure``: value, sample
``n`` of ``population``, a 95% interval (Wilson for rates, bootstrap for medians), the reference
(all deals in scope) and a plain statement when the sample is too small.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from presales.core.stats import (
    BOOTSTRAP_SAMPLES,
    Figure,
    median_figure,
    median_or_none,
    rate_figure,
)
from presales.deals.models import (
    CLOSED_STAGES,
    OPEN_STAGES,
    Opportunity,
    Stage,
    StageChange,
    TermsChange,
)

BREAKDOWNS = ("owner", "manager", "product", "segment")
STAGE_INDEX: dict[str, int] = {str(stage): i for i, stage in enumerate(OPEN_STAGES)}


@dataclass(frozen=True)
class GroupFigures:
    """Win rate and cycle length of one group (an owner, a product, ...)."""

    key: str
    name: str
    win_rate: Figure
    cycle_days: Figure


@dataclass(frozen=True)
class _Deal:
    pk: int
    stage: str
    engage: date | None
    close: date | None


def _closed(deals: QuerySet[Opportunity]) -> list[_Deal]:
    rows = deals.filter(stage__in=CLOSED_STAGES).values_list(
        "pk", "stage", "engage_date", "close_date"
    )
    return [_Deal(*row) for row in rows]


def _cycles(rows: list[_Deal]) -> list[float]:
    return [
        float((d.close - d.engage).days)
        for d in rows
        if d.stage == Stage.WON and d.close and d.engage
    ]


def win_rate(deals: QuerySet[Opportunity], *, label: str = "Win rate") -> Figure:
    """Won of closed deals."""
    rows = _closed(deals)
    return rate_figure(label, sum(d.stage == Stage.WON for d in rows), len(rows))


def cycle_length(deals: QuerySet[Opportunity], *, samples: int = BOOTSTRAP_SAMPLES) -> Figure:
    """Median days from engagement to close of won deals."""
    rows = [d for d in _closed(deals) if d.stage == Stage.WON]
    return median_figure(
        "Cycle length of won deals", _cycles(rows), population=len(rows), samples=samples
    )


def _group_keys(
    deals: QuerySet[Opportunity], by: str
) -> tuple[dict[int, list[str]], dict[str, str]]:
    """deal id → group keys, and key → display name."""
    keys: dict[int, list[str]] = defaultdict(list)
    names: dict[str, str] = {}
    closed = deals.filter(stage__in=CLOSED_STAGES)
    if by == "owner":
        rows = closed.values_list(
            "pk", "owner_id", "owner__first_name", "owner__last_name", "owner__username"
        )
        for pk, uid, first, last, username in rows:
            key = str(uid or "")
            keys[pk].append(key)
            names[key] = f"{first} {last}".strip() or username or "No owner"
    elif by == "manager":
        managed = closed.values_list(
            "pk",
            "team__manager_id",
            "team__manager__first_name",
            "team__manager__last_name",
            "team__manager__username",
        )
        for pk, manager_id, first, last, username in managed:
            key = str(manager_id or "")
            keys[pk].append(key)
            names[key] = f"{first or ''} {last or ''}".strip() or username or "No manager"
    elif by == "product":
        for pk, product_id, name in Opportunity.products.through.objects.filter(
            opportunity__in=closed.values("pk")
        ).values_list("opportunity_id", "product_id", "product__name"):
            keys[pk].append(str(product_id))
            names[str(product_id)] = name
    elif by == "segment":
        from presales.accounts.models import Account

        labels = dict(Account.Size.choices)
        for pk, size in closed.values_list("pk", "account__size"):
            key = size or ""
            keys[pk].append(key)
            names[key] = labels.get(key, "Unknown size")
    else:
        raise ValueError(f"Unknown breakdown {by!r}: use one of {', '.join(BREAKDOWNS)}.")
    return keys, names


def breakdown(
    deals: QuerySet[Opportunity], *, by: str, samples: int = BOOTSTRAP_SAMPLES
) -> list[GroupFigures]:
    """Win rate and median cycle per group, each against the all-deals figure as reference."""
    rows = _closed(deals)
    keys, names = _group_keys(deals, by)
    groups: dict[str, list[_Deal]] = defaultdict(list)
    for d in rows:
        for key in keys.get(d.pk, []):
            groups[key].append(d)
    overall_rate = rate_figure("all", sum(d.stage == Stage.WON for d in rows), len(rows)).value
    overall_cycle = median_or_none(_cycles(rows))
    out = []
    for key, members in groups.items():
        won = [d for d in members if d.stage == Stage.WON]
        out.append(
            GroupFigures(
                key=key,
                name=names.get(key, key),
                win_rate=rate_figure(
                    "Win rate",
                    len(won),
                    len(members),
                    reference=overall_rate,
                    reference_label="all deals in scope",
                ),
                cycle_days=median_figure(
                    "Cycle length of won deals",
                    _cycles(won),
                    population=len(won),
                    reference=overall_cycle,
                    reference_label="all deals in scope",
                    samples=samples,
                ),
            )
        )
    return sorted(out, key=lambda g: g.name)


def stage_conversion(deals: QuerySet[Opportunity]) -> list[Figure]:
    """For each open stage: of the deals that reached it and have left it, how many moved on
    to a later stage (or won) rather than being lost there."""
    reached: dict[int, set[str]] = defaultdict(set)
    current = dict(deals.values_list("pk", "stage"))
    for pk, stage in StageChange.objects.filter(opportunity__in=deals.values("pk")).values_list(
        "opportunity_id", "to_stage"
    ):
        reached[pk].add(stage)
    figures = []
    for stage in OPEN_STAGES:
        index = STAGE_INDEX[stage]
        left = moved = 0
        for pk, now in current.items():
            seen = reached[pk] | {now}
            if stage not in seen or now == stage:
                continue
            left += 1
            later = any(STAGE_INDEX.get(s, -1) > index for s in seen) or now == Stage.WON
            moved += later
        figures.append(rate_figure(f"{Stage(stage).label} → a later stage", moved, left))
    return figures


def se_involvement(deals: QuerySet[Opportunity]) -> tuple[Figure, Figure]:
    """Win rate of closed deals with at least one SE, and without any."""
    rows = _closed(deals)
    supported = set(
        Opportunity.sales_engineers.through.objects.filter(
            opportunity__in=deals.filter(stage__in=CLOSED_STAGES).values("pk")
        ).values_list("opportunity_id", flat=True)
    )
    overall = rate_figure("all", sum(d.stage == Stage.WON for d in rows), len(rows)).value

    def rate(label: str, keep: Callable[[_Deal], bool]) -> Figure:
        group = [d for d in rows if keep(d)]
        return rate_figure(
            label,
            sum(d.stage == Stage.WON for d in group),
            len(group),
            reference=overall,
            reference_label="all closed deals",
        )

    return (
        rate("Win rate with an SE", lambda d: d.pk in supported),
        rate("Win rate without an SE", lambda d: d.pk not in supported),
    )


def _moment(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _close_dates_at(deals: QuerySet[Opportunity], day: date) -> dict[int, date | None]:
    """Each deal's expected close date as it stood at the start of ``day``: the first recorded
    change after that moment says what the date was before; without one it is today's."""
    dates: dict[int, date | None] = dict(deals.values_list("pk", "close_date"))
    seen: set[int] = set()
    for pk, before, after in (
        TermsChange.objects.filter(opportunity__in=deals.values("pk"), changed_at__gte=_moment(day))
        .order_by("changed_at", "id")
        .values_list("opportunity_id", "from_close_date", "to_close_date")
    ):
        if pk not in seen and before != after:
            dates[pk] = before
            seen.add(pk)
    return dates


def _open_at(deals: QuerySet[Opportunity], day: date) -> QuerySet[Opportunity]:
    """Deals that existed and were not yet closed at the start of ``day``."""
    return deals.filter(created_at__lt=_moment(day)).exclude(
        stage__in=CLOSED_STAGES, close_date__lt=day
    )


SLIPPED_LABEL = "Slipped: expected to close and still open"
PUSHED_LABEL = "Pushed: close date moved later"


def slipped(deals: QuerySet[Opportunity], *, start: date, end: date) -> Figure:
    """Of the open deals expected (at ``start``) to close between ``start`` and ``end``, those
    that had not closed by ``end``."""
    scope = _open_at(deals, start)
    expected = {
        pk for pk, when in _close_dates_at(scope, start).items() if when and start <= when <= end
    }
    closed_in_time = set(
        scope.filter(pk__in=expected, stage__in=CLOSED_STAGES, close_date__lte=end).values_list(
            "pk", flat=True
        )
    )
    return rate_figure(SLIPPED_LABEL, len(expected - closed_in_time), len(expected))


def pushed(deals: QuerySet[Opportunity], *, start: date, end: date) -> Figure:
    """Of the deals open at ``start``, those whose close date was moved later during the window."""
    scope = _open_at(deals, start)
    moved = {
        pk
        for pk, before, after in TermsChange.objects.filter(
            opportunity__in=scope.values("pk"),
            changed_at__gte=_moment(start),
            changed_at__lt=_moment(end + timedelta(days=1)),
        ).values_list("opportunity_id", "from_close_date", "to_close_date")
        if before and after and after > before
    }
    return rate_figure(PUSHED_LABEL, len(moved), scope.count())


@dataclass(frozen=True)
class FunnelStep:
    stage: str
    label: str
    reached: int
    population: int


def stage_funnel(deals: QuerySet[Opportunity]) -> list[FunnelStep]:
    """How many deals reached each open stage (or went past it) and how many were won, from
    the recorded stage history and the current stage. A deal lost in demo reached demo."""
    reached: dict[int, set[str]] = defaultdict(set)
    current = dict(deals.values_list("pk", "stage"))
    for pk, stage in StageChange.objects.filter(opportunity__in=deals.values("pk")).values_list(
        "opportunity_id", "to_stage"
    ):
        reached[pk].add(stage)
    furthest: dict[int, int] = {}
    for pk, now in current.items():
        seen = reached[pk] | {now}
        if Stage.WON in seen:
            furthest[pk] = len(OPEN_STAGES)
        else:
            furthest[pk] = max((STAGE_INDEX.get(s, -1) for s in seen), default=-1)
    total = len(current)
    steps = [
        FunnelStep(
            str(stage), Stage(stage).label, sum(1 for f in furthest.values() if f >= i), total
        )
        for i, stage in enumerate(OPEN_STAGES)
    ]
    won = sum(1 for f in furthest.values() if f == len(OPEN_STAGES))
    steps.append(FunnelStep(str(Stage.WON), Stage(Stage.WON).label, won, total))
    return steps
