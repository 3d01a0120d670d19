"""The built-in metrics measured for many people and spans at once.

Each function here gives, for a list of asks (people, span), exactly the measures the one-by-one
function of the same name in ``builtin`` gives, from a fixed number of queries. Counts and sums
over activities are computed by the database: one query grouped by person for the asks of one
person, one per group of people for the others (an activity two people of a group attended
counts once), with one conditional aggregate per span. Metrics that need the rows themselves
(deals open on a day, survey answers) read them once for all the asks and split them here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    F,
    Func,
    IntegerField,
    Q,
    Sum,
    Value,
    When,
)
from django.utils import timezone

from presales.activities.models import Activity, Kind
from presales.deals.models import CLOSED_STAGES, Opportunity, Stage
from presales.meetings.models import RaisedGap, Report
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


def _spans(asks: Iterable[Ask]) -> list[Span]:
    return sorted({a.span for a in asks}, key=lambda s: (s.start, s.end))


def _started_in(prefix: str, span: Span) -> Q:
    start, end = span.window()
    return Q(**{f"{prefix}starts_at__gte": start, f"{prefix}starts_at__lt": end})


def _held(prefix: str, asks: Sequence[Ask], *, who: str | None = None) -> Q:
    """``attended``'s rows for the asks: ended by now, not cancelled, and started in a span
    asked for (of one of the people asked for it, when ``who`` names the person field)."""
    wanted = Q()
    for span in _spans(asks):
        started = _started_in(prefix, span)
        if who is not None:
            started &= Q(**{f"{who}__in": _people(a for a in asks if a.span == span)})
        wanted |= started
    done = Q(**{f"{prefix}ends_at__lte": timezone.now()})
    return wanted & done & ~Q(**{f"{prefix}status": Activity.Status.CANCELLED})


class Periods:
    """The spans asked for, cut at every span's bounds into periods that do not overlap, so
    each activity falls in one period (its bucket) and a span is the sum of its periods."""

    def __init__(self, spans: Iterable[Span]):
        windows = {span: span.window() for span in spans}
        self.bounds = sorted({moment for window in windows.values() for moment in window})
        periods = list(zip(self.bounds, self.bounds[1:], strict=False))
        self.within = {
            span: {i for i, (a, b) in enumerate(periods) if start <= a and b <= end}
            for span, (start, end) in windows.items()
        }

    def bucket(self, field: str) -> Case:
        return Case(
            *(
                When(**{f"{field}__lt": moment}, then=Value(i))
                for i, moment in enumerate(self.bounds[1:])
            ),
            default=Value(len(self.bounds)),
            output_field=IntegerField(),
        )


# An aggregate of held activities, given the path to the activity's fields: "" from Activity,
# "activity__" from a participation.
Aggregate = Callable[[str], Any]


def held_groups(
    asks: Sequence[Ask],
    aggregates: dict[str, Aggregate],
    *,
    where: Callable[[str], Q] = lambda prefix: Q(),
    by: Sequence[str] = (),
) -> dict[Ask, list[dict[str, Any]]]:
    """For each ask, the rows (one per period and value of the ``by`` fields) of the named
    aggregates over the held activities of its people in its span: one query grouped by
    person and period for the asks of one person, one grouped by period per group of people
    (where an activity two members attended is one row)."""
    periods = Periods(a.span for a in asks)

    def grouped(prefix: str, rows: Any, *keys: str) -> list[dict[str, Any]]:
        fields = {f"by_{name}": F(f"{prefix}{name}") for name in by}
        rows = rows.filter(where(prefix)).annotate(bucket=periods.bucket(f"{prefix}starts_at"))
        rows = rows.order_by().values(*keys, "bucket", **fields)
        named = {name: aggregate(prefix) for name, aggregate in aggregates.items()}
        return list(rows.annotate(**named) if named else rows.distinct())

    singles = [a for a in asks if len(a.people) == 1]
    by_person: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if singles:
        held = Participation.objects.filter(_held("activity__", singles, who="user_id"))
        for row in grouped("activity__", held, "user_id"):
            by_person[row["user_id"]].append(row)
    by_group: dict[tuple[int, ...], list[dict[str, Any]]] = {}
    for group in {a.people for a in asks if len(a.people) != 1}:
        mine = Participation.objects.filter(user_id__in=group).values("activity_id")
        theirs = [a for a in asks if a.people == group]
        held_by_group = Activity.objects.filter(_held("", theirs), pk__in=mine)
        by_group[group] = grouped("", held_by_group)
    out = {}
    for ask in asks:
        rows = by_person[ask.people[0]] if len(ask.people) == 1 else by_group[ask.people]
        out[ask] = [row for row in rows if row["bucket"] in periods.within[ask.span]]
    return out


def _total(rows: list[dict[str, Any]], name: str) -> int:
    return sum(row[name] or 0 for row in rows)


class Microseconds(Func):
    """Whole microseconds from the second timestamp to the first, in integers.

    Django's duration arithmetic on SQLite calls a Python function per row, which made the
    customer-facing share the slowest figure of the scoreboard; SQLite's own date functions
    (whole seconds, as ``julianday`` rounds) plus the stored microseconds give the exact
    value, as PostgreSQL's interval does."""

    arity = 2
    output_field = BigIntegerField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        seconds = "CAST(ROUND((julianday(substr({0}, 1, 19)) - julianday(substr({1}, 1, 19)))"
        seconds += " * 86400) AS INTEGER) * 1000000"
        fraction = "CAST(substr({0} || '.000000', 21, 6) AS INTEGER)"
        fraction += " - CAST(substr({1} || '.000000', 21, 6) AS INTEGER)"
        end, end_params = compiler.compile(self.source_expressions[0])
        start, start_params = compiler.compile(self.source_expressions[1])
        sql = f"({seconds} + {fraction})".format(end, start)
        params = [*end_params, *start_params] * 2
        return sql, params

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        end, end_params = compiler.compile(self.source_expressions[0])
        start, start_params = compiler.compile(self.source_expressions[1])
        sql = f"CAST(EXTRACT(EPOCH FROM ({end} - {start})) * 1000000 AS BIGINT)"
        return sql, [*end_params, *start_params]


