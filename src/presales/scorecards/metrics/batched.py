"""The built-in metrics measured for many people and spans at once.

Each function here gives, for a list of asks (people, span), exactly the measures the one-by-one
function of the same name in ``builtin`` gives, from a fixed number of queries: the rows behind
every ask are read once for all the people and the hull of the spans, and split per ask here.
A row read for several people of one ask counts once, as in the one-by-one queries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from presales.activities.models import Activity, Kind
from presales.deals.models import CLOSED_STAGES, Opportunity, Stage
from presales.meetings.models import Debrief, RaisedGap, Report
from presales.scorecards.metrics.base import Ask, Measure, percent
from presales.scorecards.models import SurveyResponse
from presales.scorecards.periods import Span

Participation = Activity.participants.through
Support = Opportunity.sales_engineers.through


def _people(asks: Iterable[Ask]) -> set[int]:
    return {pk for ask in asks for pk in ask.people}


def _hull(spans: Iterable[Span]) -> Span:
    spans = list(spans)
    return Span(min(s.start for s in spans), max(s.end for s in spans))


@dataclass(frozen=True)
class Held:
    """An activity that was held (ended, not cancelled), as the metrics need it."""

    pk: int
    starts_at: datetime
    ends_at: datetime
    customer_facing: bool
    kind: str
    opportunity_id: int | None
    account_id: int | None
    debriefed: bool


class HeldActivities:
    """The held activities of the asks' people over the hull of their spans, in one query."""

    def __init__(self, asks: Sequence[Ask], *, widen: Callable[[Span], Span] = lambda s: s):
        self.widen = widen
        start, end = _hull(widen(a.span) for a in asks).window()
        rows = (
            Participation.objects.filter(
                user_id__in=_people(asks),
                activity__starts_at__gte=start,
                activity__starts_at__lt=end,
                activity__ends_at__lte=timezone.now(),
            )
            .exclude(activity__status=Activity.Status.CANCELLED)
            .annotate(debriefed=Exists(Debrief.objects.filter(activity_id=OuterRef("activity_id"))))
            .order_by("activity_id")
            .values_list(  # type: ignore[misc]  # the stubs do not see the annotation
                "user_id",
                "activity_id",
                "activity__starts_at",
                "activity__ends_at",
                "activity__customer_facing",
                "activity__kind",
                "activity__opportunity_id",
                "activity__account_id",
                "debriefed",
            )
        )
        self.by_person: dict[int, list[Held]] = defaultdict(list)
        for user_id, *held in rows:
            self.by_person[user_id].append(Held(*held))

    def of(self, ask: Ask) -> list[Held]:
        """The ask's activities (each once), like ``attended(people, span)``."""
        start, end = self.widen(ask.span).window()
        seen: dict[int, Held] = {}
        for pk in ask.people:
            for row in self.by_person.get(pk, ()):
                if start <= row.starts_at < end:
                    seen.setdefault(row.pk, row)
        return [seen[pk] for pk in sorted(seen)]


def customer_facing_time(asks: Sequence[Ask]) -> dict[Ask, Measure]:
    held = HeldActivities(asks)
    out = {}
    for ask in asks:
        rows = held.of(ask)
        total = sum((r.ends_at - r.starts_at).total_seconds() for r in rows)
        facing = sum((r.ends_at - r.starts_at).total_seconds() for r in rows if r.customer_facing)
        out[ask] = Measure(
            percent(facing, total),
            len(rows),
            "activities",
            "" if rows else "No activities recorded.",
        )
    return out


def _count(rows: int, of: str) -> Measure:
    return Measure(float(rows), rows, of)


def demos_delivered(asks: Sequence[Ask]) -> dict[Ask, Measure]:
    held = HeldActivities(asks)
    return {
        ask: _count(sum(1 for r in held.of(ask) if r.kind == Kind.DEMO), "demos") for ask in asks
    }


def pocs_run(asks: Sequence[Ask]) -> dict[Ask, Measure]:
    held = HeldActivities(asks)
    out = {}
    for ask in asks:
        deals = {r.opportunity_id for r in held.of(ask) if r.kind == Kind.POC and r.opportunity_id}
        out[ask] = _count(len(deals), "deals with a POC")
    return out


