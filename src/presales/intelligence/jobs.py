"""The duplicate finder over the whole base, as a background job."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from presales.jobs.services import enqueue, progress_for, say


@task(takes_context=True)
def find_duplicates_job(
    context: Any, *, kind: str, threshold: float, user_id: int | None = None
) -> dict[str, Any]:
    from presales.intelligence.dedupe import find_duplicates
    from presales.people.models import User

    user = User.objects.filter(pk=user_id).first() if user_id else None
    outcome = find_duplicates(kind, threshold=threshold, user=user, progress=progress_for(context))
    run = outcome.run
    say(
        context,
        f"{run.records:,} records: {run.pairs:,} likely pairs in {run.clusters:,} clusters.",
    )
    return {"run": run.pk, "pairs": run.pairs, "clusters": run.clusters}


def start(kind: str, threshold: float, user: Any) -> Any:
    from django.urls import reverse

    label = f"Find duplicate {'accounts' if kind == 'account' else 'contacts'}"
    return enqueue(
        find_duplicates_job,
        label=label,
        user=user,
        outcome_url=reverse("intel_duplicates") + f"?kind={kind}",
        kind=kind,
        threshold=threshold,
        user_id=user.pk,
    )
