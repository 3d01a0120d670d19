"""Duplicates in real Chromium: a data steward opens the duplicates page, sees a pair found by
the finder with its reasons, merges it, sees the deals moved to the kept account, and undoes
the merge."""

from __future__ import annotations

from typing import Any

import pytest

from presales.deals.models import Opportunity
from presales.intelligence.dedupe import find_duplicates
from presales.intelligence.models import AccountAddress, Merge
from presales.intelligence.synthetic import accounts
from tests.conftest import Cast, make_account, make_opportunity
from tests.test_browser import (
    browser,  # noqa: F401 (the shared Chromium fixture)
    log_in,
)

pytestmark = pytest.mark.browser


def test_a_steward_merges_a_likely_duplicate_and_undoes_it(
    browser: Any,  # noqa: F811
    live_server: Any,
    transactional_db: None,
    cast: Cast,
) -> None:
    for _, fields, _ in accounts(150, duplicates=0.0, seed=9):
        other = make_account(cast.south, fields["name"])
        AccountAddress.objects.create(
            account=other,
            phone=fields["phone"],
            website=fields["domain"],
            postal_code=fields["postal_code"],
            street=fields["street"],
            city=fields["city"],
        )
    keep = make_account(cast.north, "Hooli Inc", source="salesforce", external_id="001H")
    copy = make_account(cast.north, "HOOLI", source="hubspot", external_id="H-77")
    for account, phone, web in (
        (keep, "+1 650 555 0100", "https://www.hooli.com"),
        (copy, "001 650 5550100", "hooli.com"),
    ):
        AccountAddress.objects.create(
            account=account,
            phone=phone,
            website=web,
            postal_code="94025",
            street="1 Hooli Way",
            city="Palo Alto",
        )
    make_opportunity(keep, owner=cast.bob, name="Hooli search")
    make_opportunity(copy, owner=cast.bob, name="Hooli XYZ platform")
    find_duplicates("account", threshold=0.9)

    page = log_in(browser, live_server, "root")
    page.click('nav >> text="Customer data"')
    page.wait_for_url("**/intelligence/duplicates/**")
    row = page.locator("#pairs tr", has_text="HOOLI")
    assert "Hooli Inc" in row.inner_text()
    row.locator("text=Review").click()
    page.wait_for_url("**/intelligence/duplicates/*/")
    reasons = page.locator("#reasons").inner_text()
    assert "phone" in reasons and "Exact match on phone" in reasons and "domain" in reasons
    assert float(page.locator("#probability").inner_text()) >= 0.9
    if "Hooli Inc" not in page.locator("#survivor").inner_text():
        page.click("text=keep the other one instead")
    assert "Hooli Inc" in page.locator("#survivor").inner_text()
    assert "Hooli Inc" in page.locator("#survivor-values").inner_text()
    page.click("button:text('Merge')")
    page.wait_for_url("**/intelligence/merges/")
    assert "Merged into Hooli Inc" in page.locator(".messages").inner_text()

    page.goto(f"{live_server.url}/accounts/{keep.pk}/")
    body = page.locator("main").inner_text()
    assert "Hooli search" in body and "Hooli XYZ platform" in body
    assert Opportunity.objects.get(name="Hooli XYZ platform").account_id == keep.pk

    page.goto(f"{live_server.url}/intelligence/merges/")
    page.locator("#merges tr", has_text="Hooli Inc").locator("button:text('Unmerge')").click()
    page.wait_for_url("**/intelligence/merges/")
    assert "undone" in page.locator(".messages").inner_text()
    assert Opportunity.objects.get(name="Hooli XYZ platform").account_id == copy.pk
    assert Merge.objects.get().undone
    page.goto(f"{live_server.url}/accounts/{copy.pk}/")
    assert "Hooli XYZ platform" in page.locator("main").inner_text()
    page.close()
