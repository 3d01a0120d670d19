"""The job worker behind ``presales worker``.

It takes jobs from the database queue one at a time (``SELECT … FOR UPDATE SKIP LOCKED`` on
PostgreSQL, an exclusive transaction on SQLite, so several workers on several machines share one
queue), runs them and records the outcome. A heartbeat thread, on its own database connection,
marks the worker alive and writes the running job's progress about once a second.

- A job that raises is marked failed with its traceback; a person can retry it.
- A worker that disappears (SIGKILL, a lost machine) stops beating; after
  ``PRESALES_JOB_STALE_SECONDS`` the next worker puts its job back in the queue and runs it.
- SIGTERM or SIGINT stops the worker cleanly: idle, it leaves at once; busy, the job goes on until
  its next progress report and is then released to the queue (or finishes if it ends first). A
  second signal releases the job at once.
- A job's result is written only while the worker still holds it, so a job that was taken away
  from a worker thought dead is finished once, by the worker that holds it.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
from types import FrameType
from typing import Any

from django.db import OperationalError, close_old_connections, connection, transaction
from django.utils import timezone
from django.utils.crypto import get_random_string

from presales.jobs import services
from presales.jobs.models import WorkerBeat

logger = logging.getLogger("presales.jobs")


class Worker:
    def __init__(
        self,
        *,
        interval: float = 1.0,
        beat_every: float = 1.0,
        batch: bool = False,
        max_jobs: int | None = None,
        queue: str = "default",
        heartbeat_thread: bool = True,
    ) -> None:
        self.interval = interval
        self.beat_every = beat_every
        self.batch = batch
        self.max_jobs = max_jobs
        self.queue = queue
        # In-process runs (tests, `--batch` from a script) beat from the loop instead.
        self.heartbeat_thread = heartbeat_thread
        self.worker_id = f"{socket.gethostname()[:30]}-{os.getpid()}-{get_random_string(8)}"
        self.stopping = threading.Event()
        self.current: services.Running | None = None
        self.ran = 0
        self._beat_stop = threading.Event()
        self._signals = 0

    # -- signals ---------------------------------------------------------------------------------

    def install_signals(self) -> None:
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self._signals += 1
        self.stopping.set()
        current = self.current
        if current is not None:
            current.stop.set()
            if self._signals > 1:
                raise services.JobReleased
        logger.info("Worker %s stopping (%s).", self.worker_id, signal.strsignal(signum))

    # -- heartbeat -------------------------------------------------------------------------------

    def _beat(self, *, final: bool = False) -> None:
        current = self.current
        WorkerBeat.objects.update_or_create(
            worker_id=self.worker_id,
            defaults={
                "host": socket.gethostname()[:200],
                "pid": os.getpid(),
                "seen_at": timezone.now(),
                "task_result_id": "" if final or current is None else current.task_result_id,
            },
            create_defaults={
                "host": socket.gethostname()[:200],
                "pid": os.getpid(),
                "started_at": timezone.now(),
                "seen_at": timezone.now(),
            },
        )
        if current is not None:
            services.flush(current)

    def _heartbeat_loop(self) -> None:
        try:
            while not self._beat_stop.wait(self.beat_every):
                try:
                    self._beat()
                except OperationalError:
                    logger.warning("Heartbeat delayed: the database is busy.")
        finally:
            connection.close()

    # -- the loop --------------------------------------------------------------------------------

    def run(self) -> int:
        """Run jobs until stopped (or, with ``batch``, until the queue is empty)."""
        self._beat()
        _mark_interrupted_imports()
        beat = threading.Thread(target=self._heartbeat_loop, name="job-heartbeat", daemon=True)
        if self.heartbeat_thread:
            beat.start()
        logger.info("Worker %s started.", self.worker_id)
        last_sweep = 0.0
        try:
            while not self.stopping.is_set():
                close_old_connections()
                if time.monotonic() - last_sweep >= min(5.0, self.interval * 5):
                    last_sweep = time.monotonic()
                    self._sweep()
                claimed = self._claim()
                if claimed is not None:
                    self._run(claimed)
                    if self.max_jobs is not None and self.ran >= self.max_jobs:
                        break
                    continue
                if self.batch:
                    break
                self.stopping.wait(self.interval)
        finally:
            self._beat_stop.set()
            if beat.is_alive():
                beat.join(timeout=5)
            WorkerBeat.objects.filter(worker_id=self.worker_id).delete()
        logger.info("Worker %s stopped after %d job(s).", self.worker_id, self.ran)
        return self.ran

    def _sweep(self) -> None:
        try:
            put_back = services.requeue_abandoned()
            if put_back:
                logger.warning("Put %d job(s) of stopped workers back in the queue.", put_back)
            services.enqueue_due()
        except OperationalError:
            logger.warning("Queue sweep skipped: the database is busy.")

    def _claim(self) -> Any:
        from django_tasks_db.models import DBTaskResult
        from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

        ready = DBTaskResult.objects.ready().filter(queue_name=self.queue)
        try:
            with exclusive_transaction(ready.db):
                result = ready.get_locked()
                if result is not None:
                    result.claim(self.worker_id)
                return result
        except OperationalError as exc:
            if is_locked_database_exception(exc):
                return None
            raise

    def _still_mine(self, result: Any) -> bool:
        from django_tasks_db.models import DBTaskResult

        row = DBTaskResult.objects.select_for_update().filter(pk=result.pk).first()
        return (
            row is not None
            and row.status == "RUNNING"
            and bool(row.worker_ids)
            and row.worker_ids[-1] == self.worker_id
        )

    def _run(self, result: Any) -> None:
        from django_tasks import TaskContext

        state = services.Running(task_result_id=str(result.pk))
        if self.stopping.is_set():
            state.stop.set()
        self.current = state
        services.set_running(state)
        outcome: tuple[str, Any] = ("failed", None)
        try:
            task = result.task
            task_result = result.task_result
            args, kwargs = task_result.args, task_result.kwargs
            if task.takes_context:
                value = task.call(TaskContext(task_result=task_result), *args, **kwargs)
            else:
                value = task.call(*args, **kwargs)
            outcome = ("done", value)
        except services.JobReleased:
            outcome = ("released", None)
        except Exception as exc:
            outcome = ("failed", exc)
            logger.exception("Job %s failed.", result.pk)
        finally:
            self.current = None
            services.set_running(None)
        try:
            services.flush(state)
            if not self.heartbeat_thread:
                self._beat()
        except OperationalError:
            pass
        self._finish(result, *outcome)
        self.ran += 1

    def _finish(self, result: Any, how: str, value: Any) -> None:
        with transaction.atomic():
            if not self._still_mine(result):
                logger.warning(
                    "Job %s was taken over by another worker; result dropped.", result.pk
                )
                return
            if how == "done":
                try:
                    with transaction.atomic():
                        result.set_successful(value)
                except (TypeError, ValueError) as exc:  # a result that is not JSON
                    result.set_failed(exc)
            elif how == "released":
                from django_tasks_db.models import DBTaskResult

                DBTaskResult.objects.filter(pk=result.pk).update(status="READY", started_at=None)
                services.Job.objects.filter(task_result_id=result.pk).update(
                    message="Its worker stopped; queued again for the next worker."
                )
            else:
                result.set_failed(value)


def _mark_interrupted_imports() -> None:
    """Imports whose process has gone (a worker killed during an upload) say so from now on."""
    from presales.imports.services.liveness import mark_interrupted

    try:
        mark_interrupted()
    except OperationalError:
        logger.warning("Could not check for interrupted imports: the database is busy.")
