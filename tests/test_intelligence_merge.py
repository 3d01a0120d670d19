"""Merges move every link and unmerge restores exactly the state before."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps

from presales.accounts.models import Account, AccountDomain, Contact
from presales.activities.models import Activity
from presales.deals.models import Opportunity
from presales.intelligence.merging import MergeError, merge, preview, unmerge
from presales.intelligence.models import ContactFlag, Merge, MergeEvent, SourceAlias
from presales.notes.models import Note
from tests.conftest import (
    Cast,
    make_account,
    make_activity,
    make_commitment,
    make_contact,
    make_note,
    make_opportunity,
)

pytestmark = pytest.mark.django_db


def dump() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table outside the merge bookkeeping, every column."""
    rows: dict[str, list[tuple[Any, ...]]] = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label in {"intelligence", "sessions", "admin", "axes"}:
            continue
        if model._meta.label == "demos.FactsStamp":  # a version: new on every write, by design
            continue
        names = [f.attname for f in model._meta.concrete_fields]
        rows[model._meta.label] = sorted(
            model._default_manager.values_list(*names), key=lambda r: str(r)
        )
    return rows


@pytest.fixture
def pair(cast: Cast) -> tuple[Account, Account]:
    keep = make_account(cast.north, "Acme GmbH", source="salesforce", external_id="001A")
    other = make_account(
        cast.north, "ACME", source="hubspot", external_id="77", sector="Retail", employees=900
    )
    AccountDomain.objects.create(account=other, domain="acme.de")
    deal = make_opportunity(other, owner=cast.alice, name="Acme renewal")
    make_opportunity(keep, owner=cast.alice, name="Acme expansion")
    jo = make_contact(other, "Jones", first_name="Jo", email="jo@acme.de")
    make_contact(keep, "Smith", first_name="Sam")
    meeting = make_activity(opportunity=deal, participants=[cast.alice])
    meeting.contacts.set([jo])
    make_activity(account=other, subject="Account review")
    make_note("Budget moves to Q3", author=cast.alice, account=other)
    make_note("Champion is Jo", author=cast.alice, opportunity=deal)
    make_commitment(other)
    ContactFlag.objects.create(contact=jo, reason="left_company", source="test")
    return keep, other


def test_merge_moves_every_link_and_unmerge_restores_every_row(
    cast: Cast, pair: tuple[Account, Account]
) -> None:
    keep, other = pair
    before = dump()
    record = merge("account", keep.pk, [other.pk], user=cast.alice)
    assert not Account.objects.filter(pk=other.pk).exists()
    assert set(Opportunity.objects.filter(account=keep).values_list("name", flat=True)) == {
        "Acme renewal",
        "Acme expansion",
    }
    assert Contact.objects.filter(account=keep).count() == 2
    assert Activity.objects.filter(account=keep).count() == 2
    assert Note.objects.filter(account=keep).count() == 1
    assert keep.commitments.count() == 1
    assert AccountDomain.objects.get(domain="acme.de").account_id == keep.pk
    survivor = Account.objects.get(pk=keep.pk)
    # The name comes from the most trusted source; empty fields take the other's values.
    assert survivor.name == "Acme GmbH"
    assert survivor.sector == "Retail" and survivor.employees == 900
    assert SourceAlias.objects.get(source="hubspot", external_id="77").target_id == keep.pk
    assert dump() != before

    unmerge(record.pk, user=cast.alice)
    assert dump() == before
    actions = list(MergeEvent.objects.filter(merge=record).values_list("action", flat=True))
    assert sorted(actions) == ["merged", "unmerged"]
    assert not SourceAlias.objects.exists()
    with pytest.raises(MergeError, match="already undone"):
        unmerge(record.pk, user=cast.alice)


def test_contacts_merge_sets_aside_a_colliding_link_and_puts_it_back(cast: Cast) -> None:
    account = make_account(cast.north, "Initech")
    a = make_contact(account, "Lumbergh", first_name="Bill", email="bill@initech.com")
    b = make_contact(account, "Lumbergh", first_name="William", status="deceased")
    meeting = make_activity(account=account)
    meeting.contacts.set([a, b])
    ContactFlag.objects.create(contact=a, reason="retired", source="test")
    ContactFlag.objects.create(contact=b, reason="retired", source="import")
    before = dump()
    flags_before = sorted(ContactFlag.objects.values_list("pk", "contact_id", "source"))
    record = merge("contact", a.pk, [b.pk], user=cast.alice)
    assert list(meeting.contacts.values_list("pk", flat=True)) == [a.pk]
    assert Contact.objects.get(pk=a.pk).status == "deceased"  # a death is never lost
    assert len(record.set_aside) == 2  # the meeting link and the second "retired" flag
    unmerge(record.pk, user=cast.alice)
    assert dump() == before
    assert sorted(ContactFlag.objects.values_list("pk", "contact_id", "source")) == flags_before


def test_merge_refuses_another_teams_account_and_bad_ids(cast: Cast) -> None:
    mine = make_account(cast.north, "Globex")
    theirs = make_account(cast.south, "Globex Corp")
    from presales.core.access import PermissionDenied

    with pytest.raises(PermissionDenied):
        merge("account", mine.pk, [theirs.pk], user=cast.alice)
    with pytest.raises(MergeError, match="No account with id 999999"):
        preview("account", mine.pk, [999999])
    with pytest.raises(MergeError, match="named once"):
        preview("account", mine.pk, [mine.pk])
    assert Account.objects.filter(pk=theirs.pk).exists()
    assert not Merge.objects.exists()
    # A steward (administrator) may.
    record = merge("account", mine.pk, [theirs.pk], user=cast.root)
    assert record.merged_by == cast.root


def test_a_later_merge_must_be_undone_first(cast: Cast) -> None:
    a, b, c = (make_account(cast.north, n) for n in ("Umbrella", "Umbrella Inc", "UMBRELLA"))
    first = merge("account", a.pk, [b.pk], user=cast.root)
    merge("account", a.pk, [c.pk], user=cast.root)
    with pytest.raises(MergeError, match="Undo merge"):
        unmerge(first.pk, user=cast.root)
