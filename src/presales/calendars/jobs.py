"""Calendar refreshes as background jobs: all subscriptions on a schedule
(PRESALES_CALENDAR_REFRESH_MINUTES), one when its owner asks for it."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django_tasks import task

from presales.calendars.models import Subscription
from presales.calendars.services import refresh
from presales.jobs.models import Job
from presales.jobs.services import enqueue, progress_for, say


def any_subscriptions() -> bool:
    return Subscription.objects.exists()


@task(takes_context=True)
def refresh_all(context: Any) -> dict[str, int]:
    """Every subscription, one after the other; one calendar's failure is its own."""
    progress = progress_for(context)
    ids = list(Subscription.objects.order_by("fetched_at", "pk").values_list("pk", flat=True))
    outcome: dict[str, int] = {}
    for n, pk in enumerate(ids):
        progress("calendars", n, len(ids))
        subscription = Subscription.objects.filter(pk=pk).first()
        if subscription is None:
            continue
        status = refresh(subscription)
        outcome[status] = outcome.get(status, 0) + 1
    progress("calendars", len(ids), len(ids))
    say(context, ", ".join(f"{n} {s}" for s, n in sorted(outcome.items())) or "No calendars.")
    return outcome


@task(takes_context=True)
def refresh_one(context: Any, *, subscription_id: int) -> dict[str, Any]:
    subscription = Subscription.objects.get(pk=subscription_id)
    status = refresh(subscription, progress=progress_for(context))
    say(context, subscription.error or subscription.get_status_display())
    return {
        "subscription": subscription.pk,
        "status": status,
        "error": subscription.error,
        "import_run": subscription.run_id,
    }


def start_refresh(subscription: Subscription, user: Any) -> Job:
    return enqueue(
        refresh_one,
        label=f"Refresh calendar: {subscription.name}"[:200],
        user=user,
        outcome_url=reverse("subscription_list"),
        subscription_id=subscription.pk,
    )
