"""The Imports page's mappings and waiting owners: who reads them, who changes them, and what
a change does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from presales.deals.models import Opportunity
from presales.imports.models import ValueMapping
from presales.imports.services import run_import
from presales.imports.services.values import salesforce_id_of
from tests.conftest import PASSWORD, Cast
from tests.test_browser import browser  # noqa: F401 (the shared Chromium fixture)

ORG = Path(__file__).parent / "fixtures" / "imports" / "salesforce_org"
OWNER = salesforce_id_of("0055e00000Own01")


def login(user: object) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)  # type: ignore[attr-defined]
    return client


def test_the_imports_page_shows_stage_names_with_their_deals_and_the_waiting_owners(
    cast: Cast,
) -> None:
    run_import(kind="salesforce", paths=[ORG])
    page = login(cast.root).get("/imports/").content.decode()
    mappings = page[page.index('id="value-mappings"') : page.index('id="waiting-owners"')]
    assert "Proposal/Quote" in mappings and "Guessed: please check" in mappings
    assert 'name="value"' in mappings  # an administrator gets the form
    row = mappings[mappings.index("Proposal/Quote") :]
    assert '<td class="num">3</td>' in row[: row.index("</tr>")]
    owners = page[page.index('id="waiting-owners"') :]
    assert OWNER in owners and "4 opportunity, 2 activity" in owners
    # A manager reads the same without forms; an SE sees neither section.
    managed = login(cast.dave).get("/imports/").content.decode()
    assert "Proposal/Quote" in managed and 'name="value"' not in managed
    assert OWNER in managed and 'name="user"' not in managed
    se_page = login(cast.alice).get("/imports/").content.decode()
    assert "value-mappings" not in se_page and OWNER not in se_page


def test_only_an_administrator_changes_a_mapping_or_maps_an_owner(cast: Cast) -> None:
    run_import(kind="salesforce", paths=[ORG])
    parked = ValueMapping.objects.get(label="Parked")
    refused = login(cast.dave).post(
        f"/imports/mappings/{parked.pk}/", {"value": "prospecting"}, follow=True
    )
    assert "Only an administrator" in refused.content.decode()
    assert ValueMapping.objects.get(pk=parked.pk).value == "discovery"
    bad = login(cast.root).post(
        f"/imports/mappings/{parked.pk}/", {"value": "nonsense"}, follow=True
    )
    assert "is not one of the choices" in bad.content.decode()
    assert login(cast.root).post("/imports/mappings/999999/", {"value": "won"}).status_code == 404

    done = login(cast.root).post(
        f"/imports/mappings/{parked.pk}/", {"value": "prospecting"}, follow=True
    )
    assert "now means prospecting; 1 deal moved" in done.content.decode()
    assert Opportunity.objects.get(source_stage="Parked").stage == "prospecting"

    form = {"source": "salesforce", "external_id": OWNER, "user": str(cast.bob.pk)}
    assert (
        "Only an administrator"
        in login(cast.dave).post("/imports/owners/", form, follow=True).content.decode()
    )
    mapped = login(cast.root).post("/imports/owners/", form, follow=True).content.decode()
    assert "6 waiting records completed" in mapped
    assert Opportunity.objects.filter(owner=cast.bob).count() == 4
    empty = login(cast.root).post("/imports/owners/", {**form, "user": ""}, follow=True)
    assert "Choose the person" in empty.content.decode()


@pytest.mark.browser
def test_an_admin_maps_a_stage_and_an_owner_on_the_imports_page(
    browser: Any,  # noqa: F811
    live_server: Any,
    transactional_db: None,
    cast: Cast,
    tmp_path: Path,
) -> None:
    run_import(kind="salesforce", paths=[ORG])
    parked = ValueMapping.objects.get(label="Parked")
    page = browser.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "root")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/imports/")

    row = page.locator(f"#mapping-{parked.pk}")
    row.locator("select").select_option("negotiation")
    row.locator("button").click()
    page.wait_for_selector("ul.messages")
    assert "1 deal moved" in page.locator("ul.messages").inner_text()
    assert Opportunity.objects.get(source_stage="Parked").stage == "negotiation"

    owners = page.locator("#owners tbody tr", has_text=OWNER)
    owners.locator("select").select_option(str(cast.bob.pk))
    owners.locator("button").click()
    page.wait_for_selector("ul.messages")
    assert "6 waiting records completed" in page.locator("ul.messages").inner_text()
    assert OWNER not in page.locator("#waiting-owners").inner_text()
    page.screenshot(path=str(tmp_path / "imports-desktop.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(tmp_path / "imports-phone.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1
    page.close()


def test_the_api_lists_and_changes_mappings_and_maps_owners(cast: Cast) -> None:
    from tests.test_api import bearer, call

    run_import(kind="salesforce", paths=[ORG])
    root, dave, alice = bearer(cast.root), bearer(cast.dave), bearer(cast.alice)
    assert call("get", "/api/imports/mappings", alice).status_code == 403
    listed = call("get", "/api/imports/mappings?source=salesforce", dave).json()
    quote = next(m for m in listed if m["label"] == "Proposal/Quote")
    assert (quote["value"], quote["origin"], quote["deals"]) == ("proposal", "export", 3)
    prep = next(m for m in listed if m["label"] == "Prep")
    assert (prep["picklist"], prep["deals"]) == ("activity_type", None)

    path = f"/api/imports/mappings/{quote['id']}"
    assert call("put", path, dave, {"value": "negotiation"}).status_code == 403
    wrong = call("put", path, root, {"value": "maybe"})
    assert wrong.status_code == 422 and wrong.json()["error"]["fields"][0]["field"] == "value"
    changed = call("put", path, root, {"value": "negotiation"}).json()
    assert changed["moved"] == 3 and changed["mapping"]["origin"] == "admin"
    assert Opportunity.objects.filter(stage="negotiation").count() == 3

    owners = call("get", "/api/imports/owners", dave).json()
    assert [(o["external_id"], o["records"]) for o in owners["items"]] == [
        (OWNER, 6),
        (salesforce_id_of("0055e00000Own02"), 5),
    ]
    body = {"source": "salesforce", "external_id": OWNER, "user_id": cast.bob.pk}
    assert call("post", "/api/imports/owners", dave, body).status_code == 403
    assert call("post", "/api/imports/owners", root, {**body, "user_id": 999999}).status_code == 404
    assert call("post", "/api/imports/owners", root, body).json() == {"completed": 6}
    assert Opportunity.objects.filter(owner=cast.bob).count() == 4


def test_the_account_page_shows_the_imported_install_base(cast: Cast) -> None:
    from presales.accounts.models import Account

    run_import(kind="salesforce", paths=[ORG])
    northwind = Account.objects.get(name="Northwind Traders")
    page = login(cast.root).get(f"/accounts/{northwind.pk}/").content.decode()
    base = page[page.index('id="account-assets"') :]
    assert "Edge Gateway fleet" in base and '<td class="num">250</td>' in base
    assert "15 Apr 2023" in base and "31 Mar 2027" in base
    # An account without assets shows no empty section.
    contoso = Account.objects.get(name="Contoso Pharma")
    assert (
        'id="account-assets"'
        not in login(cast.root).get(f"/accounts/{contoso.pk}/").content.decode()
    )
