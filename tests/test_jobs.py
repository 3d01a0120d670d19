"""Background jobs: a queue on the database, workers that survive being killed, progress."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from presales.jobs import services
from presales.jobs.models import Job
from presales.jobs.worker import Worker
from tests import jobtasks

ROOT = Path(__file__).resolve().parent.parent


def run_inline(**kwargs: Any) -> int:
    return Worker(batch=True, interval=0, heartbeat_thread=False, **kwargs).run()


@pytest.mark.django_db(transaction=True)
def test_a_job_runs_reports_progress_and_keeps_its_result(cast: Any) -> None:
    job = services.enqueue(
        jobtasks.count_slowly, label="Count", user=cast.alice, n=5, pause=0, marker="m.txt"
    )
    assert job.state == Job.State.QUEUED
    assert run_inline() == 1
    job.refresh_from_db()
    assert job.state == Job.State.DONE
    assert (job.step, job.done, job.total) == ("counting", 5, 5)
    assert job.message == "counting to 5"
    assert job.task_result.return_value == {"counted": 5, "sum": 15}


@pytest.mark.django_db(transaction=True)
def test_a_failed_job_shows_its_error_and_can_be_retried(cast: Any) -> None:
    job = services.enqueue(jobtasks.explode, label="Boom", user=cast.alice, why="no such file")
    run_inline()
    job.refresh_from_db()
    assert job.state == Job.State.FAILED
    assert services.error_of(job) == "ValueError: no such file"
    client = Client()
    client.force_login(cast.alice)
    page = client.get(f"/jobs/{job.pk}/")
    assert "Failed: ValueError: no such file" in page.content.decode()
    first_result = job.task_result_id
    response = client.post(f"/jobs/{job.pk}/retry/")
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.attempts == 2 and job.task_result_id != first_result
    assert job.state == Job.State.QUEUED


@pytest.mark.django_db(transaction=True)
def test_jobs_are_seen_by_who_started_them_and_admins(cast: Any) -> None:
    job = services.enqueue(jobtasks.add, label="Sum", user=cast.alice, a=2, b=3)
    run_inline()
    alice, carol, root = Client(), Client(), Client()
    alice.force_login(cast.alice)
    carol.force_login(cast.carol)
    root.force_login(cast.root)
    body = alice.get(f"/api/jobs/{job.pk}").json()
    assert body["state"] == "done" and body["result"] == 5 and body["percent"] == 100
    assert carol.get(f"/api/jobs/{job.pk}").status_code == 404
    assert carol.get(f"/jobs/{job.pk}/").status_code == 404
    assert "Sum" not in carol.get("/jobs/").content.decode()
    assert 'href="/jobs/"' in alice.get("/").content.decode()  # reachable from every page
    assert "Sum" in alice.get("/jobs/").content.decode()
    assert root.get(f"/api/jobs/{job.pk}").json()["result"] == 5
    assert alice.post(f"/api/jobs/{job.pk}/retry").status_code == 403


@pytest.mark.django_db(transaction=True)
def test_a_periodic_job_is_enqueued_once_per_period() -> None:
    services.register_schedule(
        "test-sum",
        "tests.jobtasks.add",
        every=__import__("datetime").timedelta(hours=1),
        label="Hourly sum",
    )
    try:
        first = services.enqueue_due()
        assert [j.label for j in first] == ["Hourly sum"]
        assert services.enqueue_due() == []  # still queued, and not due
    finally:
        services._SCHEDULES.pop("test-sum")


# -- workers in other processes ------------------------------------------------------------------


def load(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


class Scratch:
    """A database and PRESALES_HOME of their own, shared by worker processes and the test."""

    def __init__(self, home: Path, url: str) -> None:
        self.home = home
        self.url = url
        self.env = {
            **os.environ,
            "PRESALES_HOME": str(home),
            "PRESALES_DATABASE_URL": url,
            "PRESALES_JOB_STALE_SECONDS": "3",
            "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "src")]),
            "DJANGO_SETTINGS_MODULE": "presales.settings",
        }

    def presales(
        self, *args: str, timeout: float = 120, **kwargs: Any
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "presales", *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=True,
            **kwargs,
        )

    def worker(self) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "presales", "worker", "--interval", "0.2"],
            env=self.env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def enqueue(self, n: int, pause: float) -> int:
        code = (
            "import django; django.setup()\n"
            "from presales.jobs.services import enqueue\n"
            "from tests.jobtasks import count_slowly\n"
            f"print(enqueue(count_slowly, label='Count', n={n}, pause={pause}, "
            "marker='done.txt').pk)\n"
        )
        out = subprocess.run(
            [sys.executable, "-c", code],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return int(out.stdout.strip().splitlines()[-1])

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        if self.url.startswith("sqlite"):
            with sqlite3.connect(self.url.removeprefix("sqlite://")) as db:
                return db.execute(sql).fetchall()
        import psycopg

        with psycopg.connect(self.url) as db:
            return db.execute(sql).fetchall()  # type: ignore[arg-type]

    def job(self, job_id: int) -> dict[str, Any]:
        columns = "j.done, j.total, r.status, r.return_value, r.worker_ids, j.message"
        tables = "jobs_job j JOIN django_tasks_database_dbtaskresult r ON r.id = j.task_result_id"
        rows = self.query(f"SELECT {columns} FROM {tables} WHERE j.id = {int(job_id)}")  # noqa: S608
        done, total, status, value, workers, message = rows[0]
        return {
            "done": done,
            "total": total,
            "status": status,
            "value": load(value),
            "workers": load(workers),
            "message": message,
        }

    def wait(
        self, job_id: int, until: Callable[[dict[str, Any]], bool], seconds: float
    ) -> dict[str, Any]:
        deadline = time.monotonic() + seconds
        while True:
            state = self.job(job_id)
            if until(state):
                return state
            if time.monotonic() > deadline:
                raise AssertionError(f"job {job_id} never got there: {state}")
            time.sleep(0.2)


@pytest.fixture
def scratch(tmp_path: Path) -> Iterator[Scratch]:
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        yield Scratch(tmp_path, f"sqlite://{tmp_path / 'jobs.sqlite3'}")
        return
    import psycopg

    name = f"presales_jobs_{uuid.uuid4().hex[:10]}"
    server = (
        f"postgresql://{database['USER']}:{database['PASSWORD']}@{database['HOST']}:"
        f"{database['PORT'] or 5432}"
    )
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
    try:
        yield Scratch(tmp_path, f"{server}/{name}")
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.kill()
    process.wait(timeout=10)


def test_a_killed_workers_job_is_finished_once_by_the_next_worker(scratch: Scratch) -> None:
    scratch.presales("migrate")
    job_id = scratch.enqueue(n=30, pause=0.1)
    first = scratch.worker()
    try:
        scratch.wait(job_id, lambda s: s["status"] == "RUNNING" and s["done"] >= 5, 60)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        killed = scratch.job(job_id)
        assert killed["status"] == "RUNNING" and killed["done"] < 30
    finally:
        _stop(first)
    second = scratch.worker()
    try:
        final = scratch.wait(job_id, lambda s: s["status"] in {"SUCCESSFUL", "FAILED"}, 90)
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=30)
    assert final["status"] == "SUCCESSFUL"
    assert final["value"] == {"counted": 30, "sum": 465}
    assert (final["done"], final["total"]) == (30, 30)
    assert len(final["workers"]) == 2 and final["workers"][0] != final["workers"][1]
    # The first run never reached its end; the second did, once.
    assert len((scratch.home / "done.txt").read_text().splitlines()) == 1


def test_sigterm_releases_the_job_in_hand_and_the_worker_exits_cleanly(scratch: Scratch) -> None:
    scratch.presales("migrate")
    job_id = scratch.enqueue(n=200, pause=0.05)
    worker = scratch.worker()
    try:
        scratch.wait(job_id, lambda s: s["status"] == "RUNNING" and s["done"] >= 3, 60)
        worker.send_signal(signal.SIGTERM)
        code = worker.wait(timeout=30)
        output = worker.stdout.read() if worker.stdout else ""
    finally:
        _stop(worker)
    assert code == 0, output
    released = scratch.job(job_id)
    assert released["status"] == "READY"
    assert released["done"] < 200
    assert "queued again" in released["message"]
    assert not (scratch.home / "done.txt").exists()
