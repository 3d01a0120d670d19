"""A planned POC reserves its lab environment for its planned days; a clash refuses the POC with
the reservation in the way, and nothing is kept."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from presales.lab.models import Environment, Lab, Reservation
from presales.pocs import services as pocs
from presales.pocs.models import Poc
from tests.conftest import Cast, make_account, make_opportunity


@pytest.fixture
def stack(cast: Cast) -> Environment:
    lab = Lab.objects.create(name="Central lab")
    return Environment.objects.create(lab=lab, name="SSO stack", capacity=1, idle_hours=24)


def test_a_planned_poc_reserves_its_environment_and_a_clash_is_refused(
    cast: Cast, stack: Environment
) -> None:
    deal = make_opportunity(make_account(cast.north, "Acme"), owner=cast.bob, stage="poc")
    today = timezone.localdate()
    start, end = today + timedelta(days=3), today + timedelta(days=9)
    poc = pocs.create_poc(
        actor=cast.alice,
        opportunity=deal,
        title="SSO POC",
        planned_start=start,
        planned_end=end,
        environment=stack,
    )
    held = Reservation.objects.get(environment=stack)
    assert (held.purpose, held.opportunity_id, held.status) == ("poc", deal.pk, "active")
    assert timezone.localtime(held.starts_at).date() == start
    assert timezone.localtime(held.ends_at).date() == end + timedelta(days=1)
    assert poc.environment == stack

    other = make_opportunity(make_account(cast.north, "Globex"), owner=cast.bob, stage="poc")
    with pytest.raises(ValidationError) as refused:
        pocs.create_poc(
            actor=cast.alice,
            opportunity=other,
            title="Overlapping POC",
            planned_start=end,
            planned_end=end + timedelta(days=5),
            environment=stack,
        )
    message = " ".join(refused.value.messages)
    assert "cannot reserve it" in message and "SSO stack is fully booked" in message
    assert not Poc.objects.filter(title="Overlapping POC").exists()
    assert Reservation.objects.count() == 1

    with pytest.raises(ValidationError, match="planned start and end"):
        pocs.create_poc(actor=cast.alice, opportunity=other, title="No dates", environment=stack)


def test_the_board_says_why_a_poc_was_refused(cast: Cast, stack: Environment) -> None:
    deal = make_opportunity(make_account(cast.north, "Acme"), owner=cast.bob, stage="poc")
    other = make_opportunity(make_account(cast.north, "Globex"), owner=cast.bob, stage="poc")
    day = timezone.localdate() + timedelta(days=2)
    alice = Client()
    alice.force_login(cast.alice)
    form = {"title": "First", "planned_start": day, "planned_end": day, "environment": stack.pk}
    first = alice.post("/pocs/new/", {**form, "deal": deal.pk})
    assert first.status_code == 302 and Reservation.objects.count() == 1
    refused = alice.post("/pocs/new/", {**form, "deal": other.pk, "title": "Second"})
    page = refused.content.decode()
    assert "cannot reserve it" in page and "fully booked" in page
    assert not Poc.objects.filter(title="Second").exists()
