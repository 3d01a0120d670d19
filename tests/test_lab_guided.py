"""Self-guided evaluations and training labs: the services' rules, the pages, the API, the
self-guided figures on a demo's page (computed by hand on a small fixture) and the two scorecard
metrics they make possible."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from presales.core.access import PermissionDenied
from presales.deals.models import Stage
from presales.demos.models import Demo
from presales.lab import guided
from presales.lab.metrics import (
    demos_contributed,
    demos_contributed_batch,
    trainings_completed,
    trainings_completed_batch,
)
from presales.lab.models import Attendance, Environment, Evaluation, Lab, Training
from presales.scorecards.metrics import BUILTIN, Ask
from presales.scorecards.periods import Span
from tests.conftest import Cast, make_account, make_contact, make_opportunity
from tests.test_api import bearer

TODAY = timezone.localdate()


def client_for(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


@pytest.fixture
def environment(db: None) -> Environment:
    return Environment.objects.create(lab=Lab.objects.create(name="Central"), name="Trial stack")


@pytest.fixture
def demo(cast: Cast) -> Demo:
    return Demo.objects.create(
        title="SSO in five minutes",
        owner=cast.alice,
        state=Demo.State.SHARED,
        script="Open the admin console\nConnect the identity provider\nLog in as a user",
    )


def _evaluation(cast: Cast, demo: Demo, deal: object = None, **extra: object) -> Evaluation:
    return Evaluation.objects.create(
        demo=demo,
        opportunity=deal,
        registered_by=cast.alice,
        registered_on=TODAY - timedelta(days=20),
        steps_total=3,
        **extra,  # type: ignore[arg-type]
    )


def wilson_by_hand(k: int, n: int) -> tuple[float, float]:
    z = 1.959963984540054
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


# -- the figures beside the SE-led ones ----------------------------------------------------------


def test_self_guided_figures_by_hand_with_an_open_and_a_lost_deal(
    cast: Cast, demo: Demo, django_assert_num_queries: object
) -> None:
    account = make_account(cast.north)
    won_a = make_opportunity(account, stage=Stage.WON)
    won_b = make_opportunity(account, stage=Stage.WON)
    lost = make_opportunity(account, stage=Stage.LOST)
    still_open = make_opportunity(account, stage=Stage.POC)
    done = {"completed_on": TODAY - timedelta(days=5), "started_on": TODAY - timedelta(days=9)}
    # Two evaluations on one won deal: the deal counts once among the deals.
    _evaluation(cast, demo, won_a, steps_done=3, **done)
    _evaluation(cast, demo, won_a)
    _evaluation(cast, demo, won_b, steps_done=3, **done)
    _evaluation(cast, demo, lost, steps_done=3, **done)
    _evaluation(cast, demo, still_open)
    # Before there is a deal: a customer contact only.
    _evaluation(cast, demo, contact=make_contact(account))
    # Another demo's evaluation is not counted.
    other = Demo.objects.create(title="Other", owner=cast.alice)
    _evaluation(cast, other, lost, steps_done=3, **done)

    with django_assert_num_queries(1):  # type: ignore[operator]
        figures = guided.self_guided_figures(actor=cast.root, demo=demo)
    assert figures.evaluations == 6
    assert (figures.completed.n, figures.completed.population) == (3, 6)
    assert figures.completed.value == pytest.approx(0.5)
    assert (figures.won.n, figures.won.population) == (2, 3)  # won 2 of 3 closed; lost counted
    low, high = wilson_by_hand(2, 3)
    assert figures.won.low == pytest.approx(low) and figures.won.high == pytest.approx(high)
    assert figures.open_deals == 1
    assert figures.won.note  # 3 closed deals are too few to tell
    # Someone of another team sees none of North's evaluations.
    assert guided.self_guided_figures(actor=cast.carol, demo=demo).evaluations == 0


# -- the services' rules -------------------------------------------------------------------------


def test_registering_needs_a_deal_or_contact_and_the_right_to_the_deal(
    cast: Cast, demo: Demo, environment: Environment
) -> None:
    mine = make_opportunity(make_account(cast.north))
    theirs = make_opportunity(make_account(cast.south))
    with pytest.raises(ValidationError) as nothing:
        guided.register_evaluation(actor=cast.alice, demo=demo, steps_total=3)
    assert "deal or the customer contact" in str(nothing.value)
    with pytest.raises(ValidationError) as foreign:
        guided.register_evaluation(actor=cast.alice, demo=demo, steps_total=3, opportunity=theirs)
    assert "cannot add work to that deal" in str(foreign.value)
    elsewhere = make_contact(make_account(cast.north))
    with pytest.raises(ValidationError) as mismatch:
        guided.register_evaluation(
            actor=cast.alice, demo=demo, steps_total=3, opportunity=mine, contact=elsewhere
        )
    assert "another account" in str(mismatch.value)
    with pytest.raises(PermissionDenied):
        guided.register_evaluation(actor=cast.paula, demo=demo, steps_total=3, opportunity=mine)
    assert not Evaluation.objects.exists()
    made = guided.register_evaluation(
        actor=cast.alice, demo=demo, steps_total=3, opportunity=mine, environment=environment
    )
    assert (made.registered_by, made.registered_on, made.status) == (
        cast.alice,
        TODAY,
        "Registered",
    )


def test_progress_is_checked_and_completion_needs_every_step(cast: Cast, demo: Demo) -> None:
    deal = make_opportunity(make_account(cast.north))
    evaluation = _evaluation(cast, demo, deal)
    day = TODAY - timedelta(days=3)

    def record(**kw: object) -> Evaluation:
        data = {"steps_done": 3, "started_on": day, "completed_on": None, "notes": ""} | kw
        return guided.record_progress(actor=cast.alice, evaluation=evaluation, **data)  # type: ignore[arg-type]

    for bad, field in [
        ({"steps_done": 4}, "steps_done"),
        ({"steps_done": 2, "completed_on": day}, "completed_on"),
        ({"completed_on": day - timedelta(days=1)}, "completed_on"),
        ({"started_on": TODAY - timedelta(days=30)}, "started_on"),  # before registering
        ({"completed_on": TODAY + timedelta(days=1)}, "completed_on"),
        ({"started_on": None, "steps_done": 1}, "started_on"),
    ]:
        with pytest.raises(ValidationError) as refused:
            record(**bad)
        assert field in refused.value.message_dict, bad
    evaluation.refresh_from_db()
    assert (evaluation.steps_done, evaluation.completed_on) == (0, None)  # nothing kept
    # Completed with no start day: it started the day it was completed.
    record(started_on=None, completed_on=day, notes="Asked for pricing")
    evaluation.refresh_from_db()
    assert (evaluation.started_on, evaluation.completed_on, evaluation.status) == (
        day,
        day,
        "Completed",
    )
    with pytest.raises(PermissionDenied):
        guided.record_progress(
            actor=cast.carol,
            evaluation=evaluation,
            steps_done=1,
            started_on=day,
            completed_on=None,
            notes="",
        )


def test_training_labs_are_run_by_managers_and_completion_is_per_person(
    cast: Cast, environment: Environment
) -> None:
    held = TODAY - timedelta(days=2)
    with pytest.raises(PermissionDenied):
        guided.create_training(actor=cast.alice, name="Onboarding", held_on=held)
    training = guided.create_training(
        actor=cast.dave,
        name="Onboarding",
        held_on=held,
        environment=environment,
        attendees=[cast.alice, cast.carol],
    )
    # Adding someone twice keeps one attendance.
    assert guided.add_attendees(actor=cast.dave, training=training, people=[cast.alice]) == 0
    row = Attendance.objects.get(training=training, user=cast.alice)
    with pytest.raises(ValidationError):
        guided.set_completed(actor=cast.dave, attendance=row, completed_on=held - timedelta(days=1))
    guided.set_completed(actor=cast.dave, attendance=row, completed_on=held)
    assert Attendance.objects.get(pk=row.pk).completed_on == held
    assert Attendance.objects.filter(training=training, completed_on__isnull=True).count() == 1


# -- pages and API -------------------------------------------------------------------------------


def test_register_and_record_progress_through_the_pages(
    cast: Cast, demo: Demo, environment: Environment
) -> None:
    deal = make_opportunity(make_account(cast.north), name="Acme renewal")
    se = client_for(cast.alice)
    empty = se.get("/lab/evaluations/")
    assert "No self-guided evaluation yet" in empty.content.decode()
    refused = se.post("/lab/evaluations/new/", {"demo": demo.pk, "steps_total": 3})
    assert refused.status_code == 422
    assert "Choose the deal or the customer contact" in refused.content.decode()
    assert not Evaluation.objects.exists()
    made = se.post(
        "/lab/evaluations/new/",
        {"demo": demo.pk, "deal": deal.pk, "environment": environment.pk, "steps_total": 3},
    )
    evaluation = Evaluation.objects.get()
    assert made.status_code == 302 and made["Location"] == f"/lab/evaluations/{evaluation.pk}/"
    listing = se.get("/lab/evaluations/").content.decode()
    assert "Acme renewal" in listing and "0 of 3 steps" in listing
    page = se.get(f"/lab/evaluations/{evaluation.pk}/").content.decode()
    assert "Connect the identity provider" in page  # the script, step by step
    bad = se.post(
        f"/lab/evaluations/{evaluation.pk}/progress/",
        {"steps_done": 2, "started_on": TODAY.isoformat(), "completed_on": TODAY.isoformat()},
    )
    assert bad.status_code == 422 and "Completed means every step" in bad.content.decode()
    se.post(
        f"/lab/evaluations/{evaluation.pk}/progress/",
        {"steps_done": 3, "started_on": TODAY.isoformat(), "completed_on": TODAY.isoformat()},
    )
    evaluation.refresh_from_db()
    assert evaluation.completed_on == TODAY
    # Another team's SE does not find it; the demo's page shows it to the owner's team.
    assert client_for(cast.carol).get(f"/lab/evaluations/{evaluation.pk}/").status_code == 404
    demo_page = se.get(f"/demos/{demo.pk}/").content.decode()
    assert 'id="demo-self-guided"' in demo_page
    assert "100%" in demo_page.split('id="self-guided-completed"')[1][:200]


def test_training_pages_for_a_manager_and_an_attendee(cast: Cast, environment: Environment) -> None:
    manager = client_for(cast.dave)
    se = client_for(cast.alice)
    assert se.post("/lab/trainings/new/", {"name": "X", "held_on": "2026-01-01"}).status_code == 403
    assert "A manager adds them" in se.get("/lab/trainings/").content.decode()
    bad = manager.post("/lab/trainings/new/", {"name": "", "held_on": "someday"})
    assert bad.status_code == 422 and not Training.objects.exists()
    held = TODAY - timedelta(days=1)
    manager.post(
        "/lab/trainings/new/",
        {"name": "New-hire lab", "held_on": held.isoformat(), "attendees": [cast.alice.pk]},
    )
    training = Training.objects.get()
    row = Attendance.objects.get(training=training)
    late = manager.post(
        f"/lab/trainings/{training.pk}/attendees/{row.pk}/completed/",
        {f"a{row.pk}-completed_on": (held - timedelta(days=3)).isoformat()},
    )
    assert late.status_code == 422 and "on or after the day" in late.content.decode()
    manager.post(
        f"/lab/trainings/{training.pk}/attendees/{row.pk}/completed/",
        {f"a{row.pk}-completed_on": held.isoformat()},
    )
    assert Attendance.objects.get(pk=row.pk).completed_on == held
    mine = se.get("/lab/trainings/").content.decode()
    assert "New-hire lab" in mine and "1 of 1" in mine
    # The attendee reads the training and cannot record completion.
    assert "Add attendees" not in se.get(f"/lab/trainings/{training.pk}/").content.decode()
    assert (
        se.post(f"/lab/trainings/{training.pk}/attendees/{row.pk}/completed/", {}).status_code
        == 403
    )


def test_the_api_lists_only_the_evaluations_the_caller_sees(cast: Cast, demo: Demo) -> None:
    north = _evaluation(cast, demo, make_opportunity(make_account(cast.north)))
    _evaluation(cast, demo, make_opportunity(make_account(cast.south)))
    rows = Client().get("/api/lab/evaluations", **bearer(cast.alice)).json()  # type: ignore[arg-type]
    assert [r["id"] for r in rows] == [north.pk]
    assert rows[0]["steps_total"] == 3
    assert Client().get("/api/lab/evaluations?limit=0", **bearer(cast.alice)).status_code == 422  # type: ignore[arg-type]


# -- scorecard metrics ---------------------------------------------------------------------------


def test_training_labs_completed_and_demos_contributed(cast: Cast, demo: Demo) -> None:
    span = Span(TODAY - timedelta(days=30), TODAY)
    earlier = Span(TODAY - timedelta(days=90), TODAY - timedelta(days=31))
    one = Training.objects.create(name="One", held_on=TODAY - timedelta(days=10))
    two = Training.objects.create(name="Two", held_on=TODAY - timedelta(days=60))
    three = Training.objects.create(name="Three", held_on=TODAY - timedelta(days=5))
    Attendance.objects.create(training=one, user=cast.alice, completed_on=one.held_on)
    Attendance.objects.create(training=two, user=cast.alice, completed_on=two.held_on)
    Attendance.objects.create(training=three, user=cast.alice)  # not completed
    Attendance.objects.create(training=three, user=cast.carol, completed_on=three.held_on)
    assert trainings_completed([cast.alice.pk], span).value == 1
    assert trainings_completed([cast.alice.pk], earlier).value == 1
    assert trainings_completed([cast.alice.pk, cast.carol.pk], span).value == 2

    master = Demo.objects.create(
        title="Master", owner=cast.alice, state=Demo.State.MASTER, curated_at=timezone.now()
    )
    Demo.objects.create(title="Draft", owner=cast.alice)  # not in the library
    # Curated 60 days ago and edited today: it counts when it entered the library.
    Demo.objects.create(
        title="Old",
        owner=cast.alice,
        state=Demo.State.MASTER,
        curated_at=timezone.now() - timedelta(days=60),
    )
    assert demos_contributed([cast.alice.pk], span).value == 1
    assert demos_contributed([cast.alice.pk], earlier).value == 1
    assert demos_contributed([cast.carol.pk], span).value == 0
    assert master.pk

    asks = [Ask.of([p], s) for p in (cast.alice.pk, cast.carol.pk) for s in (span, earlier)]
    asks.append(Ask.of([cast.alice.pk, cast.carol.pk], span))
    for batch, one_by_one in [
        (trainings_completed_batch, trainings_completed),
        (demos_contributed_batch, demos_contributed),
    ]:
        measured = batch(asks)
        assert measured == {a: one_by_one(list(a.people), a.span) for a in asks}
    assert {"demos_contributed", "trainings_completed"} <= set(BUILTIN)
    assert BUILTIN["trainings_completed"].measure_many(asks) == trainings_completed_batch(asks)


def test_a_demo_counts_as_contributed_from_the_day_a_manager_curates_it(cast: Cast) -> None:
    from presales.demos.services import move_demo

    span = Span(TODAY - timedelta(days=30), TODAY)
    demo = Demo.objects.create(title="Alice's SSO cut", owner=cast.alice, state=Demo.State.SHARED)
    assert demo.curated_at is None
    assert demos_contributed([cast.alice.pk], span).value == 0
    before = timezone.now()
    move_demo(actor=cast.dave, demo=demo, to_state=Demo.State.MASTER)
    demo.refresh_from_db()
    assert demo.curated_by == cast.dave
    assert demo.curated_at is not None and demo.curated_at >= before
    assert demos_contributed([cast.alice.pk], span).value == 1