def _duration(prefix: str) -> Microseconds:
    return Microseconds(F(f"{prefix}ends_at"), F(f"{prefix}starts_at"))


def customer_facing_time(asks: Sequence[Ask]) -> dict[Ask, Measure]:
    groups = held_groups(
        asks,
        {
            "n": lambda p: Count(f"{p}id"),
            "total": lambda p: Sum(_duration(p)),
            "facing": lambda p: Sum(_duration(p), filter=Q(**{f"{p}customer_facing": True})),
        },
    )
    out = {}
    for ask, rows in groups.items():
        n = _total(rows, "n")
        value = percent(_total(rows, "facing") / 1_000_000, _total(rows, "total") / 1_000_000)
        out[ask] = Measure(value, n, "activities", "" if n else "No activities recorded.")
    return out


def _count(rows: int, of: str) -> Measure:
    return Measure(float(rows), rows, of)


def demos_delivered(asks: Sequence[Ask]) -> dict[Ask, Measure]:
    groups = held_groups(
        asks, {"n": lambda p: Count(f"{p}id")}, where=lambda p: Q(**{f"{p}kind": Kind.DEMO})
    )
    return {ask: _count(_total(rows, "n"), "demos") for ask, rows in groups.items()}


def pocs_run(asks: Sequence[Ask]) -> dict[Ask, Measure]:
    groups = held_groups(
        asks,
        {},
        where=lambda p: Q(**{f"{p}kind": Kind.POC, f"{p}opportunity__isnull": False}),
        by=["opportunity_id"],
    )
    return {
        ask: _count(len({row["by_opportunity_id"] for row in rows}), "deals with a POC")
        for ask, rows in groups.items()
    }


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
    groups = held_groups(
        asks,
        {
            "total": lambda p: Count(f"{p}id"),
            "done": lambda p: Count(f"{p}id", filter=Q(**{f"{p}debrief__isnull": False})),
        },
        where=lambda p: Q(**{f"{p}customer_facing": True}),
    )
    out = {}
    for ask, rows in groups.items():
        total, done = _total(rows, "total"), _total(rows, "done")
        note = (
            f"{done} debriefed of {total} customer meetings" if total else "No customer meetings."
        )
        out[ask] = Measure(percent(done, total), total, "customer meetings", note)
    return out


def customer_satisfaction(asks: Sequence[Ask], lookback_days: int) -> dict[Ask, Measure]:
    def widen(span: Span) -> Span:
        return Span(span.start - timedelta(days=lookback_days), span.end)

    wide = [Ask(a.people, widen(a.span)) for a in asks]
    met = held_groups(
        wide,
        {},
        where=lambda p: Q(**{f"{p}customer_facing": True, f"{p}account__isnull": False}),
        by=["account_id"],
    )
    accounts = {
        ask: {row["by_account_id"] for row in met[w]} for ask, w in zip(asks, wide, strict=True)
    }
    hull = _hull(a.span for a in asks)
    answers = list(
        SurveyResponse.objects.filter(
            account_id__in=set().union(*accounts.values()),
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
            if account in accounts[ask] and ask.span.start <= day <= ask.span.end
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
