"""The mail drop folder: files a mail client or server leaves there are imported by the worker
once they stop changing, moved aside, and a bad file is refused with its reason."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from django.test import override_settings

from presales.accounts.models import AccountDomain
from presales.activities.models import Activity
from presales.imports.maildrop import import_drop, waiting
from presales.jobs import services as job_services
from presales.jobs.worker import Worker
from presales.notes.models import Note
from tests.conftest import Cast, make_account, make_opportunity

pytestmark = pytest.mark.django_db(transaction=True)

MAIL = Path(__file__).parent / "fixtures" / "imports" / "mail"


def settled(path: Path) -> None:
    old = time.time() - 60
    os.utime(path, (old, old))


def labels(jobs: list) -> list[str]:
    return [job.label for job in jobs]


def test_the_worker_imports_what_lands_in_the_drop_folder(cast: Cast, tmp_path: Path) -> None:
    northwind = make_account(cast.north, "Northwind Traders")
    AccountDomain.objects.create(account=northwind, domain="northwind.example")
    pos = make_opportunity(northwind, name="Northwind POS refresh")
    cast.alice.email = "alice@vendor.example"
    cast.alice.save()
    drop = tmp_path / "drop"
    drop.mkdir()
    with override_settings(MAIL_DROP_DIR=str(drop)):
        # Nothing waits: no job is queued.
        assert "Import the mail drop folder" not in labels(job_services.enqueue_due())
        shutil.copy(MAIL / "pricing.eml", drop)
        (drop / "notes.txt").write_text("not mail")
        # A file still being written waits for the next look.
        assert waiting() == []
        assert "Import the mail drop folder" not in labels(job_services.enqueue_due())
        settled(drop / "pricing.eml")
        settled(drop / "notes.txt")
        assert [p.name for p in waiting()] == ["pricing.eml"]
        assert "Import the mail drop folder" in labels(job_services.enqueue_due())
        assert Worker(batch=True, interval=0, heartbeat_thread=False).run() == 1

        mail = Activity.objects.get(external_id="CAF1-pricing-001@mail.northwind.example")
        assert (mail.kind, mail.account, mail.opportunity) == ("email", northwind, pos)
        assert "40 gateways" in Note.objects.get(activity=mail).body
        assert sorted(p.name for p in drop.iterdir()) == ["imported", "notes.txt"]
        assert [p.name for p in (drop / "imported").iterdir()] == ["pricing.eml"]

        # The same message dropped again (a client exporting twice) duplicates nothing; a
        # broken mbox is set aside with its reason and does not stop the good file.
        shutil.copy(MAIL / "pricing.eml", drop)
        broken = drop / "broken.mbox"
        broken.write_bytes(b"\x00\x01 this is no mailbox")
        for path in (drop / "pricing.eml", broken):
            settled(path)
        # The schedule ran a moment ago; an operator's run is the same task.
        job = job_services.enqueue(import_drop, label="Import the mail drop folder")
        Worker(batch=True, interval=0, heartbeat_thread=False).run()
        job.refresh_from_db()
        assert job.message.startswith("1 mail file(s) imported (0 new activities), 1 refused")
        assert Activity.objects.filter(kind="email").count() == 1
        assert Note.objects.filter(activity=mail).count() == 1
        assert sorted(p.name for p in (drop / "imported").iterdir()) == [
            "pricing-1.eml",
            "pricing.eml",
        ]
        assert not (drop / "pricing.eml").exists()
        assert sorted(p.name for p in (drop / "failed").iterdir()) == [
            "broken.mbox",
            "broken.mbox.reason",
        ]
        reason = (drop / "failed" / "broken.mbox.reason").read_text()
        assert reason.startswith("no e-mail message could be read from this file")
