"""The demo tells the truth: nothing in it happened after the moment it was written, nobody
promises themselves anything, overdue work and forecast attainment sit at the rates working
teams report, a product manager's gap list has one gap per need, and the text fits each deal's
state. One small demo is generated for the whole module (and rolled back at its end)."""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import pytest
from django.apps import apps
from django.db import models, transaction

from presales.accounts.models import Contact
from presales.activities.models import Activity
from presales.deals.models import CLOSED_STAGES, Opportunity, Stage, StageChange
from presales.demo.generator import DemoResult, generate_demo
from presales.meetings.models import Commitment, Debrief
from presales.notes.models import Note
from presales.people.models import Role, User

TODAY = date(2026, 11, 16)

# What a closing note says: the deal was won, or it was lost. ("renewals lost to churn" and
# "we lost a minute" are not outcomes.)
WON_WORDS = re.compile(
    r"(?i)closed-won|signed today|they are going with us|came back signed|is a customer\b"
    r"|(?:^|[.;:/-]\s*)won\b|\bbeat [A-Z]|why we won"
)
LOST_WORDS = re.compile(
    r"(?i)closed-lost|went another way|\blost (to (?!churn)|on |this one|at the last|in proc)"
    r"|\blost,|not going ahead|chose not to proceed|as lost\b|loss review|won on relationships"
    r"|why we lost"
)


# Rows the migrations shipped (topics, frameworks) exist before any demo; they are not its.
SHIPPED: dict[type[models.Model], set[Any]] = {}


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[DemoResult]:
    with django_db_blocker.unblock(), transaction.atomic():
        for model in apps.get_models():
            SHIPPED[model] = set(model._default_manager.values_list("pk", flat=True))
        result = generate_demo(password="demo-pass-123", seed=11, scale=0.15, today=TODAY)
        yield result
        transaction.set_rollback(True)


@pytest.fixture
def now(demo: DemoResult, db: None) -> datetime:
    assert demo.now is not None and demo.now.date() == TODAY
    return demo.now


def test_nothing_in_the_demo_was_written_after_the_moment_it_was_made(now: datetime) -> None:
    late = []
    checked = 0
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            if not isinstance(f, models.DateTimeField):
                continue
            rows = model._default_manager.filter(**{f"{f.name}__gt": now}).exclude(
                pk__in=SHIPPED.get(model, set())
            )
            if model is Activity and f.name in ("starts_at", "ends_at"):
                rows = rows.exclude(status=Activity.Status.PLANNED)  # a meeting yet to come
            if model._meta.label == "lab.Reservation" and f.name in ("starts_at", "ends_at"):
                rows = rows.exclude(status="active")  # a lab reservation yet to come or running
            checked += 1
            if rows.exists():
                late.append(f"{model.__name__}.{f.name}: {rows.count()}")
    assert checked > 40
    assert late == [], late
    # Dates of things that already happened are not in the future either.
    assert not Opportunity.objects.filter(stage__in=CLOSED_STAGES, close_date__gt=TODAY).exists()
    from presales.qualification.models import BusinessIssue
    from presales.scorecards.models import SurveyResponse

    assert not BusinessIssue.objects.filter(confirmed_on__gt=TODAY).exists()
    assert not SurveyResponse.objects.filter(responded_on__gt=TODAY).exists()


def test_only_planned_meetings_lie_ahead_and_they_have_no_outcome(now: datetime) -> None:
    ahead = Activity.objects.filter(ends_at__gt=now)
    assert ahead.filter(starts_at__gt=now).exists()
    assert set(ahead.values_list("status", flat=True)) == {Activity.Status.PLANNED}
    assert not Debrief.objects.filter(activity__status=Activity.Status.PLANNED).exists()
    assert not Note.objects.filter(activity__status=Activity.Status.PLANNED).exists()
    assert not Commitment.objects.filter(activity__status=Activity.Status.PLANNED).exists()
    # Stage histories run forwards and end no later than now.
    for deal in Opportunity.objects.prefetch_related("stage_changes")[:200]:
        times = [c.changed_at for c in deal.stage_changes.all()]
        assert times == sorted(times) and times[-1] <= now
        if deal.stage in CLOSED_STAGES:
            assert deal.close_date == times[-1].date()
        else:
            assert deal.close_date is not None and deal.close_date >= TODAY
    assert not StageChange.objects.filter(changed_at__gt=now).exists()