def pocs_won(asks: Sequence[Ask]) -> dict[Ask, Measure]:
    poc_deals: dict[int, set[int]] = defaultdict(set)
    for user_id, deal_id in (
        Participation.objects.filter(
            user_id__in=_people(asks),
            activity__kind=Kind.POC,
            activity__opportunity__isnull=False,
        )
        .exclude(activity__status=Activity.Status.CANCELLED)
        .values_list("user_id", "activity__opportunity_id")
        .distinct()
    ):
        poc_deals[user_id].add(deal_id)
    hull = _hull(a.span for a in asks)
    closed: dict[int, tuple[date, str]] = {
        pk: (close_date, stage)
        for pk, close_date, stage in Opportunity.objects.filter(
            pk__in={pk for deals in poc_deals.values() for pk in deals},
            stage__in=CLOSED_STAGES,
            close_date__gte=hull.start,
            close_date__lte=hull.end,
        )
        .order_by()
        .values_list("pk", "close_date", "stage")
        if close_date is not None
    }
    out = {}
    for ask in asks:
        mine = set().union(*(poc_deals.get(pk, set()) for pk in ask.people))
        stages = [
            closed[pk][1]
            for pk in mine
            if pk in closed and ask.span.start <= closed[pk][0] <= ask.span.end
        ]
        n_won = sum(1 for s in stages if s == Stage.WON)
        note = f"{n_won} won of {len(stages)} POC deals closed" if stages else "No POC deal closed."
        out[ask] = Measure(float(n_won), len(stages), "POC deals closed", note)
    return out


def _published_reports(asks: Sequence[Ask], kinds: Sequence[str]) -> dict[Ask, Measure]:
    start, end = _hull(a.span for a in asks).window()
    rows: dict[int, list[datetime]] = defaultdict(list)
    for author_id, published_at in Report.objects.filter(
        author_id__in=_people(asks), kind__in=kinds, published_at__gte=start, published_at__lt=end
    ).values_list("author_id", "published_at"):
        if published_at is not None:
            rows[author_id].append(published_at)
    return {ask: _count(_within(rows, ask), "published reports") for ask in asks}


def _within(rows: dict[int, list[datetime]], ask: Ask) -> int:
    """How many of the people's timestamps fall in the ask's span (each row has one person)."""
    start, end = ask.span.window()
    return sum(1 for pk in ask.people for at in rows.get(pk, ()) if start <= at < end)


def collateral_published(asks: Sequence[Ask]) -> dict[Ask, Measure]:
    return _published_reports(asks, Report.Kind.values)


def win_loss_reports(asks: Sequence[Ask]) -> dict[Ask, Measure]:
    return _published_reports(asks, [Report.Kind.WIN_LOSS])


def trip_reports(asks: Sequence[Ask]) -> dict[Ask, Measure]:
    return _published_reports(asks, [Report.Kind.TRIP])


def feature_requests(asks: Sequence[Ask]) -> dict[Ask, Measure]:
    start, end = _hull(a.span for a in asks).window()
    rows: dict[int, list[datetime]] = defaultdict(list)
    for raised_by, created_at in RaisedGap.objects.filter(
        raised_by_id__in=_people(asks), created_at__gte=start, created_at__lt=end
    ).values_list("raised_by_id", "created_at"):
        rows[raised_by].append(created_at)
    return {ask: _count(_within(rows, ask), "feature requests") for ask in asks}


def debrief_completion(asks: Sequence[Ask]) -> dict[Ask, Measure]:
    held = HeldActivities(asks)
    out = {}
    for ask in asks:
        meetings = [r for r in held.of(ask) if r.customer_facing]
        total = len(meetings)
        done = sum(1 for r in meetings if r.debriefed)
        note = (
            f"{done} debriefed of {total} customer meetings" if total else "No customer meetings."
        )
        out[ask] = Measure(percent(done, total), total, "customer meetings", note)
    return out


def customer_satisfaction(asks: Sequence[Ask], lookback_days: int) -> dict[Ask, Measure]:
    def widen(span: Span) -> Span:
        return Span(span.start - timedelta(days=lookback_days), span.end)

    held = HeldActivities(asks, widen=widen)
    met = {
        ask: {r.account_id for r in held.of(ask) if r.customer_facing and r.account_id}
        for ask in asks
    }
    hull = _hull(a.span for a in asks)
    answers = list(
        SurveyResponse.objects.filter(
            account_id__in=set().union(*met.values()),
            responded_on__gte=hull.start,
            responded_on__lte=hull.end,
        )
        .order_by("pk")
        .values_list("account_id", "responded_on", "score", "scale_max")
    )
    out = {}
    for ask in asks:
        rows = [
            (score, scale)
            for account, day, score, scale in answers
            if account in met[ask] and ask.span.start <= day <= ask.span.end
        ]
        if not rows:
            out[ask] = Measure(
                None, 0, "survey responses", "No survey responses from these customers."
            )
            continue
        average = sum(score / scale * 100 for score, scale in rows) / len(rows)
        out[ask] = Measure(round(float(average), 1), len(rows), "survey responses")
    return out


@dataclass(frozen=True)
class Deal:
    pk: int
    owner_id: int | None
    stage: str
    close_date: date | None
    engaged: date  # as the age counts it: the engage date, else the UTC day it was created
    engaged_on: date  # as the filter reads it: the engage date, else the local day created
    amount: Decimal


