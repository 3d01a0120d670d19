"""Imports that commit in batches, in real processes: the batches show in the database while the
import runs, a process killed with SIGKILL leaves a run that the next import marks interrupted
(with any index and figures it had set aside built again), and running the import again gives
exactly the database an uninterrupted import gives."""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from presales.imports.models import ImportRun
from presales.imports.services.liveness import STALE_AFTER, mark_interrupted, this_host
from tests.test_jobs import ROOT, Scratch

_spec = importlib.util.spec_from_file_location("import_bench", ROOT / "benchmarks" / "import.py")
assert _spec is not None and _spec.loader is not None
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)

ROWS = 6_000

IMPORT = """
import sys, django
django.setup()
from presales.imports.services import bulk, run_import
bulk.MIN_ROWS = 1000  # set indexes aside early, so a kill finds them aside
result = run_import(kind="salesforce", paths=[__import__("pathlib").Path(sys.argv[1])])
print(result.run.status, result.counts["activity"])
"""


def _databases(tmp_path: Path, count: int) -> Iterator[list[Scratch]]:
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        yield [
            Scratch(tmp_path / f"home{i}", f"sqlite://{tmp_path / f'db{i}.sqlite3'}")
            for i in range(count)
        ]
        return
    import psycopg

    names = [f"presales_kill_{uuid.uuid4().hex[:10]}" for _ in range(count)]
    server = (
        f"postgresql://{database['USER']}:{database['PASSWORD']}@{database['HOST']}:"
        f"{database['PORT'] or 5432}"
    )
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        for name in names:
            admin.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
    try:
        yield [Scratch(tmp_path / f"home{i}", f"{server}/{n}") for i, n in enumerate(names)]
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            for name in names:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]


@pytest.fixture
def two(tmp_path: Path) -> Iterator[list[Scratch]]:
    yield from _databases(tmp_path, 2)


@pytest.fixture
def export(tmp_path: Path) -> Path:
    folder = tmp_path / "export"
    folder.mkdir()
    bench.generate(folder, ROWS)
    return folder


