"""Customer intelligence end to end: the finder over the database, its queue, merging from
the page and undoing it, the CLI contract, imports after a merge, data quality, up-sell."""

from __future__ import annotations

import json
import shutil
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from presales.accounts.models import Account, AccountDomain, Asset, Contact
from presales.cli import main
from presales.deals.models import Opportunity, Stage
from presales.imports.services import run_import
from presales.intelligence import synthetic
from presales.intelligence.dedupe import clusters_json, find_duplicates
from presales.intelligence.models import (
    AccountAddress,
    ContactFlag,
    Correction,
    DedupeRun,
    DuplicatePair,
    Merge,
)
from presales.intelligence.quality import account_scores, suggest_flags
from tests.conftest import (
    PASSWORD,
    Cast,
    make_account,
    make_contact,
    make_opportunity,
    make_product,
)

pytestmark = pytest.mark.django_db
SALESFORCE = Path(__file__).parent / "fixtures" / "imports" / "salesforce"


def login(client: Client, user: Any) -> Client:
    assert client.login(username=user.username, password=PASSWORD)
    return client


def base(cast: Cast, n: int = 300) -> dict[int, int]:
    """``n`` synthetic accounts of team North with 5% duplicates; returns id -> entity."""
    entity_of: dict[int, int] = {}
    first_of: dict[int, int] = {}
    for _, fields, entity in synthetic.accounts(n, seed=3):
        account = make_account(cast.north, fields["name"], country=fields["country"])
        AccountAddress.objects.create(
            account=account,
            street=fields["street"],
            postal_code=fields["postal_code"],
            city=fields["city"],
            phone=fields["phone"],
            website=fields["domain"],
        )
        entity_of[account.pk] = entity
        first_of.setdefault(entity, account.pk)
    return entity_of


def test_finder_keeps_pairs_with_reasons_and_every_account_in_one_cluster(cast: Cast) -> None:
    entity_of = base(cast)
    outcome = find_duplicates("account", threshold=0.9, user=cast.root)
    data = clusters_json("account", outcome.result)
    members = [m["id"] for c in data["clusters"] for m in c["members"]]
    assert len(members) == len(set(members))
    right = sum(1 for c in data["clusters"] if len({entity_of[m["id"]] for m in c["members"]}) == 1)
    assert right / len(data["clusters"]) >= 0.95
    assert len(data["clusters"]) >= 12  # 15 duplicates were planted
    cluster = data["clusters"][0]
    assert set(cluster) == {"probability", "members"}
    assert set(cluster["members"][0]) == {"id", "source", "external_id", "name"}
    pair = DuplicatePair.objects.filter(status="open").first()
    assert pair is not None and pair.reasons
    assert {r["field"] for r in pair.reasons} >= {"name", "domain", "phone", "postal_code"}
    assert outcome.run.records == 300 and outcome.run.pairs >= 12


def test_a_steward_reviews_merges_and_undoes_from_the_pages(cast: Cast, client: Client) -> None:
    keep = make_account(cast.north, "Hooli Inc", source="salesforce", external_id="001H")
    other = make_account(cast.north, "HOOLI", source="hubspot", external_id="H9")
    make_opportunity(other, owner=cast.bob, name="Hooli platform deal")
    pair = DuplicatePair.objects.create(
        run=DedupeRun.objects.create(kind="account", threshold=0.9),
        kind="account",
        left_id=keep.pk,
        right_id=other.pk,
        probability=0.987,
        reasons=[{"field": "name", "level": "Exact match on name", "weight": 9.5}],
    )
    login(client, cast.alice)
    listing = client.get("/intelligence/duplicates/?kind=account").content.decode()
    assert "Hooli Inc" in listing and "0.987" in listing and "name +9.5" in listing
    page = client.get(f"/intelligence/duplicates/{pair.pk}/").content.decode()
    assert "Exact match on name" in page and "1 opportunities" in page and "Merge" in page
    done = client.post(f"/intelligence/duplicates/{pair.pk}/merge/", {"keep": "left"})
    assert done.status_code == 302
    assert Opportunity.objects.get(name="Hooli platform deal").account_id == keep.pk
    record = Merge.objects.get()
    merges = client.get("/intelligence/merges/").content.decode()
    assert "Hooli Inc" in merges and "Unmerge" in merges
    client.post(f"/intelligence/merges/{record.pk}/undo/")
    assert Opportunity.objects.get(name="Hooli platform deal").account_id == other.pk
    assert DuplicatePair.objects.get(pk=pair.pk).status == "open"
    # Carol (team South) neither sees the pair nor may undo.
    client.logout()
    login(client, cast.carol)
    assert client.get(f"/intelligence/duplicates/{pair.pk}/").status_code == 404
    assert client.post(f"/intelligence/merges/{record.pk}/undo/").status_code == 404


