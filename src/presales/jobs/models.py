"""Background jobs: what the queue does not record itself.

The queue is Django's Tasks API (the ``django-tasks`` backport) with its database backend: one
``DBTaskResult`` row per enqueued call, which several workers on several machines share. A
``Job`` adds what a person needs to follow it: who started it, a label, its progress and a link
to its outcome. ``WorkerBeat`` is each worker's heartbeat, so a job whose worker died (killed,
machine lost) is put back in the queue for another worker. ``ScheduleMark`` remembers when a
periodic job was last enqueued, so many workers enqueue it once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Job(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    task_result = models.OneToOneField(
        "django_tasks_database.DBTaskResult",
        null=True,
        on_delete=models.SET_NULL,
        related_name="job",
        help_text="The queue's record of the current attempt",
    )
    task_path = models.CharField(max_length=200)
    label = models.CharField(max_length=200)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="jobs",
        help_text="Who started it (empty for scheduled and system jobs)",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=1, help_text="Times it was put in the queue")
    step = models.CharField(max_length=100, blank=True, default="")
    done = models.BigIntegerField(default=0)
    total = models.BigIntegerField(default=0)
    message = models.CharField(max_length=500, blank=True, default="")
    progress_at = models.DateTimeField(null=True, blank=True)
    # A page to open when the job is finished (an import's report, say).
    outcome_url = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.label} ({self.state})"

    @property
    def state(self) -> str:
        result = self.task_result
        if result is None:
            return self.State.FAILED
        return {
            "READY": self.State.QUEUED,
            "RUNNING": self.State.RUNNING,
            "SUCCESSFUL": self.State.DONE,
            "FAILED": self.State.FAILED,
        }.get(result.status, self.State.QUEUED)

    @property
    def state_label(self) -> str:
        return str(self.State(self.state).label)

    @property
    def finished(self) -> bool:
        return self.state in {self.State.DONE, self.State.FAILED}

    @property
    def percent(self) -> int | None:
        if self.state == self.State.DONE:
            return 100
        if self.total <= 0:
            return None
        return max(0, min(100, int(self.done * 100 / self.total)))


class WorkerBeat(models.Model):
    worker_id = models.CharField(max_length=64, primary_key=True)
    host = models.CharField(max_length=200)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)
    task_result_id = models.CharField(max_length=64, blank=True, default="")

    def __str__(self) -> str:
        return f"{self.worker_id} on {self.host}"


class ScheduleMark(models.Model):
    name = models.CharField(max_length=100, primary_key=True)
    enqueued_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.enqueued_at:%Y-%m-%d %H:%M}"
