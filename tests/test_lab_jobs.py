"""Idle lab environments are reclaimed by a scheduled background job, queued only while a
reservation is running."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from presales.jobs import services as job_services
from presales.jobs.models import Job
from presales.jobs.worker import Worker
from presales.lab.models import Environment, Lab, Reservation
from tests.conftest import Cast

LABEL = "Reclaim idle lab environments"


def labels(jobs: list[Job]) -> list[str]:
    return [job.label for job in jobs]


@pytest.mark.django_db(transaction=True)  # the worker commits and closes its connections
def test_the_reclaim_runs_as_a_scheduled_job_while_a_reservation_runs(cast: Cast) -> None:
    lab = Lab.objects.create(name="Central lab")
    stack = Environment.objects.create(lab=lab, name="SSO stack", capacity=1, idle_hours=24)
    now = timezone.now()

    def reservation(name: str, starts: timedelta, ends: timedelta) -> Reservation:
        return Reservation.objects.create(
            environment=stack,
            purpose="training",
            training=name,
            reserved_by=cast.alice,
            team=cast.north,
            starts_at=now + starts,
            ends_at=now + ends,
        )

    # Only a reservation next week: nothing can be idle, no job is queued.
    later = reservation("Next week", timedelta(days=7), timedelta(days=8))
    assert LABEL not in labels(job_services.enqueue_due())
    idle = reservation("Idle", -timedelta(hours=30), timedelta(hours=10))
    assert LABEL in labels(job_services.enqueue_due())
    assert LABEL not in labels(job_services.enqueue_due())  # queued once per period
    Worker(batch=True, interval=0, heartbeat_thread=False).run()
    job = Job.objects.get(label=LABEL)
    assert job.state == Job.State.DONE and job.message == "Reclaimed 1 idle reservation(s)."
    idle.refresh_from_db()
    later.refresh_from_db()
    assert (idle.status, later.status) == ("reclaimed", "active")
    assert idle.released_at is not None and idle.ends_at <= timezone.now()