class PeopleDeals:
    """Deals the asks' people own or support (``people_deals``), narrowed by ``where``, read in
    two queries: the deals and who supports them."""

    def __init__(self, asks: Sequence[Ask], where: Q):
        people = _people(asks)
        supported = Support.objects.filter(user_id__in=people)
        deals = Opportunity.objects.filter(
            Q(owner_id__in=people) | Q(pk__in=supported.values("opportunity_id"))
        ).filter(where)
        self.deals = [
            Deal(
                pk,
                owner,
                stage,
                close,
                engaged or created.date(),
                engaged or timezone.localtime(created).date(),
                amount or Decimal(0),
            )
            for pk, owner, stage, close, engaged, created, amount in deals.order_by(
                "pk"
            ).values_list(
                "pk", "owner_id", "stage", "close_date", "engage_date", "created_at", "amount"
            )
        ]
        self.supporters: dict[int, set[int]] = defaultdict(set)
        for deal_id, user_id in supported.filter(
            opportunity_id__in=[d.pk for d in self.deals]
        ).values_list("opportunity_id", "user_id"):
            self.supporters[deal_id].add(user_id)

    def of(self, ask: Ask) -> list[Deal]:
        people = set(ask.people)
        return [
            d
            for d in self.deals
            if d.owner_id in people or not people.isdisjoint(self.supporters.get(d.pk, ()))
        ]


def win_rate_with_se(asks: Sequence[Ask]) -> dict[Ask, Measure]:
    hull = _hull(a.span for a in asks)
    deals = PeopleDeals(
        asks,
        Q(pk__in=Support.objects.values("opportunity_id"))
        & Q(stage__in=CLOSED_STAGES, close_date__gte=hull.start, close_date__lte=hull.end),
    )
    out = {}
    for ask in asks:
        stages = [
            d.stage
            for d in deals.of(ask)
            if d.close_date and ask.span.start <= d.close_date <= ask.span.end
        ]
        won = sum(1 for s in stages if s == Stage.WON)
        note = f"{won} won of {len(stages)} closed" if stages else "No deal with an SE closed."
        out[ask] = Measure(percent(won, len(stages)), len(stages), "closed deals", note)
    return out


def _open_deals(asks: Sequence[Ask], days: Iterable[date]) -> PeopleDeals:
    """The people's deals that may have been open on one of ``days``; ``open_on`` decides."""
    days = list(days)
    first, last = min(days), max(days)
    engaged = Q(engage_date__lte=last) | Q(engage_date__isnull=True, created_at__date__lte=last)
    return PeopleDeals(asks, engaged & (~Q(stage__in=CLOSED_STAGES) | Q(close_date__gt=first)))


def open_on(deals: Sequence[Deal], day: date) -> list[Deal]:
    """Like ``builtin._open_on``: engaged by ``day`` and not closed before it."""
    return [
        d
        for d in deals
        if d.engaged_on <= day
        and (d.stage not in CLOSED_STAGES or (d.close_date is not None and d.close_date > day))
    ]


def average_opportunity_age(
    asks: Sequence[Ask], as_of: Callable[[Span], date]
) -> dict[Ask, Measure]:
    deals = _open_deals(asks, [as_of(a.span) for a in asks])
    out: dict[Ask, Measure] = {}
    for ask in asks:
        day = as_of(ask.span)
        rows = open_on(deals.of(ask), day)
        if not rows:
            out[ask] = Measure(None, 0, "open deals", "No open deals.")
            continue
        average = sum((day - d.engaged).days for d in rows) / len(rows)
        out[ask] = Measure(round(average, 1), len(rows), "open deals", f"as of {day.isoformat()}")
    return out


def pipeline_growth(asks: Sequence[Ask], as_of: Callable[[Span], date]) -> dict[Ask, Measure]:
    days = [d for a in asks for d in (a.span.start - timedelta(days=1), as_of(a.span))]
    deals = _open_deals(asks, days)
    out: dict[Ask, Measure] = {}
    for ask in asks:
        mine = deals.of(ask)
        start_amount = sum((d.amount for d in open_on(mine, ask.span.start - timedelta(days=1))), 0)
        after = open_on(mine, as_of(ask.span))
        end_amount = sum((d.amount for d in after), 0)
        note = f"open pipeline {start_amount:,.0f} → {end_amount:,.0f}"
        if not start_amount:
            out[ask] = Measure(None, len(after), "open deals", "No open pipeline at the start.")
            continue
        growth = round(float((end_amount - start_amount) / start_amount * 100), 1)
        out[ask] = Measure(growth, len(after), "open deals", note)
    return out
