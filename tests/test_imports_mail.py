"""E-mail capture: .eml and .mbox files become activities on the right account and deal, with
the body as a note."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from presales.accounts.models import AccountDomain
from presales.activities.models import Activity
from presales.imports.services import run_import
from presales.notes.models import Note
from tests.conftest import Cast, make_account, make_contact, make_opportunity

MAIL = Path(__file__).parent / "fixtures" / "imports" / "mail"


def test_messages_land_on_the_account_and_follow_their_thread_to_the_deal(cast: Cast) -> None:
    northwind = make_account(cast.north, "Northwind Traders")
    fabrikam = make_account(cast.south, "Fabrikam")
    AccountDomain.objects.create(account=northwind, domain="northwind.example")
    AccountDomain.objects.create(account=fabrikam, domain="fabrikam.example")
    priya = make_contact(northwind, "Raman", email="priya.raman@northwind.example")
    cast.alice.email = "alice@vendor.example"
    cast.alice.save()
    pos = make_opportunity(northwind, name="Northwind POS refresh")
    make_opportunity(fabrikam, name="Fabrikam MES")
    make_opportunity(fabrikam, name="Fabrikam quality")

    first = run_import(kind="email", paths=[MAIL / "pricing.eml"])
    assert first.counts["activity"]["created"] == 1
    asked = Activity.objects.get(external_id="CAF1-pricing-001@mail.northwind.example")
    # Northwind has one open deal: the thread starts there.
    assert (asked.kind, asked.account, asked.opportunity) == ("email", northwind, pos)
    assert asked.starts_at == datetime(2024, 9, 3, 7, 12, tzinfo=UTC)
    assert [u.username for u in asked.participants.all()] == ["alice"]
    assert list(asked.contacts.all()) == [priya]
    note = Note.objects.get(activity=asked)
    assert note.body.startswith("Hi Alice,") and "40 gateways" in note.body
    assert (note.account, note.opportunity) == (northwind, pos)

    # A second open deal appears; the reply still follows its thread to the first one.
    make_opportunity(northwind, name="Northwind analytics")
    second = run_import(kind="email", paths=[MAIL])
    assert second.counts["activity"] == {
        "created": 2, "updated": 0, "unchanged": 1, "rejected": 1, "pending": 0
    }  # fmt: skip
    reply = Activity.objects.get(subject="Re: Pricing for the POS refresh")
    assert (reply.account, reply.opportunity) == (northwind, pos)
    audit = Activity.objects.get(external_id="fab-003@fabrikam.example")
    # Fabrikam has two open deals and no thread says which: the account only.
    assert (audit.subject, audit.account, audit.opportunity) == (
        "Qualité audit next week",
        fabrikam,
        None,
    )
    assert (
        Note.objects.get(activity=audit).body == "Bonjour Alice, can we move the audit to Thursday?"
    )
    issue = next(i for i in second.issues if i.severity == "rejected")
    assert (issue.file, issue.row, issue.column) == ("inbox.mbox", 3, "Message-ID")

    third = run_import(kind="email", paths=[MAIL])
    assert third.totals["created"] == third.totals["updated"] == 0
    assert Note.objects.filter(source="email").count() == 3
