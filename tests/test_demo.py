from __future__ import annotations

import itertools
from datetime import date

import pytest
from django.db.models import Count

from presales.accounts.models import Account, Contact
from presales.activities.models import Activity
from presales.deals.models import CLOSED_STAGES, Opportunity, Stage, StageChange
from presales.demo.generator import generate_demo
from presales.notes.models import Note
from presales.people.models import Region, Role, Team, User

TODAY = date(2026, 11, 16)


@pytest.fixture
def demo(db: None) -> object:
    return generate_demo(password="demo-pass-123", seed=3, scale=0.1, today=TODAY)


def test_demo_has_the_shape_of_a_mid_size_se_organisation(demo: object) -> None:
    assert Region.objects.count() == 3
    assert Team.objects.count() == 6
    roles = dict(User.objects.values_list("role").annotate(n=Count("id")))
    assert roles[Role.SE] == 12
    assert roles[Role.REP] == 30
    assert roles[Role.PRODUCT_MANAGER] >= 1 and roles[Role.ADMIN] == 1
    # Every SE and rep reports to a manager, and every team has one.
    assert not User.objects.filter(role__in=[Role.SE, Role.REP], manager__isnull=True).exists()
    assert not Team.objects.filter(manager__isnull=True).exists()
    # 40 accounts, and one in twenty again from a second CRM (the duplicates to review).
    assert Account.objects.filter(source="demo").count() == 40
    assert Account.objects.filter(source="hubspot").count() == 2
    assert Opportunity.objects.count() == 300
    assert Contact.objects.exclude(status=Contact.Status.ACTIVE).exists()


def test_demo_deals_have_consistent_stage_histories_and_a_plausible_win_rate(
    demo: object,
) -> None:
    won = Opportunity.objects.filter(stage=Stage.WON).count()
    lost = Opportunity.objects.filter(stage=Stage.LOST).count()
    assert 0.2 < won / (won + lost) < 0.5
    assert Opportunity.objects.exclude(stage__in=CLOSED_STAGES).count() > 10
    for deal in Opportunity.objects.prefetch_related("stage_changes")[:100]:
        steps = list(deal.stage_changes.all())
        assert steps[0].from_stage == "" and steps[-1].to_stage == deal.stage
        for before, after in itertools.pairwise(steps):
            assert after.from_stage == before.to_stage
            assert after.changed_at >= before.changed_at
        if deal.stage in CLOSED_STAGES:
            assert deal.close_date == steps[-1].changed_at.date()


def test_demo_activities_and_notes_are_anchored_on_today(demo: object) -> None:
    assert Activity.objects.filter(starts_at__date__gt=TODAY, status="planned").exists()
    assert not Activity.objects.filter(starts_at__date__gt=TODAY).exclude(status="planned").exists()
    assert not Note.objects.filter(created_at__date__gt=TODAY).exists()
    assert Activity.objects.filter(customer_facing=False, kind="out_of_band").exists()
    # Every customer-facing activity on a deal has at least one participant from our side.
    lonely = (
        Activity.objects.filter(opportunity__isnull=False)
        .annotate(n=Count("participants"))
        .filter(n=0)
    )
    assert not lonely.exists()
    assert StageChange.objects.count() >= Opportunity.objects.count()


def test_demo_notes_are_varied_text_not_one_template(demo: object) -> None:
    bodies = list(Note.objects.values_list("body", flat=True))
    assert len(bodies) > 200
    assert len(set(bodies)) / len(bodies) > 0.8
    assert not any("lorem" in b.lower() for b in bodies)


def test_demo_is_the_same_for_the_same_seed_and_day(db: None) -> None:
    generate_demo(password="demo-pass-123", seed=3, scale=0.05, today=TODAY)
    first = list(Opportunity.objects.order_by("external_id").values_list("name", "stage", "amount"))
    notes = list(Note.objects.order_by("external_id").values_list("body", flat=True))
    for model in (Note, Activity, StageChange, Opportunity, Contact, Account, User, Team, Region):
        model.objects.all().delete()
    from presales.products.models import Competitor, Product

    Product.objects.all().delete()
    Competitor.objects.all().delete()
    generate_demo(password="demo-pass-123", seed=3, scale=0.05, today=TODAY)
    again = list(Opportunity.objects.order_by("external_id").values_list("name", "stage", "amount"))
    assert again == first
    assert list(Note.objects.order_by("external_id").values_list("body", flat=True)) == notes