def test_nobody_makes_a_commitment_to_themselves(now: datetime) -> None:
    rows = list(Commitment.objects.select_related("owner"))
    assert len(rows) > 50
    assert [c.pk for c in rows if c.promised_by == c.promised_to] == []
    names = {str(u) for u in User.objects.all()}
    internal = [c for c in rows if c.direction == Commitment.Direction.INTERNAL]
    assert internal
    # Between the rep and the SE: two different people of ours.
    assert all(c.promised_by in names and c.promised_to in names for c in internal)
    # We promise the customer: one of the account's people (or "the customer").
    ours = [c for c in rows if c.direction == Commitment.Direction.OURS]
    assert ours
    for c in ours:
        people = {p.full_name for p in Contact.objects.filter(account_id=c.account_id)}
        assert c.promised_by in names and c.promised_to in people | {"the customer"}
    assert all(c.owner is not None for c in rows)


def test_overdue_commitments_are_few_and_mostly_recent(now: datetime) -> None:
    due = Commitment.objects.filter(due_on__lt=TODAY)
    overdue = list(due.filter(status=Commitment.Status.OPEN).values_list("due_on", flat=True))
    assert due.count() > 50
    # A working team closes most promises around their date: a few are late, mostly by days.
    assert 0 < len(overdue) <= 0.08 * due.count()
    ages = [(TODAY - d).days for d in overdue]
    assert max(ages) <= 120
    assert statistics.median(ages) <= 30
    for c in Commitment.objects.exclude(status=Commitment.Status.OPEN):
        assert c.resolved_at is not None and c.created_at <= c.resolved_at <= now


def test_forecast_attainment_is_within_what_real_teams_report(now: datetime) -> None:
    from presales.forecasts.accuracy import accuracy

    admin = User.objects.get(username="admin")
    for level in ("rep", "team", "region", "manager", "se"):
        table = accuracy(viewer=admin, level=level, today=TODAY, periods=6)
        values = [
            p.attainment for s in table.subjects for p in s.periods if p.attainment is not None
        ]
        assert len(values) >= 6, level
        assert max(values) < 2.5, (level, sorted(values)[-3:])
        typical = [v for v in values if 0.5 <= v <= 1.5]
        assert len(typical) >= 0.75 * len(values), (level, sorted(values))
        assert 0.75 <= statistics.median(values) <= 1.3, level


def test_quotas_are_set_so_attainment_is_plausible(now: datetime) -> None:
    from presales.incentives.analytics import bucket_attainments
    from presales.incentives.models import QuotaBucket

    rows = bucket_attainments(QuotaBucket.objects.select_related("owner", "product"))
    assert len(rows) == 84
    assert max(r.attainment for r in rows) < 250
    assert len({r.target for r in rows}) > 5  # set per person, not one number for everyone


