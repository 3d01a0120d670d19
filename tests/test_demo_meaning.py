"""`presales demo --no-serve` returns with search by meaning complete, and a text written later
is indexed by a background job: a paraphrase that shares no word with it finds it."""

from __future__ import annotations

import json
import re

import pytest

from tests.test_jobs import Scratch, scratch  # noqa: F401 - the fixture

pytest.importorskip("sentence_transformers", reason="search by meaning is not installed")


def test_demo_is_meaning_ready_and_new_texts_follow(scratch: Scratch) -> None:  # noqa: F811
    made = scratch.presales("demo", "--no-serve", "--scale", "0.02", timeout=900)
    assert "Log in as" in made.stdout
    assert "Search by meaning covers all" in made.stderr
    # One line says where the time went, phase by phase (the console may wrap it).
    timing = re.search(
        r"Time taken: schema (.+?), generation (.+?), words index (.+?), meaning index (.+?) "
        r"\(total ([^)]+)\)\.",
        " ".join(made.stderr.split()),
    )
    assert timing, made.stderr
    assert all(re.fullmatch(r"\d+(\.\d)? s|\d+ min \d\d s", part) for part in timing.groups())
    covered = scratch.query(
        "SELECT COUNT(*) FROM texts_text t WHERE NOT EXISTS (SELECT 1 FROM texts_textvector v "
        "WHERE v.text_id = t.id AND v.content_hash = t.content_hash)"
    )
    assert covered == [(0,)]

    admin = scratch.query("SELECT username FROM people_user WHERE is_superuser ORDER BY id")[0][0]
    account = scratch.query("SELECT id FROM accounts_account ORDER BY id LIMIT 1")[0][0]
    scratch.presales(
        "log",
        "meeting 30m: our demo laptop overheated and shut down in the middle of the presentation",
        "--as",
        admin,
        "--account",
        str(account),
    )
    # The save queued a job; a worker encodes the new text.
    pending = scratch.query(
        "SELECT COUNT(*) FROM jobs_job j JOIN django_tasks_database_dbtaskresult r "
        "ON r.id = j.task_result_id WHERE r.status = 'READY'"
    )
    assert pending[0][0] >= 1
    scratch.presales("worker", "--batch", "--interval", "0", timeout=600)
    encoded = scratch.query(
        "SELECT COUNT(*) FROM texts_text t JOIN texts_textvector v ON v.text_id = t.id "
        "AND v.content_hash = t.content_hash WHERE t.body LIKE '%laptop overheated%'"
    )
    assert encoded[0][0] >= 1
    found = json.loads(
        scratch.presales(
            "search",
            "the notebook crashed from heat during the pitch",
            "--json",
            "--user",
            admin,
        ).stdout
    )
    assert found["mode"] == "hybrid"
    top = [hit["body"] for hit in found["hits"][:3]]
    assert any("laptop overheated" in body for body in top), top
