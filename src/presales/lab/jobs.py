"""Reclaiming idle lab environments as a scheduled background job, every quarter of an hour
while a reservation is running (``presales lab reclaim`` and the manager's button do the same at
once)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django_tasks import task

from presales.jobs.services import say
from presales.lab.models import Reservation
from presales.lab.services import reclaim_idle


def any_running() -> bool:
    now = timezone.now()
    return Reservation.objects.filter(
        status=Reservation.Status.ACTIVE, starts_at__lte=now, ends_at__gt=now
    ).exists()


@task(takes_context=True)
def reclaim(context: Any) -> dict[str, int]:
    count = reclaim_idle()
    say(context, f"Reclaimed {count} idle reservation(s).")
    return {"reclaimed": count}