def test_product_gaps_have_one_gap_per_need_and_one_answer(now: datetime) -> None:
    from presales.gaps.models import GapAnswer, GapOpportunity, ProductGap
    from presales.meetings.models import RaisedGap

    titles = [t.casefold() for t in ProductGap.objects.values_list("title", flat=True)]
    assert len(titles) >= 14
    assert [t for t, n in Counter(titles).items() if n > 1] == []
    answers = Counter(GapAnswer.objects.values_list("gap_id", flat=True))
    assert answers and max(answers.values()) == 1
    # Several deals, of several teams, share one gap.
    links = Counter(GapOpportunity.objects.values_list("gap_id", flat=True))
    assert max(links.values()) >= 3
    spread = Counter(
        GapOpportunity.objects.values_list("gap_id", "opportunity__team_id")
        .distinct()
        .values_list("gap_id", flat=True)
    )
    assert max(spread.values()) >= 2
    # Every converted request of the same text points at the same gap.
    converted: dict[str, set[str]] = {}
    for text, key in RaisedGap.objects.exclude(converted_to="").values_list("text", "converted_to"):
        converted.setdefault(text, set()).add(key)
    assert converted and all(len(keys) == 1 for keys in converted.values())
    assert not GapAnswer.objects.filter(answered_at__gt=now).exists()


def test_won_and_lost_language_only_on_closed_deals_of_that_outcome(now: datetime) -> None:
    rows = Note.objects.select_related("opportunity").values_list(
        "body", "opportunity__stage", "account_id", "activity__opportunity_id"
    )
    open_hits, wrong_outcome, closing = [], [], 0
    for body, stage, _account, _activity_deal in rows:
        won, lost = WON_WORDS.search(body), LOST_WORDS.search(body)
        if stage is not None and stage not in CLOSED_STAGES and (won or lost):
            open_hits.append(body)
        if (stage == Stage.WON and lost) or (stage == Stage.LOST and won):
            wrong_outcome.append(body)
        closing += bool(body.startswith("Why we"))
    assert closing > 20
    assert open_hits == []
    assert wrong_outcome == []


def test_an_open_deals_plan_quotes_no_outcome_as_its_own(now: datetime) -> None:
    from presales.meetings.planner import build_plan

    admin = User.objects.get(role=Role.ADMIN)
    meetings = Activity.objects.filter(
        status=Activity.Status.PLANNED,
        customer_facing=True,
        opportunity__stage__in=[Stage.DISCOVERY, Stage.DEMO, Stage.POC, Stage.PROPOSAL],
    ).select_related("opportunity", "account")[:40]
    assert len(meetings) >= 10
    for meeting in meetings:
        for note in build_plan(activity=meeting, viewer=admin, now=now).notes:
            if WON_WORDS.search(note.text) or LOST_WORDS.search(note.text):
                # Only another, closed deal's own closing note, which names that deal.
                assert note.text.startswith(("Why we won the ", "Why we lost the ")), note.text


def test_internal_work_on_a_closed_deal_is_not_filed_on_its_account(now: datetime) -> None:
    for body in Note.objects.filter(
        activity__customer_facing=False, account__isnull=False
    ).values_list("body", flat=True):
        assert not (WON_WORDS.search(body) or LOST_WORDS.search(body)), body


def test_every_text_of_a_deal_someone_sees_is_visible_to_them(now: datetime) -> None:
    """Similar deals rank each visible deal by the mean of all its texts (kept per index
    stamp), which is only right if no text of a deal is hidden from someone who sees the deal.
    (The converse does not hold: a participant, and their manager, see an activity on a deal
    they cannot see; such deals are never candidates.)"""
    from presales.deals.access import opportunities_for
    from presales.texts.access import texts_for
    from presales.texts.models import Text
    from presales.texts.services import index_texts

    index_texts(meaning=False)
    bound = Text.objects.filter(opportunity_id__isnull=False)
    assert {"note", "activity", "debrief"} <= set(bound.values_list("kind", flat=True))
    checked = 0
    for role in Role.values:
        user = User.objects.filter(role=role, is_active=True).first()
        if user is None:
            continue
        of_their_deals = bound.filter(opportunity_id__in=opportunities_for(user).values("pk"))
        hidden = of_their_deals.exclude(pk__in=texts_for(user).values("pk"))
        assert of_their_deals.exists()
        assert list(hidden.values_list("kind", "pk")[:5]) == [], user.username
        checked += 1
    assert checked >= 5
