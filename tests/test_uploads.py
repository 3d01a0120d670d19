"""Imports uploaded in the browser and the API: files kept safely, a dry run reviewed, then the
import, both as background jobs run by a real worker."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, override_settings

from presales.deals.models import Opportunity, Stage
from presales.imports.models import ImportRun, ValueMapping
from presales.imports.services.values import salesforce_id_of
from presales.jobs.models import Job
from presales.jobs.worker import Worker
from presales.uploads.models import Upload
from tests.conftest import Cast

ORG = Path(__file__).parent / "fixtures" / "imports" / "salesforce_org"
pytestmark = pytest.mark.django_db(transaction=True)


def run_jobs() -> int:
    """A real worker, in this process, until the queue is empty."""
    return Worker(batch=True, interval=0, heartbeat_thread=False).run()


def org_zip(*, extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for path in sorted(ORG.glob("*.csv")):
            bundle.write(path, f"export/{path.name}")
        for name, body in (extra or {}).items():
            bundle.writestr(name, body)
    return buffer.getvalue()


def upload_file(name: str, body: bytes) -> io.BytesIO:
    handle = io.BytesIO(body)
    handle.name = name
    return handle


def csv_rows(name: str) -> list[dict[str, str]]:
    with (ORG / name).open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_an_uploaded_salesforce_zip_is_checked_reviewed_mapped_and_imported(cast: Cast) -> None:
    root = Client()
    root.force_login(cast.root)
    page = root.get("/imports/").content.decode()
    assert 'action="/imports/uploads/"' in page and 'name="files"' in page

    answer = root.post("/imports/uploads/", {"files": [upload_file("org.zip", org_zip())]})
    upload = Upload.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/imports/uploads/{upload.pk}/"
    assert upload.profile == upload.detected == "salesforce"
    names = sorted(f["name"] for f in upload.files)
    assert names == sorted(p.name for p in ORG.glob("*.csv"))
    held = {f["name"]: f["object"] for f in upload.files}
    assert held["OpportunityHistory.csv"] == "Salesforce opportunityhistory"
    assert upload.check_job is not None and upload.check_job.state == Job.State.QUEUED

    run_jobs()
    upload.refresh_from_db()
    assert upload.state == Upload.State.CHECKED
    assert upload.dry_run is not None and upload.dry_run.dry_run
    assert Opportunity.objects.count() == 0, "a dry run keeps nothing"
    rows = {f["name"]: f["rows"] for f in upload.files}
    assert rows["Opportunity.csv"] == len(csv_rows("Opportunity.csv")) == 8
    assert upload.dry_run.counts["opportunity"]["created"] == 8
    # The stages the export named are kept for review, with what the export said about them.
    parked = ValueMapping.objects.get(source="salesforce", picklist="stage", key="parked")
    assert parked.origin == ValueMapping.Origin.GUESS
    quote = ValueMapping.objects.get(source="salesforce", picklist="stage", key="proposal/quote")
    assert quote.value == Stage.PROPOSAL and quote.evidence["probability"] == "75"
    owners = {o["external_id"]: o["kinds"] for o in upload.review["owners"]}
    own1, own2 = salesforce_id_of("0055e00000Own01"), salesforce_id_of("0055e00000Own02")
    assert owners[own1]["opportunity"] == 4
    assert owners[own2]["opportunity"] == 4
    body = root.get(f"/imports/uploads/{upload.pk}/").content.decode()
    assert "Proposal/Quote" in body and "probability: 75" in body
    assert own1 in body and 'id="run-import"' in body

    # Map the stage and an owner in place; each form comes back to the upload.
    back = root.post(
        f"/imports/mappings/{parked.pk}/",
        {"value": Stage.PROSPECTING, "next": f"/imports/uploads/{upload.pk}/"},
    )
    assert back["Location"] == f"/imports/uploads/{upload.pk}/"
    back = root.post(
        "/imports/owners/",
        {
            "source": "salesforce",
            "external_id": own1,
            "user": cast.bob.pk,
            "next": f"/imports/uploads/{upload.pk}/",
        },
    )
    assert back["Location"] == f"/imports/uploads/{upload.pk}/"
    assert "Bob Tester" in root.get(f"/imports/uploads/{upload.pk}/").content.decode()
    # Off-site "next" is ignored.
    away = root.post("/imports/owners/", {"next": "https://elsewhere.example/"})
    assert away["Location"] == "/imports/#waiting-owners"

    assert root.post(f"/imports/uploads/{upload.pk}/run/").status_code == 302
    upload.refresh_from_db()
    assert upload.state == Upload.State.IMPORTING and upload.import_job is not None
    run_jobs()
    upload.refresh_from_db()
    assert upload.state == Upload.State.DONE and upload.run is not None
    job = Job.objects.get(pk=upload.import_job.pk)
    assert job.state == Job.State.DONE
    assert job.outcome_url == f"/imports/{upload.run.pk}/"
    assert job.task_result.return_value["import_run"] == upload.run.pk
    # Every opportunity row arrived, with the mapped stage and owner.
    for row in csv_rows("Opportunity.csv"):
        deal = Opportunity.objects.get(name=row["Name"])
        assert deal.source_stage == row["StageName"]
        if row["OwnerId"] == "0055e00000Own01":
            assert deal.owner == cast.bob
    assert Opportunity.objects.get(name="Contoso archive").stage == Stage.PROSPECTING
    done = root.get(f"/imports/uploads/{upload.pk}/").content.decode()
    assert f'href="/imports/{upload.run.pk}/"' in done and "Imported" in done


def test_uploads_are_refused_with_a_reason_and_nothing_kept(
    cast: Cast, settings: Any, tmp_path: Path
) -> None:
    settings.HOME = tmp_path / "home"
    root = Client()
    root.force_login(cast.root)

    def refused(*files: io.BytesIO) -> str:
        answer = root.post("/imports/uploads/", {"files": list(files)}, follow=True)
        return answer.content.decode()

    evil = io.BytesIO()
    with zipfile.ZipFile(evil, "w") as bundle:
        bundle.writestr("../../outside.csv", "Id,Name\n1,x\n")
    assert "points outside the archive" in refused(upload_file("evil.zip", evil.getvalue()))
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("Account.csv", b"Id,Name\n" + b"0" * (3 * 1024**2))
    settings.UPLOAD_MAX_UNZIPPED_MB = 2
    assert len(bomb.getvalue()) < 100_000
    assert "unpacks to more than 2 MB" in refused(upload_file("bomb.zip", bomb.getvalue()))
    settings.UPLOAD_MAX_MB = 1
    big = upload_file("Account.csv", b"Id,Name\n" + b"1,x\n" * 400_000)
    assert "at most 1 MB" in refused(big)
    assert "not this one" in refused(upload_file("notes.docx", b"PK"))
    assert "not a readable ZIP" in refused(upload_file("broken.zip", b"not a zip"))
    assert Upload.objects.count() == 0 and Job.objects.count() == 0
    folder = Path(settings.HOME) / "uploads"
    assert not folder.exists() or list(folder.iterdir()) == []
    assert not (tmp_path / "outside.csv").exists()


def test_only_managers_and_administrators_upload(cast: Cast) -> None:
    se = Client()
    se.force_login(cast.alice)
    assert 'name="files"' not in se.get("/imports/").content.decode()
    answer = se.post("/imports/uploads/", {"files": [upload_file("org.zip", org_zip())]})
    assert answer.status_code == 403
    api = se.post("/api/imports", {"files": [upload_file("org.zip", org_zip())]})
    assert api.status_code == 403
    assert Upload.objects.count() == 0
    manager = Client()
    manager.force_login(cast.dave)
    assert 'name="files"' in manager.get("/imports/").content.decode()


@override_settings(UPLOAD_MAX_MB=50)
def test_the_api_takes_an_upload_and_answers_with_the_job_to_poll(cast: Cast) -> None:
    root = Client()
    root.force_login(cast.root)
    answer = root.post(
        "/api/imports",
        {"files": [upload_file("org.zip", org_zip())], "dry_run": "false"},
    )
    assert answer.status_code == 202, answer.content
    body = answer.json()
    assert body["url"] == f"/api/jobs/{body['id']}" and body["profile"] == "salesforce"
    assert root.get(body["url"]).json()["state"] == "queued"
    run_jobs()
    job = root.get(body["url"]).json()
    assert job["state"] == "done" and job["percent"] == 100
    run = root.get(job["result"]["import_run_url"]).json()
    assert run["dry_run"] is False and run["counts"]["opportunity"]["created"] == 8
    assert Opportunity.objects.filter(source="salesforce").count() == 8
    assert job["outcome_url"] == f"/imports/{run['id']}/"

    empty = root.post("/api/imports", {"dry_run": "true"})
    assert empty.status_code == 422
    assert "at least one file" in empty.content.decode()


def test_a_failed_dry_run_shows_its_error_and_can_be_retried(cast: Cast, settings: Any) -> None:
    root = Client()
    root.force_login(cast.root)
    root.post("/imports/uploads/", {"files": [upload_file("org.zip", org_zip())]})
    upload = Upload.objects.get()
    folder = Path(settings.HOME) / "uploads" / upload.folder
    hidden = folder.with_name(folder.name + "-away")
    folder.rename(hidden)
    run_jobs()
    page = root.get(f"/imports/uploads/{upload.pk}/").content.decode()
    assert "Failed:" in page and "Retry" in page and 'id="upload-state">Failed<' in page
    assert "the uploaded files are not in" in page
    hidden.rename(folder)
    job = upload.check_job
    assert job is not None
    assert root.post(f"/jobs/{job.pk}/retry/").status_code == 302
    run_jobs()
    upload.refresh_from_db()
    assert upload.state == Upload.State.CHECKED
    assert ImportRun.objects.filter(dry_run=True).count() == 1
