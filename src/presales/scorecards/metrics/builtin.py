"""The built-in metrics. Each function takes the people (user ids) and a span of days."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from functools import partial

from django.db.models import Q

from presales.activities.models import Activity, Kind
from presales.deals.models import CLOSED_STAGES, Opportunity, Stage
from presales.lab import metrics as lab_metrics
from presales.meetings.models import Debrief, RaisedGap, Report
from presales.scorecards.metrics import batched
from presales.scorecards.metrics.base import (
    Batch,
    Measure,
    MetricDef,
    as_of,
    attended,
    people_deals,
    percent,
)
from presales.scorecards.models import Pillar, SurveyResponse
from presales.scorecards.periods import Span
from presales.team.metrics import requests_fulfilled_on_time, requests_fulfilled_on_time_batch

# How long before a survey answer an SE's visit still counts as "their" customer.
SURVEY_LOOKBACK_DAYS = 90


def customer_facing_time(people: Sequence[int], span: Span) -> Measure:
    rows = list(attended(people, span).values_list("starts_at", "ends_at", "customer_facing"))
    total = sum((end - start).total_seconds() for start, end, _ in rows)
    facing = sum((end - start).total_seconds() for start, end, cf in rows if cf)
    value = percent(facing, total)
    return Measure(value, len(rows), "activities", "" if rows else "No activities recorded.")


def _count(rows: int, of: str) -> Measure:
    return Measure(float(rows), rows, of)


def demos_delivered(people: Sequence[int], span: Span) -> Measure:
    return _count(attended(people, span).filter(kind=Kind.DEMO).count(), "demos")


def _poc_deal_ids(people: Sequence[int], span: Span | None = None) -> set[int]:
    if span is not None:
        rows = attended(people, span)
    else:
        mine = Activity.participants.through.objects.filter(user_id__in=people)
        rows = Activity.objects.filter(pk__in=mine.values("activity_id")).exclude(
            status=Activity.Status.CANCELLED
        )
    return set(
        rows.filter(kind=Kind.POC, opportunity__isnull=False)
        .values_list("opportunity_id", flat=True)
        .distinct()
    )


def pocs_run(people: Sequence[int], span: Span) -> Measure:
    n = len(_poc_deal_ids(people, span))
    return _count(n, "deals with a POC")


def pocs_won(people: Sequence[int], span: Span) -> Measure:
    closed = Opportunity.objects.filter(
        pk__in=_poc_deal_ids(people),
        stage__in=CLOSED_STAGES,
        close_date__gte=span.start,
        close_date__lte=span.end,
    )
    stages = list(closed.values_list("stage", flat=True))
    won = sum(1 for s in stages if s == Stage.WON)
    note = f"{won} won of {len(stages)} POC deals closed" if stages else "No POC deal closed."
    return Measure(float(won), len(stages), "POC deals closed", note)


def _published_reports(people: Sequence[int], span: Span, kinds: Sequence[str]) -> Measure:
    start, end = span.window()
    n = Report.objects.filter(
        author_id__in=people,
        kind__in=kinds,
        published_at__gte=start,
        published_at__lt=end,
    ).count()
    return _count(n, "published reports")


def collateral_published(people: Sequence[int], span: Span) -> Measure:
    return _published_reports(people, span, Report.Kind.values)


def win_loss_reports(people: Sequence[int], span: Span) -> Measure:
    return _published_reports(people, span, [Report.Kind.WIN_LOSS])


def trip_reports(people: Sequence[int], span: Span) -> Measure:
    return _published_reports(people, span, [Report.Kind.TRIP])


def feature_requests(people: Sequence[int], span: Span) -> Measure:
    """Customer feature requests the people submitted. Today a request is a gap raised in a
    debrief (meetings.RaisedGap); when the product-gap app takes them over, count there."""
    start, end = span.window()
    n = RaisedGap.objects.filter(
        raised_by_id__in=people, created_at__gte=start, created_at__lt=end
    ).count()
    return _count(n, "feature requests")


def debrief_completion(people: Sequence[int], span: Span) -> Measure:
    meetings = attended(people, span).filter(customer_facing=True)
    total = meetings.count()
    done = Debrief.objects.filter(activity__in=meetings.values("pk")).count()
    note = f"{done} debriefed of {total} customer meetings" if total else "No customer meetings."
    return Measure(percent(done, total), total, "customer meetings", note)


def customer_satisfaction(people: Sequence[int], span: Span) -> Measure:
    lookback = Span(span.start - timedelta(days=SURVEY_LOOKBACK_DAYS), span.end)
    accounts = attended(people, lookback).filter(customer_facing=True, account__isnull=False)
    rows = list(
        SurveyResponse.objects.filter(
            account_id__in=accounts.values("account_id"),
            responded_on__gte=span.start,
            responded_on__lte=span.end,
        ).values_list("score", "scale_max")
    )
    if not rows:
        return Measure(None, 0, "survey responses", "No survey responses from these customers.")
    average = sum(score / scale * 100 for score, scale in rows) / len(rows)
    return Measure(round(float(average), 1), len(rows), "survey responses")


def win_rate_with_se(people: Sequence[int], span: Span) -> Measure:
    with_se = Opportunity.sales_engineers.through.objects.values("opportunity_id")
    stages = list(
        people_deals(people)
        .filter(
            pk__in=with_se,
            stage__in=CLOSED_STAGES,
            close_date__gte=span.start,
            close_date__lte=span.end,
        )
        .values_list("stage", flat=True)
    )
    won = sum(1 for s in stages if s == Stage.WON)
    note = f"{won} won of {len(stages)} closed" if stages else "No deal with an SE closed."
    return Measure(percent(won, len(stages)), len(stages), "closed deals", note)


def _open_on(people: Sequence[int], day: date) -> list[tuple[date, Decimal]]:
    """(engaged on, amount) of the people's deals that were open on ``day``: engaged by then
    and not closed before it (a closed deal's close date is when it closed)."""
    rows = people_deals(people).filter(
        Q(engage_date__lte=day) | Q(engage_date__isnull=True, created_at__date__lte=day)
    )
    rows = rows.filter(~Q(stage__in=CLOSED_STAGES) | Q(close_date__gt=day))
    out = []
    for engaged, created, amount in rows.values_list("engage_date", "created_at", "amount"):
        out.append((engaged or created.date(), amount or Decimal(0)))
    return out


def average_opportunity_age(people: Sequence[int], span: Span) -> Measure:
    day = as_of(span)
    rows = _open_on(people, day)
    if not rows:
        return Measure(None, 0, "open deals", "No open deals.")
    average = sum((day - engaged).days for engaged, _ in rows) / len(rows)
    return Measure(round(average, 1), len(rows), "open deals", f"as of {day.isoformat()}")


def pipeline_growth(people: Sequence[int], span: Span) -> Measure:
    before = _open_on(people, span.start - timedelta(days=1))
    after = _open_on(people, as_of(span))
    start_amount = sum(a for _, a in before)
    end_amount = sum(a for _, a in after)
    note = f"open pipeline {start_amount:,.0f} → {end_amount:,.0f}"
    if not start_amount:
        return Measure(None, len(after), "open deals", "No open pipeline at the start.")
    growth = round(float((end_amount - start_amount) / start_amount * 100), 1)
    return Measure(growth, len(after), "open deals", note)


def forecast_accuracy(people: Sequence[int], span: Span) -> Measure:
    return Measure(None, 0, "forecasts", "No data until forecasts exist.")


def _def(
    key: str,
    name: str,
    unit: str,
    pillar: str,
    definition: str,
    compute: object,
    higher_is_better: bool = True,
    batch: Batch | None = None,
) -> MetricDef:
    if batch is None:
        batch = getattr(batched, key, None)
    return MetricDef(
        key,
        name,
        unit,
        definition,
        pillar,
        compute,  # type: ignore[arg-type]
        higher_is_better,
        batch=batch,
    )


BUILTIN: dict[str, MetricDef] = {
    m.key: m
    for m in (
        _def(
            "customer_facing_time",
            "Time in customer-facing activities",
            "%",
            Pillar.BUSINESS,
            "Share of the minutes of the person's activities (started in the period, ended, "
            "not cancelled) that were customer-facing; internal work and out-of-band requests "
            "are the rest.",
            customer_facing_time,
        ),
        _def(
            "demos_delivered",
            "Demos delivered",
            "count",
            Pillar.BUSINESS,
            "Demo activities the person took part in that started in the period and were held "
            "(ended, not cancelled).",
            demos_delivered,
        ),
        _def(
            "pocs_run",
            "POCs run",
            "count",
            Pillar.BUSINESS,
            "Deals with at least one proof-of-concept session the person took part in during "
            "the period.",
            pocs_run,
        ),
        _def(
            "pocs_won",
            "POCs won",
            "count",
            Pillar.BUSINESS,
            "Deals closed won in the period that had a proof-of-concept session the person "
            "took part in; the sample is every such POC deal closed (won or lost).",
            pocs_won,
        ),
        _def(
            "collateral_published",
            "Collateral published",
            "count",
            Pillar.ENABLEMENT,
            "Reports the person published in the period for everyone who sees the deal or "
            "account: win/loss and trip reports, the shareable collateral Presales records "
            "today (documents and demos elsewhere are not counted).",
            collateral_published,
        ),
        _def(
            "win_loss_reports",
            "Win/loss reports published",
            "count",
            Pillar.ENABLEMENT,
            "Win/loss reports the person published in the period (drafts do not count).",
            win_loss_reports,
        ),
        _def(
            "trip_reports",
            "Trip reports published",
            "count",
            Pillar.ENABLEMENT,
            "Trip reports the person published in the period (drafts do not count).",
            trip_reports,
        ),
        _def(
            "feature_requests",
            "Feature requests submitted",
            "count",
            Pillar.CUSTOMER,
            "Customer feature requests (product gaps raised in debriefs) the person submitted "
            "in the period.",
            feature_requests,
        ),
        _def(
            "debrief_completion",
            "Debrief completion",
            "%",
            Pillar.PROCESS,
            "Share of the held customer-facing meetings the person attended in the period that "
            "have a debrief.",
            debrief_completion,
        ),
        _def(
            "customer_satisfaction",
            "Customer satisfaction",
            "%",
            Pillar.CUSTOMER,
            "Average imported survey score (as a percent of the scale) of answers dated in the "
            "period from accounts the person met customer-facing in the period or the "
            f"{SURVEY_LOOKBACK_DAYS} days before.",
            customer_satisfaction,
            batch=partial(batched.customer_satisfaction, lookback_days=SURVEY_LOOKBACK_DAYS),
        ),
        _def(
            "win_rate_with_se",
            "Win rate with SE involvement",
            "%",
            Pillar.BUSINESS,
            "Of the person's deals (owned or supported) with at least one SE assigned that "
            "closed in the period, the share closed won.",
            win_rate_with_se,
        ),
        _def(
            "average_opportunity_age",
            "Average opportunity age",
            "days",
            Pillar.BUSINESS,
            "Average days since engagement of the person's deals open at the end of the period "
            "(today while it runs). Lower is better.",
            average_opportunity_age,
            higher_is_better=False,
            batch=partial(batched.average_opportunity_age, as_of=as_of),
        ),
        _def(
            "pipeline_growth",
            "Pipeline growth",
            "%",
            Pillar.BUSINESS,
            "Change of the amount of the person's open deals from the day before the period to "
            "its end (today while it runs), as a percent of the starting amount.",
            pipeline_growth,
            batch=partial(batched.pipeline_growth, as_of=as_of),
        ),
        _def(
            "forecast_accuracy",
            "Forecast accuracy",
            "%",
            Pillar.BUSINESS,
            "How close forecasts came to results. No data until forecasts exist.",
            forecast_accuracy,
        ),
        _def(
            "requests_fulfilled_on_time",
            "Requests for SE help fulfilled on time",
            "%",
            Pillar.PROCESS,
            "Of the requests for SE help assigned to the person and fulfilled in the period, the "
            "share fulfilled by the request's last day.",
            requests_fulfilled_on_time,
            batch=requests_fulfilled_on_time_batch,
        ),
        # The demo catalog and the training labs (presales.demos, presales.lab).
        _def(
            "demos_contributed",
            "Demos contributed to the master library",
            "count",
            Pillar.ENABLEMENT,
            "Demos the person owns that are in the master library, dated by their last change "
            "in the period (the day a demo entered the library is not kept apart; a master "
            "demo changes only under curation).",
            lab_metrics.demos_contributed,
            batch=lab_metrics.demos_contributed_batch,
        ),
        _def(
            "trainings_completed",
            "Training labs completed",
            "count",
            Pillar.ENABLEMENT,
            "Training labs the person attended and completed in the period (by the day their "
            "completion was recorded for).",
            lab_metrics.trainings_completed,
            batch=lab_metrics.trainings_completed_batch,
        ),
    )
}
