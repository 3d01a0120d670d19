"""Background jobs: enqueue a task with a label and an owner, report progress, retry, list.

A job is a function decorated with ``django_tasks.task(takes_context=True)`` whose first argument
is the task context. It reports progress with ``progress_for(context)``, a callback with the same
``(step, done, total)`` shape the services already take, so a service runs the same from the CLI
(a progress bar) and from a job (a bar on a page)::

    @task(takes_context=True)
    def rebuild(context: TaskContext, *, team_id: int) -> dict[str, int]:
        return do_the_work(team_id=team_id, progress=progress_for(context))

    job = enqueue(rebuild, label="Rebuild North", user=request.user, team_id=3)

Jobs must be safe to run again: a worker that dies (or is stopped) leaves its job to the next
worker, which runs it from the start. The services Presales runs as jobs (imports, indexing) are
idempotent and keep finished batches.
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from presales.jobs.models import Job, ScheduleMark, WorkerBeat

if TYPE_CHECKING:
    from presales.people.models import User


class JobReleased(Exception):
    """Raised inside a job when its worker is stopping: the job goes back to the queue."""


@dataclass
class Running:
    """The job a worker is running now; the worker's heartbeat writes its progress."""

    task_result_id: str
    step: str = ""
    done: int = 0
    total: int = 0
    message: str = ""
    dirty: bool = False
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)


_running: Running | None = None
_direct_written: dict[str, float] = {}


def set_running(state: Running | None) -> None:
    global _running
    _running = state


def enqueue(
    task: Any,
    *,
    label: str,
    user: User | None = None,
    outcome_url: str = "",
    **kwargs: Any,
) -> Job:
    """Put ``task`` in the queue with keyword arguments ``kwargs`` (JSON values only)."""
    with transaction.atomic():
        result = task.enqueue(**kwargs)
        return Job.objects.create(
            task_result_id=result.id,
            task_path=task.module_path,
            label=label[:200],
            user=user,
            outcome_url=outcome_url,
        )


def progress_for(context: Any) -> Callable[[str, int, int], None]:
    """A ``progress(step, done, total)`` callback for the job running with ``context``.

    In a worker it only updates memory (the heartbeat writes it about once a second, on its own
    connection, so a job's long transaction never hides its progress); when the worker is
    stopping it raises JobReleased so the job goes back to the queue. Outside a worker (a job
    run inline) it writes at most twice a second.
    """
    result_id = str(context.task_result.id)

    def progress(step: str, done: int, total: int) -> None:
        state = _running
        if state is not None and state.task_result_id == result_id:
            with state.lock:
                state.step, state.done, state.total, state.dirty = step, done, total, True
            if state.stop.is_set():
                raise JobReleased
            return
        now = time.monotonic()
        if now - _direct_written.get(result_id, 0.0) >= 0.5 or (total and done >= total):
            _direct_written[result_id] = now
            Job.objects.filter(task_result_id=uuid.UUID(result_id)).update(
                step=step[:100], done=done, total=total, progress_at=timezone.now()
            )

    return progress


def say(context: Any, message: str) -> None:
    """Set the one-line message a job shows beside its bar."""
    result_id = str(context.task_result.id)
    state = _running
    if state is not None and state.task_result_id == result_id:
        with state.lock:
            state.message, state.dirty = message[:500], True
        return
    Job.objects.filter(task_result_id=uuid.UUID(result_id)).update(message=message[:500])


def flush(state: Running) -> None:
    """Write a running job's progress (called by the worker's heartbeat)."""
    with state.lock:
        if not state.dirty:
            return
        values = {
            "step": state.step[:100],
            "done": state.done,
            "total": state.total,
            "message": state.message,
            "progress_at": timezone.now(),
        }
        state.dirty = False
    Job.objects.filter(task_result_id=uuid.UUID(state.task_result_id)).update(**values)


