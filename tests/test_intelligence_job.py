"""The duplicate finder runs as a background job started from the page, never in the request."""

from __future__ import annotations

import pytest
from django.test import Client

from presales.intelligence.models import AccountAddress, DedupeRun, DuplicatePair
from presales.intelligence.synthetic import accounts
from presales.jobs.models import Job
from presales.jobs.worker import Worker
from tests.conftest import PASSWORD, Cast, make_account


@pytest.mark.django_db(transaction=True)
def test_the_page_queues_the_finder_and_a_worker_fills_the_review_queue(
    cast: Cast, client: Client
) -> None:
    for _, fields, _ in accounts(200, duplicates=0.05, seed=4):
        account = make_account(cast.north, fields["name"])
        AccountAddress.objects.create(
            account=account, phone=fields["phone"], website=fields["domain"]
        )
    assert client.login(username="alice", password=PASSWORD)
    refused = client.post("/intelligence/duplicates/run/", {"kind": "account"})
    assert refused.status_code == 403  # an SE neither steward nor manager
    assert client.login(username="root", password=PASSWORD)
    bad = client.post("/intelligence/duplicates/run/", {"kind": "account", "threshold": "2"})
    assert bad.status_code == 302 and not Job.objects.exists()
    started = client.post("/intelligence/duplicates/run/", {"kind": "account", "threshold": "0.9"})
    job = Job.objects.get()
    assert started.url == f"/jobs/{job.pk}/"
    assert not DedupeRun.objects.exists()  # nothing ran inside the request
    Worker(batch=True, interval=0, heartbeat_thread=False).run()
    job.refresh_from_db()
    assert job.state == Job.State.DONE, job
    run = DedupeRun.objects.get()
    assert run.records == 200 and run.pairs >= 8
    assert DuplicatePair.objects.filter(status="open").count() >= 8
    page = client.get("/intelligence/duplicates/?kind=account").content.decode()
    assert "200 records" in page and "Review" in page
