"""The full rebuild of the demo statistics' facts as a background job, scheduled when deals
have no facts and once a day (``presales.demos.facts.facts_due``)."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from presales.demos import facts
from presales.jobs.services import progress_for, say


@task(takes_context=True)
def rebuild_facts(context: Any) -> dict[str, int]:
    record = facts.rebuild(reason="scheduled", progress=progress_for(context))
    say(context, f"Recomputed the demo statistics of {record.deals:,} deals.")
    return {"deals": record.deals}