def retry(job: Job) -> Job:
    """Queue a failed job again with the same arguments; the job keeps its page."""
    from django.utils.module_loading import import_string

    if job.state != Job.State.FAILED:
        raise ValueError("Only a failed job can be retried.")
    task = import_string(job.task_path)
    old = job.task_result
    kwargs = old.args_kwargs.get("kwargs", {}) if old is not None else {}
    with transaction.atomic():
        result = task.enqueue(**kwargs)
        job.task_result_id = result.id
        job.attempts += 1
        job.done = job.total = 0
        job.step = ""
        job.message = "Queued again."
        job.save(update_fields=["task_result", "attempts", "done", "total", "step", "message"])
    return job


def error_of(job: Job) -> str:
    """The last line of a failed job's traceback: what went wrong, for the page."""
    result = job.task_result
    if result is None:
        return "The job's queue record was removed."
    if result.status != "FAILED":
        return ""
    lines = [line for line in result.traceback.strip().splitlines() if line.strip()]
    return lines[-1] if lines else result.exception_class_path


def stale_after() -> timedelta:
    return timedelta(seconds=settings.JOB_STALE_SECONDS)


def requeue_abandoned(*, now: Any = None) -> int:
    """Put back in the queue every running job whose worker stopped beating (killed, lost).

    Returns how many were put back. Safe to call from many workers at once.
    """
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    alive = set(
        WorkerBeat.objects.filter(seen_at__gte=now - stale_after()).values_list(
            "worker_id", flat=True
        )
    )
    put_back = 0
    for result in DBTaskResult.objects.running().only("id", "worker_ids", "started_at"):
        owner = result.worker_ids[-1] if result.worker_ids else ""
        if owner in alive:
            continue
        with transaction.atomic():
            moved = DBTaskResult.objects.filter(pk=result.pk, status="RUNNING").update(
                status="READY", started_at=None
            )
            if moved:
                put_back += 1
                Job.objects.filter(task_result_id=result.pk).update(
                    message="Its worker stopped; queued again for the next worker."
                )
    return put_back


# -- periodic jobs ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Schedule:
    name: str
    task_path: str
    every: timedelta
    label: str
    when: str = ""


_SCHEDULES: dict[str, Schedule] = {}


def register_schedule(
    name: str, task_path: str, *, every: timedelta, label: str, when: str = ""
) -> None:
    """Run the task at ``task_path`` (no arguments) every ``every``; apps call this in ready().
    ``when``, the dotted path of a function without arguments, skips the run while it answers
    false (nothing to do: no job is queued)."""
    _SCHEDULES[name] = Schedule(name=name, task_path=task_path, every=every, label=label, when=when)


def schedules() -> list[Schedule]:
    return sorted(_SCHEDULES.values(), key=lambda s: s.name)


def enqueue_due(*, now: Any = None) -> list[Job]:
    """Enqueue each registered periodic job whose time has come (once across all workers)."""
    from django.utils.module_loading import import_string

    now = now or timezone.now()
    jobs = []
    for schedule in schedules():
        if schedule.when and not import_string(schedule.when)():
            continue
        never = now - schedule.every - timedelta(seconds=1)
        # Another worker may make the mark at the same moment; then it exists, which is enough.
        with contextlib.suppress(IntegrityError):
            ScheduleMark.objects.get_or_create(name=schedule.name, defaults={"enqueued_at": never})
        with transaction.atomic():
            mark = ScheduleMark.objects.select_for_update().get(name=schedule.name)
            if mark.enqueued_at > now - schedule.every:
                continue
            pending = Job.objects.filter(
                Q(task_result__status="READY") | Q(task_result__status="RUNNING"),
                task_path=schedule.task_path,
            )
            if pending.exists():
                continue
            mark.enqueued_at = now
            mark.save(update_fields=["enqueued_at"])
            jobs.append(enqueue(import_string(schedule.task_path), label=schedule.label))
    return jobs