def test_cli_contract_merge_and_unmerge(cast: Cast, capsys: pytest.CaptureFixture[str]) -> None:
    base(cast, 200)
    assert main(["dedupe", "accounts", "--json", "--threshold", "0.9"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["clusters"] and all(len(c["members"]) >= 2 for c in data["clusters"])
    survivor, other = (m["id"] for m in data["clusters"][0]["members"][:2])
    assert main(["merge", "accounts", str(survivor), str(other)]) == 0
    said = capsys.readouterr().out
    merge_id = Merge.objects.get().pk
    assert f"presales unmerge {merge_id}" in said
    assert not Account.objects.filter(pk=other).exists()
    assert main(["unmerge", str(merge_id)]) == 0
    assert Account.objects.filter(pk=other).exists()
    assert main(["unmerge", str(merge_id)]) == 2
    assert "already undone" in capsys.readouterr().err
    assert main(["dedupe", "accounts", "--threshold", "1.5"]) == 2


def test_a_later_import_updates_the_survivor_instead_of_recreating(
    cast: Cast, tmp_path: Path
) -> None:
    shutil.copy(SALESFORCE / "Account.csv", tmp_path / "Account.csv")
    run_import(kind="salesforce", paths=[tmp_path / "Account.csv"])
    globex = Account.objects.get(name="Globex")
    mine = make_account(None, "Globex AG")
    from presales.intelligence.merging import merge

    merge("account", mine.pk, [globex.pk], user=cast.root)
    text = (tmp_path / "Account.csv").read_text(encoding="utf-8-sig")
    (tmp_path / "Account.csv").write_text(text.replace("Globex,", "Globex Group,"), "utf-8")
    result = run_import(kind="salesforce", paths=[tmp_path / "Account.csv"])
    assert result.counts["account"]["updated"] == 1
    assert not Account.objects.filter(external_id="0015e00000GlObxAAF").exists()
    assert Account.objects.get(pk=mine.pk).name == "Globex Group"
    assert Account.objects.count() == 2


def test_rules_suggest_flags_and_confirming_keeps_the_contact_out(
    cast: Cast, client: Client
) -> None:
    account = make_account(cast.north, "Vandelay Industries", sector="Import")
    AccountDomain.objects.create(account=account, domain="vandelay.com")
    moved = make_contact(account, "Costanza", first_name="George", email="george@kramerica.com")
    retired = make_contact(account, "Vandelay", first_name="Art", title="Retired CFO")
    old = make_contact(account, "Seinfeld", first_name="Jerry", email="jerry@vandelay.com")
    Contact.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=500))
    dead = make_contact(account, "Newman", status="deceased")
    assert suggest_flags() == 4 + 0  # moved, retired, quiet, imported marker
    assert suggest_flags() == 0  # never twice
    reasons = dict(ContactFlag.objects.values_list("contact_id", "reason"))
    assert reasons[moved.pk] == "left_company" and reasons[retired.pk] == "retired"
    assert reasons[old.pk] == "no_touch" and reasons[dead.pk] == "deceased"
    login(client, cast.alice)
    page = client.get("/intelligence/quality/").content.decode()
    assert "kramerica.com" in page and "Vandelay Industries" in page
    flag = ContactFlag.objects.get(contact=moved)
    client.post(f"/intelligence/flags/{flag.pk}/confirm/")
    assert Contact.objects.get(pk=moved.pk).status == "left_company"
    account_page = client.get(f"/intelligence/accounts/{account.pk}/").content.decode()
    assert "Left out of plans and exports: Left the company" in account_page
    scores = {s.account.pk: s for s in account_scores(cast.alice)}
    assert scores[account.pk].score < 100
    assert any("waiting for a decision" in r for r in scores[account.pk].reasons)


