"""An administrator uploads a Salesforce export in Chromium, reviews the dry run, maps a stage
and an owner, runs the import and follows its progress to the report. The server is
`presales serve --worker` (gunicorn and the embedded job worker) on a database of its own."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from tests.test_browser import ARTIFACTS, browser, log_in  # noqa: F401 - browser is a fixture
from tests.test_jobs import ROOT, Scratch, scratch  # noqa: F401 - scratch is a fixture
from tests.test_serve import _get, _port

pytestmark = pytest.mark.browser
ORG = Path(__file__).parent / "fixtures" / "imports" / "salesforce_org"
SETUP = """
import django; django.setup()
from presales.people.models import Role
from tests.conftest import make_user
make_user("root", Role.ADMIN, email="root@example.com")
make_user("bob", Role.REP, email="bob@example.com")
"""


def _serve(scratch: Scratch) -> tuple[subprocess.Popen[str], str]:  # noqa: F811
    scratch.presales("migrate", timeout=600)
    subprocess.run(
        [sys.executable, "-c", SETUP], env=scratch.env, cwd=ROOT, check=True, timeout=300
    )
    port = _port()
    server = subprocess.Popen(
        [sys.executable, "-m", "presales", "serve", "--port", str(port), "--worker"],
        env={**scratch.env, "PRESALES_SERVE_WORKERS": "1"},
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 90
    while True:
        try:
            _get(port, "/login/")
            return server, f"http://127.0.0.1:{port}"
        except OSError:
            assert server.poll() is None, server.stdout.read() if server.stdout else ""
            assert time.monotonic() < deadline, "the server never answered"
            time.sleep(0.3)


def test_admin_uploads_a_salesforce_zip_reviews_maps_and_imports_it(
    browser: Any,  # noqa: F811
    scratch: Scratch,  # noqa: F811
) -> None:
    export = scratch.home / "salesforce-export.zip"
    with zipfile.ZipFile(export, "w", zipfile.ZIP_DEFLATED) as bundle:
        for path in sorted(ORG.glob("*.csv")):
            bundle.write(path, f"Export 2026-11/{path.name}")
    server, url = _serve(scratch)
    try:
        page = log_in(browser, SimpleNamespace(url=url), "root")
        page.set_default_timeout(60_000)
        page.click("nav >> text=Imports")
        page.wait_for_url("**/imports/")
        page.set_input_files("#upload-files", str(export))
        page.click("#upload button[type=submit]")
        page.wait_for_url("**/imports/uploads/*/")
        # The dry run runs in the worker; the bar follows it and links back when done. The
        # page was drawn before the worker took the job, and the state beside the title
        # follows the job without a reload.
        badge = page.locator("#upload-state")
        assert badge.inner_text() == "Checking (dry run)"
        page.wait_for_selector("#job-progress[data-state=done]")
        page.wait_for_selector("#upload-state >> text=Checked: ready to import")
        page.reload()
        files = page.locator("#upload-files").inner_text()
        assert "Opportunity.csv" in files and "Salesforce opportunity" in files
        counts = page.locator("#dry-run-counts").inner_text()
        assert "opportunity" in counts
        stages = page.locator("#upload-stages")
        assert "Proposal/Quote" in stages.inner_text()
        assert "probability: 75" in stages.inner_text()

        # Map the stage the export said nothing about, then the owner without a user.
        row = stages.locator("tr", has_text="Parked")
        row.locator("select").select_option("prospecting")
        row.locator("button").click()
        page.wait_for_selector(".messages >> text=now means prospecting")
        owner = page.locator("#upload-owners tr", has_text="0055e00000Own01")
        owner.locator("select").select_option(label="Bob Tester (bob@example.com)")
        owner.locator("button").click()
        page.wait_for_selector("#upload-owners .owner-mapped >> text=Bob Tester")
        assert "/imports/uploads/" in page.url

        page.click("#run-import button")
        page.wait_for_selector("#upload-job")
        assert "Import" in page.locator("#upload-job h2").inner_text()
        assert page.locator("#upload-state").inner_text() == "Importing"
        page.wait_for_selector("#job-progress[data-state=done]")
        page.wait_for_selector("#upload-state >> text=Imported")
        page.reload()  # the progress survives a reload
        page.wait_for_selector("#job-progress[data-state=done]")
        assert page.locator("#job-progress progress").get_attribute("value") == "100"
        assert page.locator("#upload-state").inner_text() == "Imported"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "upload.png"), full_page=True)
        page.click("#job-progress >> text=See the result")
        page.wait_for_url("**/imports/*/")
        assert "Salesforce" in page.locator("main").inner_text()
        page.close()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)

    # Every opportunity row of the export arrived, with the stage and owner chosen above.
    with (ORG / "Opportunity.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    found = {
        name: (stage, source_stage, owner)
        for name, stage, source_stage, owner in scratch.query(
            "SELECT o.name, o.stage, o.source_stage, u.username FROM deals_opportunity o "
            "LEFT JOIN people_user u ON u.id = o.owner_id WHERE o.source = 'salesforce'"
        )
    }
    assert sorted(found) == sorted(r["Name"] for r in rows)
    for r in rows:
        assert found[r["Name"]][1] == r["StageName"]
        if r["OwnerId"] == "0055e00000Own01":
            assert found[r["Name"]][2] == "bob"
    assert found["Contoso archive"][0] == "prospecting"
    assert scratch.query("SELECT COUNT(*) FROM imports_importrun WHERE dry_run") == [(1,)]
