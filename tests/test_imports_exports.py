"""Real exports: an org's own stages, owners without a User file, everything else a Salesforce
export holds, HubSpot's combined export and a Windows-1252 file, checked row by row."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from presales.accounts.models import Account, Asset, Contact
from presales.activities.models import Activity
from presales.core.access import PermissionDenied
from presales.deals.models import LineItem, Opportunity, StageChange, TermsChange
from presales.imports.models import PendingReference, ValueMapping
from presales.imports.services import run_import
from presales.imports.services.owners import map_owner, waiting_owners
from presales.imports.services.picklists import change_mapping
from presales.qualification.models import Stakeholder
from tests.conftest import Cast

FIXTURES = Path(__file__).parent / "fixtures" / "imports"
ORG = FIXTURES / "salesforce_org"


def rows_of(path: Path, encoding: str = "utf-8") -> list[dict[str, str]]:
    with path.open(newline="", encoding=encoding) as handle:
        return list(csv.DictReader(handle))


def sf18(short: str) -> str:
    from presales.imports.services.values import salesforce_id_of

    return salesforce_id_of(short)


def test_a_salesforce_org_with_its_own_stages_keeps_every_opportunity(cast: Cast) -> None:
    result = run_import(kind="salesforce", paths=[ORG])

    expected = {
        "Proposal/Quote": "proposal",
        "Technical Validation": "poc",
        "Closed - Signed": "won",
        "Closed - No Decision": "lost",
        "Qualification": "discovery",
        "Parked": "discovery",
    }
    for row in rows_of(ORG / "Opportunity.csv"):
        deal = Opportunity.objects.get(source="salesforce", external_id=sf18(row["Id"]))
        assert deal.name == row["Name"]
        assert deal.source_stage == row["StageName"]
        assert deal.stage == expected[row["StageName"]], row["StageName"]
        assert deal.account is not None
        assert deal.account.external_id == sf18(row["AccountId"])
    assert result.counts["opportunity"]["rejected"] == 0
    assert Opportunity.objects.filter(source_stage="Proposal/Quote", stage="proposal").count() == 3

    # Each stage name is recorded with where its meaning came from.
    origins = dict(
        ValueMapping.objects.filter(source="salesforce", picklist="stage").values_list(
            "label", "origin"
        )
    )
    assert origins == {
        "Proposal/Quote": "export",
        "Technical Validation": "export",
        "Closed - Signed": "export",
        "Closed - No Decision": "export",
        "Qualification": "default",
        "Parked": "guess",
    }
    proposal = ValueMapping.objects.get(source="salesforce", label="Proposal/Quote")
    assert proposal.evidence == {
        "closed": "false",
        "won": "false",
        "probability": "75",
        "forecast category": "Best Case",
    }
    # Only the guess is a warning; the export said what the others mean.
    stage_warnings = [i for i in result.issues if i.column == "StageName"]
    assert [(i.file, i.row, i.severity) for i in stage_warnings] == [
        ("Opportunity.csv", 9, "warning")
    ]


def test_every_other_object_of_the_export_arrives_row_by_row(cast: Cast) -> None:
    result = run_import(kind="salesforce", paths=[ORG])

    for row in rows_of(ORG / "Account.csv"):
        assert Account.objects.get(external_id=sf18(row["Id"])).name == row["Name"]
    for row in rows_of(ORG / "Contact.csv"):
        person = Contact.objects.get(external_id=sf18(row["Id"]))
        assert (person.last_name, person.email, person.account.external_id) == (
            row["LastName"],
            row["Email"],
            sf18(row["AccountId"]),
        )
    # Contact roles are stakeholders of their deal, an unknown role kept without a role.
    roles = {
        (s.opportunity.external_id, s.contact.last_name, s.deal_role)
        for s in Stakeholder.objects.select_related("opportunity", "contact")
    }
    assert roles == {
        (sf18("0065e00000Opp01"), "Raman", "economic_buyer"),
        (sf18("0065e00000Opp01"), "Okafor", "technical_decision_maker"),
        (sf18("0065e00000Opp03"), "Vogel", ""),
    }
    assert any("unknown Role 'Procurement'" in i.reason for i in result.issues)
    # Line items keep their quantities and prices.
    items = {
        (li.product.name, li.quantity, li.total_price)
        for li in LineItem.objects.select_related("product")
    }
    assert items == {
        ("Edge Gateway", Decimal("40.00"), Decimal("100000.00")),
        ("Insight Cloud", Decimal("1.00"), Decimal("20000.00")),
    }
    pos = Opportunity.objects.get(external_id=sf18("0065e00000Opp01"))
    assert sorted(p.name for p in pos.products.all()) == ["Edge Gateway", "Insight Cloud"]
    # History becomes the deal's stage history and its changes of terms.
    steps = [
        (c.from_stage, c.to_stage, c.changed_at)
        for c in StageChange.objects.filter(opportunity=pos).order_by("changed_at")
    ]
    assert steps == [
        ("", "discovery", datetime(2026, 6, 2, 9, 0, tzinfo=UTC)),
        ("discovery", "poc", datetime(2026, 7, 15, 10, 0, tzinfo=UTC)),
        ("poc", "proposal", datetime(2026, 9, 1, 11, 30, tzinfo=UTC)),
    ]
    terms = TermsChange.objects.get(opportunity=pos)
    assert (terms.from_amount, terms.to_amount, terms.from_close_date, terms.to_close_date) == (
        Decimal("100000.00"),
        Decimal("120000.00"),
        date(2026, 11, 30),
        date(2026, 12, 15),
    )
    signed = Opportunity.objects.get(external_id=sf18("0065e00000Opp05"))
    assert list(signed.stage_changes.values_list("to_stage", flat=True)) == ["discovery", "won"]
    # Assets are the account's install base.
    fleet = Asset.objects.get(external_id=sf18("02i5e00000Ast01"))
    assert (fleet.account.name, fleet.product and fleet.product.name, fleet.quantity) == (
        "Northwind Traders",
        "Edge Gateway",
        Decimal("250.00"),
    )
    assert (fleet.installed_on, fleet.ends_on) == (date(2023, 4, 15), date(2027, 3, 31))
    assert Asset.objects.count() == len(rows_of(ORG / "Asset.csv"))
    # Events all arrive; "Prep" is a meeting until someone says otherwise, with a warning.
    for row in rows_of(ORG / "Event.csv"):
        assert Activity.objects.get(external_id=sf18(row["Id"])).subject == row["Subject"]
    prep = [i for i in result.issues if i.column == "Type"]
    assert [(i.row, i.severity) for i in prep] == [(3, "warning"), (4, "warning")]
    assert result.rejected == 0


def test_owners_without_a_user_file_wait_and_are_completed_when_mapped(cast: Cast) -> None:
    run_import(kind="salesforce", paths=[ORG])
    waiting = {o.external_id: (o.records, o.kinds) for o in waiting_owners(source="salesforce")}
    assert waiting == {
        sf18("0055e00000Own01"): (6, {"opportunity": 4, "activity": 2}),
        sf18("0055e00000Own02"): (5, {"opportunity": 4, "activity": 1}),
    }
    pos = Opportunity.objects.get(external_id=sf18("0065e00000Opp01"))
    assert pos.owner is None

    with pytest.raises(PermissionDenied):
        map_owner(
            actor=cast.bob, source="salesforce", external_id=sf18("0055e00000Own01"), user=cast.bob
        )
    done = map_owner(
        actor=cast.root, source="salesforce", external_id=sf18("0055e00000Own01"), user=cast.bob
    )

    assert done == 6
    pos.refresh_from_db()
    assert (pos.owner, pos.team) == (cast.bob, cast.bob.team)
    demo = Activity.objects.get(external_id=sf18("00U5e00000Evt01"))
    assert list(demo.participants.all()) == [cast.bob]
    assert [o.external_id for o in waiting_owners()] == [sf18("0055e00000Own02")]
    assert not PendingReference.objects.filter(target_external_id=sf18("0055e00000Own01")).exists()

    # Importing again changes nothing and keeps the mapped owner.
    again = run_import(kind="salesforce", paths=[ORG])
    assert again.totals["created"] == 0 and again.totals["updated"] == 0
    pos.refresh_from_db()
    assert pos.owner == cast.bob


def test_an_admin_mapping_moves_imported_deals_and_later_imports_follow(cast: Cast) -> None:
    run_import(kind="salesforce", paths=[ORG])
    parked = ValueMapping.objects.get(source="salesforce", picklist="stage", label="Parked")
    deal = Opportunity.objects.get(source_stage="Parked")
    with pytest.raises(PermissionDenied):
        change_mapping(mapping=parked, value="prospecting", actor=cast.alice)

    moved = change_mapping(mapping=parked, value="prospecting", actor=cast.root)

    assert moved == 1
    deal.refresh_from_db()
    assert deal.stage == "prospecting"
    step = deal.stage_changes.get()
    assert (step.from_stage, step.to_stage, step.changed_by) == (
        "discovery",
        "prospecting",
        cast.root,
    )
    # "Prep" events become internal work once an administrator says so.
    prep = ValueMapping.objects.get(source="salesforce", picklist="activity_type", label="Prep")
    assert prep.origin == "guess"
    change_mapping(mapping=prep, value="internal", actor=cast.root)
    again = run_import(kind="salesforce", paths=[ORG])
    assert again.counts["activity"]["updated"] == 2
    assert set(
        Activity.objects.filter(subject__startswith="Prep").values_list("kind", flat=True)
    ) == {"internal"}
    assert not any(i.column == "Type" for i in again.issues)
    deal.refresh_from_db()
    assert deal.stage == "prospecting"
    third = run_import(kind="salesforce", paths=[ORG])
    assert third.totals["created"] == third.totals["updated"] == 0


def test_a_hubspot_combined_export_with_repeated_columns_keeps_every_row(cast: Cast) -> None:
    folder = FIXTURES / "hubspot_combined"
    result = run_import(kind="hubspot", paths=[folder])

    with (folder / "contacts_with_company.csv").open(newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        lines = list(reader)
    assert header.count("Create Date") == 2 and header.count("Phone Number") == 2
    for line, cells in enumerate(lines, start=2):
        contact_id, company_id = cells[0], cells[9]
        if not company_id:
            # HubSpot allows a contact without a company; Presales does not, and says so.
            assert any(i.row == line and "needs a company" in i.reason for i in result.issues), line
            continue
        person = Contact.objects.get(source="hubspot", external_id=contact_id)
        phone = "" if cells[4] in ("null", "[not provided]") else cells[4]
        title = "" if cells[8] in ("null", "[not provided]") else cells[8]
        assert (person.first_name, person.last_name, person.phone, person.title) == (
            cells[1],
            cells[2],
            phone,
            title,
        )
        company = Account.objects.get(source="hubspot", external_id=company_id)
        assert person.account == company
        # The company's Country/Region is the second one, its own.
        assert (company.name, company.country) == (cells[10], cells[15])
    analytical = Account.objects.get(external_id="9001")
    assert (analytical.employees, analytical.sector) == (120, "computer software")
    cobol = Account.objects.get(external_id="9002")
    assert (cobol.employees, cobol.sector) == (None, "")
    assert result.counts["account"]["created"] == 2
    assert result.counts["account"]["rejected"] == 0

    stages = dict(Opportunity.objects.filter(source="hubspot").values_list("name", "stage"))
    assert stages == {
        "Analytical engines upgrade": "poc",
        "Cobol modernisation": "negotiation",
        "Analytical support renewal": "won",
        "Cobol training": "lost",
    }
    upgrade = Opportunity.objects.get(external_id="7001")
    assert (upgrade.close_date, upgrade.engage_date, upgrade.source_stage) == (
        date(2025, 8, 31),
        date(2025, 6, 2),
        "Security review",
    )
    assert Opportunity.objects.get(external_id="7004").amount is None
    owners = {o.external_id: o.records for o in waiting_owners(source="hubspot")}
    assert owners == {"dana whitmore": 1, "dana.whitmore@vendor.example": 1, "sam ortiz": 1}
    map_owner(actor=cast.root, source="hubspot", external_id="dana whitmore", user=cast.carol)
    assert Opportunity.objects.get(external_id="7001").owner == cast.carol
    again = run_import(kind="hubspot", paths=[folder])
    assert again.totals["created"] == again.totals["updated"] == 0


def test_hubspot_owners_file_names_the_people_deals_name_by_name_or_email(
    cast: Cast, tmp_path: Path
) -> None:
    # Dana Whitmore in HubSpot is Dave in Presales: the same e-mail address.
    cast.dave.email = "dana.whitmore@vendor.example"
    cast.dave.save()
    owners = tmp_path / "owners.csv"
    owners.write_text(
        "Owner ID,First Name,Last Name,Email\r\n"
        "31,Dana,Whitmore,Dana.Whitmore@vendor.example\r\n"
        "32,Sam,Ortiz,sam.ortiz@vendor.example\r\n",
        encoding="utf-8",
    )
    deals = FIXTURES / "hubspot_combined" / "deals.csv"
    run_import(kind="hubspot", paths=[owners, deals])

    assert Opportunity.objects.get(external_id="7001").owner == cast.dave
    assert Opportunity.objects.get(external_id="7002").owner == cast.dave
    sam = Opportunity.objects.get(external_id="7003").owner
    assert sam is not None and (sam.email, sam.is_active) == ("sam.ortiz@vendor.example", False)
    assert waiting_owners(source="hubspot") == []


def test_a_windows_1252_file_keeps_every_accented_name(cast: Cast) -> None:
    path = FIXTURES / "cp1252" / "Account.csv"
    with pytest.raises(UnicodeDecodeError):
        path.read_text(encoding="utf-8")
    result = run_import(kind="salesforce", paths=[path])
    assert result.rejected == 0
    for row in rows_of(path, encoding="cp1252"):
        account = Account.objects.get(external_id=sf18(row["Id"]))
        assert (account.name, account.country) == (row["Name"], row["BillingCountry"])
    assert Account.objects.get(name="Société Générale Façades").annual_revenue == Decimal("95.00")