def start_import(scratch: Scratch, folder: Path, commit_rows: int) -> subprocess.Popen[str]:
    scratch.home.mkdir(exist_ok=True)
    return subprocess.Popen(
        [sys.executable, "-c", IMPORT, str(folder)],
        env={**scratch.env, "PRESALES_IMPORT_COMMIT_ROWS": str(commit_rows)},
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def finish(process: subprocess.Popen[str]) -> str:
    out, _ = process.communicate(timeout=600)
    assert process.returncode == 0, out
    return out


def dump(scratch: Scratch) -> dict[str, Any]:
    """Everything the import writes, by external id (timestamps aside)."""
    q = scratch.query
    return {
        "accounts": q(
            "SELECT external_id, name, sector, employees, annual_revenue FROM accounts_account "
            "ORDER BY external_id"
        ),
        "contacts": q(
            "SELECT c.external_id, c.last_name, c.email, a.external_id FROM accounts_contact c "
            "LEFT JOIN accounts_account a ON a.id = c.account_id ORDER BY c.external_id"
        ),
        "deals": q(
            "SELECT o.external_id, o.name, o.stage, o.amount, a.external_id "
            "FROM deals_opportunity o LEFT JOIN accounts_account a ON a.id = o.account_id "
            "ORDER BY o.external_id"
        ),
        "activities": q(
            # Not the row id: PostgreSQL's sequence keeps the numbers a killed batch drew.
            "SELECT v.external_id, v.subject, v.kind, v.status, v.starts_at, v.ends_at, "
            "a.external_id, o.external_id FROM activities_activity v "
            "LEFT JOIN accounts_account a ON a.id = v.account_id "
            "LEFT JOIN deals_opportunity o ON o.id = v.opportunity_id ORDER BY v.external_id"
        ),
        "contact_links": q(
            "SELECT v.external_id, c.external_id FROM activities_activity_contacts l "
            "JOIN activities_activity v ON v.id = l.activity_id "
            "JOIN accounts_contact c ON c.id = l.contact_id ORDER BY 1, 2"
        ),
        "participants": q(
            "SELECT v.external_id, u.email FROM activities_activity_participants l "
            "JOIN activities_activity v ON v.id = l.activity_id "
            "JOIN people_user u ON u.id = l.user_id ORDER BY 1, 2"
        ),
        "digests": q(
            "SELECT source, kind, external_id, digest FROM imports_importedrecord "
            "ORDER BY source, kind, external_id"
        ),
        "pending": q("SELECT count(*) FROM imports_pendingreference"),
        "weekly": weekly(scratch),
    }


def weekly(scratch: Scratch) -> list[tuple[Any, ...]]:
    return scratch.query(
        "SELECT u.email, w.week, w.category, w.seconds, w.activities FROM team_weeklyload w "
        "JOIN people_user u ON u.id = w.user_id ORDER BY 1, 2, 3"
    )


def indexes(scratch: Scratch) -> list[tuple[Any, ...]]:
    if scratch.url.startswith("sqlite"):
        return scratch.query(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            "ORDER BY name"
        )
    return scratch.query(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
        "ORDER BY indexname"
    )


def test_a_killed_import_shows_its_batches_is_marked_interrupted_and_reruns_to_the_same_database(
    two: list[Scratch], export: Path
) -> None:
    killed, clean = two
    for scratch in two:
        scratch.home.mkdir()
        scratch.presales("manage", "migrate", "-v0", timeout=300)
    before = indexes(killed)

    process = start_import(killed, export, commit_rows=500)
    seen: list[int] = []
    deadline = time.monotonic() + 300
    while True:
        assert process.poll() is None, "the import ended before it could be killed"
        count = killed.query("SELECT count(*) FROM activities_activity")[0][0]
        if count:
            seen.append(count)
        if count >= 1500:
            break
        assert time.monotonic() < deadline, "no batch ever showed"
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)

    # Batches of 500 showed one after another, long before the import's end.
    assert seen[0] < ROWS and len(set(seen)) >= 2
    assert all(c % 500 == 0 for c in seen)
    [(status, pid, host, aside, figures)] = killed.query(
        "SELECT status, pid, host, deferred_indexes, set_aside FROM imports_importrun"
    )
    assert (status, pid, host) == ("running", process.pid, this_host())
    if killed.url.startswith("sqlite"):
        # The kill came between setting the activity indexes aside and building them again.
        assert "activities__kind_87ac86_idx" in str(aside)
        assert indexes(killed) != before
    # ... and with the weekly totals of its activities set aside: none kept yet.
    assert "activities.activity" in str(figures)
    assert weekly(killed) == []

    # Marking the run interrupted computes the totals of what it committed.
    marked = killed.presales(
        "manage",
        "shell",
        "-c",
        "from presales.imports.services.liveness import mark_interrupted; mark_interrupted()",
    )
    assert "Import #1 was interrupted" in marked.stdout + marked.stderr
    recovered = weekly(killed)
    assert recovered
    killed.presales("team", "rebuild-totals")
    assert weekly(killed) == recovered

    out = finish(start_import(killed, export, commit_rows=500))
    assert out.splitlines()[-1].startswith("done ")
    runs = killed.query("SELECT id, status, message, pid FROM imports_importrun ORDER BY id")
    assert [r[1] for r in runs] == ["interrupted", "done"]
    assert "Run the same import again" in runs[0][2]
    assert runs[0][3] is None
    assert indexes(killed) == before

    out = finish(start_import(clean, export, commit_rows=100_000))
    assert f"'created': {ROWS}" in out
    expected = dump(clean)
    assert len(expected["activities"]) == ROWS
    assert dump(killed) == expected
    assert indexes(clean) == before


@pytest.mark.django_db
def test_a_run_is_interrupted_only_once_its_process_is_gone(cast: Any) -> None:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    old = timezone.now() - STALE_AFTER - STALE_AFTER / 10

    def running(**fields: Any) -> ImportRun:
        return ImportRun.objects.create(profile="salesforce", files=["Event.csv"], **fields)

    alive_here = running(pid=os.getpid(), host=this_host(), updated_at=old)
    dead_here = running(pid=gone.pid, host=this_host())
    quiet_elsewhere = running(pid=1, host="another-machine", updated_at=old)
    busy_elsewhere = running(pid=1, host="another-machine")
    finished = running(pid=gone.pid, host=this_host(), status=ImportRun.Status.DONE)

    marked = mark_interrupted()

    assert sorted(r.pk for r in marked) == sorted([dead_here.pk, quiet_elsewhere.pk])
    status = dict(ImportRun.objects.values_list("pk", "status"))
    assert status == {
        alive_here.pk: "running",
        dead_here.pk: "interrupted",
        quiet_elsewhere.pk: "interrupted",
        busy_elsewhere.pk: "running",
        finished.pk: "done",
    }
    assert mark_interrupted() == []


@pytest.mark.django_db
def test_the_imports_page_and_the_api_say_a_killed_run_was_interrupted(cast: Any) -> None:
    from tests.test_imports_pages import login

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    run = ImportRun.objects.create(
        profile="salesforce", files=["Event.csv"], user=cast.alice, pid=gone.pid, host=this_host()
    )
    client = login(cast.alice)
    assert client.get("/api/imports").json()["items"][0]["status"] == "running"
    mark_interrupted()
    listing = client.get("/imports/").content.decode()
    assert "Interrupted: run it again to finish" in listing
    detail = client.get(f"/imports/{run.pk}/").content.decode()
    assert "The import stopped before it finished" in detail
    assert client.get(f"/api/imports/{run.pk}").json()["status"] == "interrupted"