def test_demo_refuses_a_database_that_already_has_users(demo: object) -> None:
    with pytest.raises(ValueError, match="empty database"):
        generate_demo(password="x", scale=0.05, today=TODAY)


def test_demo_login_works_with_the_printed_password(demo: object) -> None:
    from django.test import Client

    se = User.objects.filter(role=Role.SE).order_by("pk").first()
    assert se is not None
    assert Client().login(username=se.username, password="demo-pass-123")


def test_demo_fills_the_deal_workspace_so_its_pages_are_not_empty(demo: object) -> None:
    from presales.meetings.models import Commitment, Debrief, RaisedGap
    from presales.qualification.models import BusinessIssue, CirclesRating, Evidence, Stakeholder

    for model in (Evidence, CirclesRating, Stakeholder, BusinessIssue, Debrief, Commitment):
        assert model.objects.exists(), model.__name__
    assert RaisedGap.objects.exists()
    assert Commitment.objects.filter(status="kept").exists()
    # Won deals were rated higher early on than lost ones: the analysis page has a signal.
    won = CirclesRating.objects.filter(opportunity__stage=Stage.WON)
    lost = CirclesRating.objects.filter(opportunity__stage=Stage.LOST)
    mean = lambda rows: sum(r.overlap for r in rows) / len(rows)  # noqa: E731
    assert mean(list(won)) > mean(list(lost))


def test_demo_has_product_gaps_with_deals_answers_and_maybes(demo: object) -> None:
    from presales.gaps.models import GapOpportunity, ProductGap, Status, maybe_filter
    from presales.meetings.models import RaisedGap

    gaps = ProductGap.objects.all()
    assert gaps.count() >= 20
    assert GapOpportunity.objects.exists()
    assert gaps.filter(revenue_at_stake__gt=0).exists()
    for status in Status.values:
        assert gaps.filter(status=status).exists(), status
    assert gaps.filter(maybe_filter(TODAY)).exists()
    converted = RaisedGap.objects.exclude(converted_to="")
    assert converted.exists() and RaisedGap.objects.filter(converted_to="").exists()
    gap_id = int(converted.first().converted_to.split(":")[1])  # type: ignore[union-attr]
    assert gaps.filter(pk=gap_id, origin="debrief").exists()


def test_demo_has_goals_a_flagged_spiff_and_quota_buckets(demo: object) -> None:
    from presales.incentives.analytics import spiff_report
    from presales.incentives.models import QuotaBucket, Spiff
    from presales.scorecards.lints import lint_goals
    from presales.scorecards.models import Goal
    from presales.scorecards.periods import Quarter

    quarter = Quarter.containing(TODAY)
    se = User.objects.filter(role=Role.SE).order_by("pk").first()
    assert se is not None
    goals = list(Goal.objects.filter(owner=se, year=quarter.year, quarter=quarter.quarter))
    assert len(goals) == 5 and sum(g.weight for g in goals) == 100
    codes = {lint.code for lint in lint_goals(goals=goals, people=[se.pk], quarter=quarter)}
    assert not codes & {"too_many_goals", "weights_not_100", "business_heavy", "no_why"}
    rushed = spiff_report(Spiff.objects.get(name="GTK 500 month-end push"))
    assert {f.code for f in rushed.flags} == {"unrealistic", "not_inclusive"}
    assert spiff_report(Spiff.objects.get(name="GTX Plus Pro this quarter")).flags == []
    assert QuotaBucket.objects.filter(year=quarter.year, quarter=quarter.quarter).count() == 84


def test_demo_has_forecasts_for_past_quarters_so_accuracy_ranks_reps(demo: object) -> None:
    from presales.forecasts.accuracy import accuracy
    from presales.forecasts.models import Adjustment, Snapshot, Submission

    assert Submission.objects.filter(period_start__lt=date(2026, 10, 1)).exists()
    assert Adjustment.objects.exclude(reason="").exists()
    # Eight past weeks, one snapshot per team and week.
    assert Snapshot.objects.values("week").distinct().count() == 8
    admin = User.objects.get(username="admin")
    reps = accuracy(viewer=admin, level="rep", today=TODAY)
    measured = [s for s in reps.subjects if s.summary.mape is not None]
    assert len(measured) >= 5
    assert [s.rank for s in reps.subjects] == list(range(1, len(reps.subjects) + 1))
