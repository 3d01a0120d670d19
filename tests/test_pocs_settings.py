"""The POC settings page: managers and administrators keep the prerequisite checklist, a team's
manager its limit of POCs running per SE; SEs read both; bad input is refused with the reason and
nothing is lost; a new POC gets the active items only."""

from __future__ import annotations

import pytest
from django.test import Client

from presales.pocs.models import PocLimit, Prerequisite
from presales.pocs.services import create_poc, running_limit
from tests.conftest import Cast, make_account, make_opportunity


@pytest.fixture(autouse=True)
def blank_checklist(db: None) -> None:
    """Start from an empty checklist (the shipped one has three items)."""
    Prerequisite.objects.all().delete()


def client_for(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_an_se_reads_the_checklist_and_limits_but_changes_nothing(cast: Cast) -> None:
    Prerequisite.objects.create(name="NDA signed", help_text="Both sides", position=1)
    PocLimit.objects.create(team=cast.north, running_per_se=3)
    se = client_for(cast.alice)
    page = se.get("/pocs/settings/").content.decode()
    assert "NDA signed" in page and "Both sides" in page
    north = page.split(f'data-team="{cast.north.pk}"')[1].split("</tr>")[0]
    assert "3" in north
    south = page.split(f'data-team="{cast.south.pk}"')[1].split("</tr>")[0]
    assert "2" in south and "(default)" in south
    assert "prerequisite-new" not in page and "limit-form" not in page
    assert "Managers and administrators change the list." in page

    refused = se.post("/pocs/settings/add/", {"new-name": "Budget confirmed"})
    assert refused.status_code == 403
    refused = se.post("/pocs/settings/limit/", {"team": cast.north.pk, "running_per_se": 9})
    assert refused.status_code == 403
    assert list(Prerequisite.objects.values_list("name", flat=True)) == ["NDA signed"]
    assert PocLimit.objects.get(team=cast.north).running_per_se == 3


def test_the_empty_page_says_so(cast: Cast) -> None:
    page = client_for(cast.root).get("/pocs/settings/").content.decode()
    assert "No prerequisites yet" in page and "Add the first one below." in page


def test_an_admin_keeps_the_checklist_with_validation(cast: Cast) -> None:
    admin = client_for(cast.root)
    added = admin.post(
        "/pocs/settings/add/",
        {"new-name": "  NDA   signed ", "new-help_text": "Mutual", "new-position": "1",
         "new-active": "on"},
    )  # fmt: skip
    assert added.status_code == 302
    item = Prerequisite.objects.get()
    assert (item.name, item.help_text, item.position) == ("NDA signed", "Mutual", 1)
    assert item.active

    # A duplicate (any case) and an empty name are refused; what was typed stays in the form.
    twice = admin.post("/pocs/settings/add/", {"new-name": "nda SIGNED", "new-help_text": "x"})
    assert twice.status_code == 422
    assert "“NDA signed” is already on the checklist." in twice.content.decode()
    assert 'value="nda SIGNED"' in twice.content.decode()
    empty = admin.post("/pocs/settings/add/", {"new-name": "   "})
    assert empty.status_code == 422 and "This field is required." in empty.content.decode()
    assert Prerequisite.objects.count() == 1

    # Editing: a clash with another item is refused on that item's form; turning one off keeps
    # it off new POCs.
    other = Prerequisite.objects.create(name="Budget confirmed", position=2)
    clash = admin.post(
        "/pocs/settings/edit/",
        {"id": other.pk, f"p{other.pk}-name": "NDA signed", f"p{other.pk}-position": "2"},
    )
    assert clash.status_code == 422
    row = clash.content.decode().split(f'data-prerequisite="{other.pk}"')[1].split("</tr>")[0]
    assert "already on the checklist" in row and "<details open>" in row
    off = admin.post(
        "/pocs/settings/edit/",
        {"id": other.pk, f"p{other.pk}-name": "Budget approved", f"p{other.pk}-position": "0"},
    )
    assert off.status_code == 302
    other.refresh_from_db()
    assert (other.name, other.position, other.active) == ("Budget approved", 0, False)
    gone = admin.post("/pocs/settings/edit/", {"id": "999999", "p999999-name": "x"}, follow=True)
    assert "That checklist item no longer exists." in gone.content.decode()

    deal = make_opportunity(make_account(cast.north, "Acme"), owner=cast.bob, stage="poc")
    poc = create_poc(actor=cast.root, opportunity=deal, title="Pilot")
    assert [c.prerequisite.name for c in poc.checks.all()] == ["NDA signed"]


def test_a_manager_sets_the_limit_of_a_team_they_manage_only(cast: Cast) -> None:
    manager = client_for(cast.dave)  # manages West
    page = manager.get("/pocs/settings/").content.decode()
    assert "limit-form" in page and "prerequisite-new" in page
    form = page.split('id="limit-form"')[1].split("</form>")[0]
    assert f'value="{cast.west.pk}"' in form and f'value="{cast.south.pk}"' not in form

    too_many = manager.post("/pocs/settings/limit/", {"team": cast.west.pk, "running_per_se": 50})
    assert too_many.status_code == 422
    assert "less than or equal to 20" in too_many.content.decode()
    other = manager.post("/pocs/settings/limit/", {"team": cast.south.pk, "running_per_se": 4})
    assert other.status_code == 422 and "valid choice" in other.content.decode()
    assert not PocLimit.objects.exists()

    done = manager.post("/pocs/settings/limit/", {"team": cast.west.pk, "running_per_se": 4})
    assert done.status_code == 302
    assert running_limit(cast.dave) == 4
    again = manager.post("/pocs/settings/limit/", {"team": cast.west.pk, "running_per_se": 1})
    assert again.status_code == 302
    assert PocLimit.objects.get(team=cast.west).running_per_se == 1
