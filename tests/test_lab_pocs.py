"""Lab reservations (conflicts refused, release, idle reclaim, utilisation) and a POC from plan
to sign-off, at the service level."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from presales.core.access import PermissionDenied
from presales.lab import services as lab
from presales.lab.models import Environment, Lab, Reservation
from presales.pocs import services as pocs
from presales.pocs.analytics import poc_figures
from presales.pocs.models import Poc, PocLimit
from presales.qualification.models import BusinessIssue
from tests.conftest import Cast, make_account, make_contact, make_opportunity


@pytest.fixture
def environment(cast: Cast) -> Environment:
    central = Lab.objects.create(name="Central lab")
    return Environment.objects.create(lab=central, name="SSO stack", capacity=1, idle_hours=24)


def test_a_conflicting_reservation_is_refused_and_one_after_it_is_not(
    cast: Cast, environment: Environment
) -> None:
    start = timezone.now() + timedelta(days=1)
    first = lab.reserve(
        actor=cast.alice,
        environment=environment,
        purpose="training",
        training="Onboarding",
        starts_at=start,
        ends_at=start + timedelta(hours=4),
    )
    with pytest.raises(ValidationError) as refused:
        lab.reserve(
            actor=cast.carol,
            environment=environment,
            purpose="training",
            training="Other",
            starts_at=start + timedelta(hours=3),
            ends_at=start + timedelta(hours=6),
        )
    assert "fully booked" in str(refused.value)
    after = lab.reserve(
        actor=cast.carol,
        environment=environment,
        purpose="training",
        training="Other",
        starts_at=start + timedelta(hours=4),
        ends_at=start + timedelta(hours=6),
    )
    assert after.pk != first.pk
    lab.release(actor=cast.alice, reservation=first)
    assert Reservation.objects.get(pk=first.pk).status == "released"


def test_a_reservation_for_a_deal_needs_a_deal_the_user_sees(
    cast: Cast, environment: Environment
) -> None:
    south_deal = make_opportunity(make_account(cast.south, "Southco"), name="South deal")
    start = timezone.now() + timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        lab.reserve(
            actor=cast.alice,
            environment=environment,
            purpose="deal",
            opportunity_id=south_deal.pk,
            starts_at=start,
            ends_at=start + timedelta(hours=1),
        )
    assert "opportunity_id" in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        lab.reserve(
            actor=cast.paula,
            environment=environment,
            purpose="training",
            training="X",
            starts_at=start,
            ends_at=start + timedelta(hours=1),
        )


def test_idle_reservations_are_reclaimed_and_used_ones_kept(
    cast: Cast, environment: Environment
) -> None:
    now = timezone.now()
    idle = Reservation.objects.create(
        environment=environment,
        purpose="training",
        training="Idle",
        reserved_by=cast.alice,
        team=cast.north,
        starts_at=now - timedelta(hours=30),
        ends_at=now + timedelta(hours=10),
    )
    other = Environment.objects.create(lab=environment.lab, name="Other", idle_hours=24)
    used = Reservation.objects.create(
        environment=other,
        purpose="training",
        training="Used",
        reserved_by=cast.alice,
        team=cast.north,
        starts_at=now - timedelta(hours=30),
        ends_at=now + timedelta(hours=10),
        last_used_at=now - timedelta(hours=2),
    )
    with pytest.raises(PermissionDenied):
        lab.reclaim_idle(actor=cast.alice)
    assert lab.reclaim_idle(actor=cast.dave, now=now) == 1
    assert Reservation.objects.get(pk=idle.pk).status == "reclaimed"
    assert Reservation.objects.get(pk=used.pk).status == "active"
    labs, teams = lab.utilisation(days=30, now=now)
    # 30 idle hours used (reclaimed now) + 30 hours so far of the used one, of 2 x 720.
    assert labs[0].share.n == 60 and labs[0].share.population == 1440
    assert teams[0].name == "North" and teams[0].share.value == 1.0


def test_a_poc_runs_from_plan_to_sign_off(cast: Cast) -> None:
    account = make_account(cast.north, "Northwind")
    deal = make_opportunity(account, owner=cast.bob, stage="poc")
    BusinessIssue.objects.create(opportunity=deal, customer_words="Audits take weeks")
    champion = make_contact(account, "Champion")
    buyer = make_contact(account, "Buyer")
    poc = pocs.create_poc(actor=cast.alice, opportunity=deal, title="Audit export POC")
    assert poc.se == cast.alice
    assert [c.text for c in poc.criteria.all()] == ["Audits take weeks"]
    with pytest.raises(ValidationError) as refused:
        pocs.start_poc(actor=cast.alice, poc=poc)
    assert "NDA signed" in str(refused.value)
    for check in poc.checks.all():
        pocs.check_prerequisite(actor=cast.alice, check=check, done=True)
    PocLimit.objects.create(team=cast.north, running_per_se=1)
    pocs.start_poc(actor=cast.alice, poc=poc)
    second = pocs.create_poc(actor=cast.alice, opportunity=deal, title="Second")
    for check in second.checks.all():
        pocs.check_prerequisite(actor=cast.alice, check=check, done=True)
    with pytest.raises(ValidationError) as over:
        pocs.start_poc(actor=cast.alice, poc=second)
    assert "limit is 1 per SE" in str(over.value)
    with pytest.raises(ValidationError):
        pocs.sign_off(actor=cast.alice, poc=poc, role="champion", contact_id=champion.pk)
    criterion = poc.criteria.get()
    with pytest.raises(ValidationError):
        pocs.grade_criterion(actor=cast.alice, criterion=criterion, grade="meets", evidence=" ")
    pocs.grade_criterion(
        actor=cast.alice, criterion=criterion, grade="exceeds", evidence="Export in 2 minutes"
    )
    pocs.sign_off(actor=cast.alice, poc=poc, role="champion", contact_id=champion.pk)
    pocs.sign_off(actor=cast.alice, poc=poc, role="economic_buyer", contact_id=buyer.pk)
    pocs.close_poc(actor=cast.alice, poc=poc, result="success")
    poc.refresh_from_db()
    assert poc.signed_off and poc.status == Poc.Status.COMPLETED and poc.result == "success"
    figures = poc_figures(actor=cast.alice)
    assert (figures.criteria_met.n, figures.criteria_met.population) == (1, 1)
    assert figures.win_rate.population == 0  # the deal is still open
    with pytest.raises(PermissionDenied):
        pocs.start_poc(actor=cast.carol, poc=second)
