"""Who follows which background job: the person who started it; administrators see all.
Retrying is the only change, and only a failed job can be retried."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from presales.core import access
from presales.jobs.models import Job, ScheduleMark, WorkerBeat
from presales.people.models import User


def jobs_for(user: User | AnonymousUser) -> QuerySet[Job]:
    if not user.is_authenticated:
        return Job.objects.none()
    assert isinstance(user, User)
    if user.is_admin_role:
        return Job.objects.all()
    return Job.objects.filter(user_id=user.pk)


def can_retry(user: User | AnonymousUser, job: Job) -> bool:
    return job.state == Job.State.FAILED and access.can_see(user, job)


access.register(Job, visible=jobs_for)
access.internal(WorkerBeat, "The workers' heartbeats, read by workers only.")
access.internal(ScheduleMark, "When a periodic job was last queued, read by workers only.")
