"""The demo's self-guided evaluations and training labs: customers on a dozen deals worked
through a demo's script on a lab environment without an SE (registered after the deal's first
stage step, started and completed before the deal closed and before now), and four training
labs for the newest SEs, three held (most attendees completed) and one ahead. A step of the
demo generator, run after the demo catalog and the labs."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import Min

from presales.accounts.models import Contact
from presales.core.bulk import insert_new
from presales.deals.models import CLOSED_STAGES, Opportunity
from presales.demos.models import Demo
from presales.lab.models import Attendance, Environment, Evaluation, Training

EVALUATIONS = 14
TRAININGS = [
    ("New-hire lab: the platform in a day", 75),
    ("Hands-on: single sign-on and provisioning", 40),
    ("Hands-on: the data connectors", 12),
    ("New-hire lab: the platform in a day (next cohort)", -9),
]


def _evaluations(builder: Any, today: date) -> int:
    rng = builder.rng
    demos = list(
        Demo.objects.filter(state__in=[Demo.State.MASTER, Demo.State.SHARED]).order_by("pk")
    )
    environments = list(Environment.objects.filter(active=True).order_by("pk"))
    if not demos:
        return 0
    deals = list(
        Opportunity.objects.annotate(first=Min("stage_changes__changed_at"))
        .filter(first__isnull=False)
        .order_by("pk")
    )
    rng.shuffle(deals)
    # A few demos get most evaluations, so their page shows figures worth reading.
    favourites = demos[:3]
    rows: list[Evaluation] = []
    for deal in deals:
        if len(rows) >= EVALUATIONS:
            break
        first = deal.first.date()
        closed = deal.stage in CLOSED_STAGES
        last = min(today, deal.close_date or today) if closed else today
        if (last - first).days < 14:
            continue
        registered = first + timedelta(days=rng.randint(1, (last - first).days - 10))
        started = registered + timedelta(days=rng.randint(0, 3))
        steps = rng.randint(4, 8)
        completed = None
        done = rng.randint(1, steps - 1)
        if rng.random() < 0.65 and started + timedelta(days=7) <= last:
            completed = started + timedelta(days=rng.randint(1, 7))
            done = steps
        contacts = Contact.objects.filter(account__opportunities=deal).order_by("pk")
        contact = contacts.first()
        demo = rng.choice(favourites) if rng.random() < 0.7 else rng.choice(demos)
        rows.append(
            Evaluation(
                demo=demo,
                environment=rng.choice(environments) if environments else None,
                opportunity=deal,
                contact=contact,
                registered_by=deal.owner,
                registered_on=registered,
                started_on=started,
                completed_on=completed,
                steps_total=steps,
                steps_done=done,
                notes="Worked through every step; asked for pricing."
                if completed
                else "Stalled on the data import step.",
            )
        )
    insert_new(Evaluation, rows)
    return len(rows)


def _trainings(builder: Any, today: date) -> int:
    rng = builder.rng
    newest = sorted(builder.all_ses, key=lambda u: u.date_joined, reverse=True)[:6]
    environments = list(Environment.objects.filter(active=True).order_by("pk"))
    managers = builder.se_managers or builder.all_ses[:1]
    for i, (name, days_ago) in enumerate(TRAININGS):
        held = today - timedelta(days=days_ago)
        training = Training.objects.create(
            name=name,
            held_on=held,
            environment=environments[i % len(environments)] if environments else None,
            description="Each attendee builds the demo environment and runs the script.",
            created_by=managers[i % len(managers)],
        )
        people = rng.sample(newest, k=min(len(newest), rng.randint(3, 5)))
        rows = []
        for person in people:
            completed = None
            if days_ago > 0 and rng.random() < 0.8:
                completed = min(held + timedelta(days=rng.randint(0, 2)), today)
            rows.append(Attendance(training=training, user=person, completed_on=completed))
        insert_new(Attendance, rows)
    return len(TRAININGS)


def populate(builder: Any) -> None:
    today = builder.now.date()
    builder.counts["self-guided evaluations"] = _evaluations(builder, today)
    builder.counts["training labs"] = _trainings(builder, today)