def test_anyone_suggests_a_correction_and_the_team_accepts(cast: Cast, client: Client) -> None:
    account = make_account(cast.south, "Pied Piper")
    make_opportunity(account, team=cast.north, owner=cast.bob)  # North sees it (a shared deal)
    login(client, cast.alice)
    client.post(
        f"/intelligence/accounts/{account.pk}/corrections/",
        {"field": "employees", "value": "many"},
    )
    assert not Correction.objects.exists()  # refused: not a number
    client.post(
        f"/intelligence/accounts/{account.pk}/corrections/", {"field": "sector", "value": "Media"}
    )
    correction = Correction.objects.get()
    assert client.post(f"/intelligence/corrections/{correction.pk}/accept/").status_code == 403
    client.logout()
    login(client, cast.carol)
    client.post(f"/intelligence/corrections/{correction.pk}/accept/")
    assert Account.objects.get(pk=account.pk).sector == "Media"


def test_upsell_counts_comparable_customers_with_an_interval(
    cast: Cast, capsys: pytest.CaptureFixture[str]
) -> None:
    vault, edge = make_product("Vault"), make_product("Edge")
    me = make_account(cast.north, "Target", sector="Banking", size="large")
    peers = [
        make_account(cast.north, f"Bank {i}", sector="Banking", size="large") for i in range(8)
    ]
    for peer in peers[:6]:
        Asset.objects.create(account=peer, product=vault, name="Vault", quantity=Decimal(3))
    Asset.objects.create(account=me, product=edge, name="Edge", quantity=Decimal(2))
    won = make_opportunity(me, stage=Stage.WON, name="Edge deal")
    won.products.add(edge)
    assert main(["upsell", str(me.pk), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [o["product"] for o in data["owns"]] == ["Edge", "Edge"]
    vault_row = next(s for s in data["suggestions"] if s["product"] == "Vault")
    assert (vault_row["owners"], vault_row["peers"]) == (6, 8)
    assert 0.4 < vault_row["low"] < 0.75 < vault_row["high"] <= 1
    assert not vault_row["too_few_to_tell"]
    lonely = make_account(cast.north, "Lonely", sector="Mining", size="small")
    assert main(["upsell", str(lonely.pk), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert all(s["too_few_to_tell"] for s in data["suggestions"])


def test_api_lists_pairs_and_refuses_a_merge_with_a_clear_error(cast: Cast, client: Client) -> None:
    a = make_account(cast.north, "Massive Dynamic")
    login(client, cast.alice)
    answer = client.post(
        "/api/intelligence/merges",
        {"kind": "account", "survivor_id": a.pk, "other_ids": [a.pk]},
        content_type="application/json",
    )
    assert answer.status_code == 422
    assert "named once" in answer.json()["error"]["fields"][0]["message"]
    assert client.get("/api/intelligence/duplicates?kind=nonsense").status_code == 422
    assert client.get("/api/intelligence/duplicates?kind=account").json()["items"] == []


def test_the_planner_shows_what_the_customer_owns_and_who_is_left_out(
    cast: Cast, client: Client
) -> None:
    from tests.conftest import make_activity

    account = make_account(cast.north, "Kramerica")
    Asset.objects.create(
        account=account, product=make_product("Vault"), name="Vault", quantity=Decimal(12)
    )
    gone = make_contact(account, "Newman", first_name="Newman")
    ContactFlag.objects.create(
        contact=gone, reason="deceased", status="confirmed", source="import: salesforce"
    )
    Contact.objects.filter(pk=gone.pk).update(status="deceased")
    meeting = make_activity(account=account, participants=[cast.alice])
    meeting.contacts.set([gone])
    login(client, cast.alice)
    page = client.get(f"/meetings/{meeting.pk}/plan/").content.decode()
    assert "What the customer already bought from us" in page and "Vault × 12" in page
    assert "Newman Newman: Deceased (import: salesforce," in page
    detail = client.get(f"/accounts/{account.pk}/").content.decode()
    assert f"/intelligence/accounts/{account.pk}/" in detail
