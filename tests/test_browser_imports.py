"""The quick log and the import history in real Chromium."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from presales.activities.models import Activity
from presales.imports.services import run_import
from tests.conftest import PASSWORD, Cast, make_account
from tests.test_browser import browser  # noqa: F401 (the shared Chromium fixture)

pytestmark = pytest.mark.browser
SALESFORCE = Path(__file__).parent / "fixtures" / "imports" / "salesforce"


def test_se_confirms_an_unsure_account_in_the_quick_log_then_reads_the_import_history(
    browser: Any,  # noqa: F811
    live_server: Any,
    transactional_db: None,
    cast: Cast,
) -> None:
    east = make_account(cast.north, "Acme East")
    make_account(cast.north, "Acme West")
    run = run_import(kind="salesforce", paths=[SALESFORCE / "Contact.csv"], user=cast.alice).run
    page = browser.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    page.fill("#quick-log-text", "demo Acme 45m: showed SSO, their CISO asked about SCIM")
    page.click("#quick-log button[type=submit]")
    page.wait_for_selector("#quick-log fieldset.confirm")
    assert "Acme West" in page.locator("#quick-log").inner_text()
    page.check(f"#quick-log input[value='{east.pk}']")
    page.click("#quick-log button[type=submit]")
    page.wait_for_selector("#quick-log .ok")
    assert "Logged: Demo, 45 min, Acme East" in page.locator("#quick-log .ok").inner_text()
    logged = Activity.objects.get(kind="demo")
    assert (logged.account, logged.duration_minutes) == (east, 45)

    page.click("nav >> text=Imports")
    page.wait_for_url("**/imports/")
    page.click(f"#imports >> text={run.pk}")
    page.wait_for_url(f"**/imports/{run.pk}/")
    assert "is empty: a contact needs an account" in page.locator("#issues").inner_text()
    with page.expect_download() as download:
        page.click("text=Download the full report (CSV)")
    assert download.value.suggested_filename == f"import-{run.pk}-report.csv"
    page.close()
