from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from presales.deals.models import Opportunity, StageChange
from presales.notes.models import Note
from presales.people.services import create_token
from tests.conftest import Cast, make_account, make_opportunity, make_product


def bearer(user: Any) -> dict[str, str]:
    _, plain = create_token(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


def call(method: str, path: str, auth: dict[str, str], body: Any = None) -> Any:
    client = Client()
    kwargs: dict[str, Any] = dict(auth)
    if body is not None:
        kwargs["data"] = json.dumps(body)
        kwargs["content_type"] = "application/json"
    return getattr(client, method)(path, **kwargs)


def test_api_refuses_requests_without_credentials_in_the_error_format(cast: Cast) -> None:
    response = Client().get("/api/opportunities")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_api_refuses_a_wrong_or_revoked_token(cast: Cast) -> None:
    from presales.people.services import revoke_token

    token, plain = create_token(user=cast.alice, name="x")
    assert call("get", "/api/me", {"HTTP_AUTHORIZATION": "Bearer psk_nope"}).status_code == 401
    assert call("get", "/api/me", {"HTTP_AUTHORIZATION": f"Bearer {plain}"}).json()["username"] == (
        "alice"
    )
    revoke_token(token=token)
    assert call("get", "/api/me", {"HTTP_AUTHORIZATION": f"Bearer {plain}"}).status_code == 401


def test_tokens_are_stored_only_as_digests(cast: Cast) -> None:
    token, plain = create_token(user=cast.alice, name="laptop")
    token.refresh_from_db()
    assert plain not in (token.digest, token.prefix)
    assert len(token.digest) == 64 and plain.startswith(token.prefix)


def test_list_shows_only_visible_deals_with_pagination_and_count(cast: Cast) -> None:
    account = make_account(cast.north, "Northco")
    for i in range(7):
        make_opportunity(account, name=f"N{i}")
    make_opportunity(make_account(cast.south), name="Hidden")
    page = call("get", "/api/opportunities?page_size=5", bearer(cast.alice)).json()
    assert page["count"] == 7
    assert len(page["items"]) == 5
    second = call("get", "/api/opportunities?page_size=5&page=2", bearer(cast.alice)).json()
    names = {d["name"] for d in page["items"]} | {d["name"] for d in second["items"]}
    assert names == {f"N{i}" for i in range(7)}


def test_list_filters_by_stage_and_words(cast: Cast) -> None:
    account = make_account(cast.north, "Northco")
    make_opportunity(account, name="Alpha upgrade", stage="demo")
    make_opportunity(account, name="Beta renewal", stage="won")
    demo = call("get", "/api/opportunities?stage=demo", bearer(cast.bob)).json()
    assert [d["name"] for d in demo["items"]] == ["Alpha upgrade"]
    words = call("get", "/api/opportunities?q=renewal", bearer(cast.bob)).json()
    assert [d["name"] for d in words["items"]] == ["Beta renewal"]
    closed = call("get", "/api/opportunities?open=false", bearer(cast.bob)).json()
    assert [d["name"] for d in closed["items"]] == ["Beta renewal"]


def test_a_deal_of_another_team_is_404_not_403(cast: Cast) -> None:
    hidden = make_opportunity(make_account(cast.south))
    response = call("get", f"/api/opportunities/{hidden.pk}", bearer(cast.alice))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert call("get", "/api/opportunities/999999", bearer(cast.root)).status_code == 404


def test_create_opportunity_records_its_first_stage_and_relations(cast: Cast) -> None:
    account = make_account(cast.north, "Northco")
    product = make_product()
    body = {
        "name": "Northco expansion",
        "account_id": account.pk,
        "stage": "discovery",
        "amount": "25000.50",
        "flavor": "opportunity",
        "product_ids": [product.pk],
        "sales_engineer_ids": [cast.alice.pk],
    }
    response = call("post", "/api/opportunities", bearer(cast.bob), body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["owner_id"] == cast.bob.pk  # a rep creating a deal owns it
    assert data["team_id"] == cast.north.pk
    assert data["product_ids"] == [product.pk]
    assert data["sales_engineer_ids"] == [cast.alice.pk]
    assert [h["to_stage"] for h in data["stage_history"]] == ["discovery"]


def test_patching_the_stage_appends_to_the_stage_history(cast: Cast) -> None:
    deal = make_opportunity(make_account(cast.north), stage="demo")
    response = call("patch", f"/api/opportunities/{deal.pk}", bearer(cast.alice), {"stage": "poc"})
    assert response.status_code == 200
    change = StageChange.objects.get(opportunity=deal)
    assert (change.from_stage, change.to_stage, change.changed_by) == ("demo", "poc", cast.alice)
    # Patching something else leaves the history alone.
    call("patch", f"/api/opportunities/{deal.pk}", bearer(cast.alice), {"amount": "5"})
    assert StageChange.objects.filter(opportunity=deal).count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "", "stage": "demo"}, "name"),
        ({"name": "X", "stage": "maybe"}, "stage"),
        ({"name": "X", "amount": "-3"}, "amount"),
        ({"name": "X", "amount": "lots"}, "amount"),
        ({"name": "X", "account_id": 987654}, "account_id"),
        ({"name": "X", "product_ids": [987654]}, "product_ids"),
        ({"name": "X", "close_date": "2026-13-45"}, "close_date"),
    ],
)
def test_invalid_input_is_422_with_the_field_named(
    cast: Cast, body: dict[str, Any], field: str
) -> None:
    response = call("post", "/api/opportunities", bearer(cast.bob), body)
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert field in {f["field"] for f in error["fields"]}
    assert Opportunity.objects.count() == 0


def test_malformed_json_is_a_clean_error_not_a_500(cast: Cast) -> None:
    client = Client(**bearer(cast.bob))
    response = client.post("/api/opportunities", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"


def test_linking_an_account_one_cannot_see_is_refused(cast: Cast) -> None:
    hidden = make_account(cast.south)
    response = call(
        "post", "/api/opportunities", bearer(cast.bob), {"name": "Sneaky", "account_id": hidden.pk}
    )
    assert response.status_code == 422
    assert "account_id" in response.content.decode()


def test_product_manager_cannot_change_a_deal(cast: Cast) -> None:
    deal = make_opportunity(make_account(cast.north), stage="demo")
    response = call("patch", f"/api/opportunities/{deal.pk}", bearer(cast.paula), {"stage": "won"})
    assert response.status_code == 403
    deal.refresh_from_db()
    assert deal.stage == "demo"


def test_session_writes_require_the_csrf_token(cast: Cast) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.bob)
    account = make_account(cast.north)
    response = client.post(
        "/api/notes",
        data=json.dumps({"body": "hello", "account_id": account.pk}),
        content_type="application/json",
    )
    assert response.status_code == 403
    client.get("/")  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/api/notes",
        data=json.dumps({"body": "hello", "account_id": account.pk}),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 201


def test_a_note_on_an_activity_inherits_its_deal_and_account(cast: Cast) -> None:
    from tests.conftest import make_activity

    deal = make_opportunity(make_account(cast.north))
    activity = make_activity(opportunity=deal, participants=[cast.alice])
    response = call(
        "post",
        "/api/notes",
        bearer(cast.alice),
        {"body": "SSO demo went well", "activity_id": activity.pk},
    )
    assert response.status_code == 201
    data = response.json()
    assert (data["opportunity_id"], data["account_id"]) == (deal.pk, deal.account_id)
    assert data["author_id"] == cast.alice.pk


def test_activity_that_ends_before_it_starts_is_refused(cast: Cast) -> None:
    body = {
        "subject": "Backwards",
        "starts_at": "2026-11-20T10:00:00Z",
        "ends_at": "2026-11-20T09:00:00Z",
        "account_id": make_account(cast.north).pk,
    }
    response = call("post", "/api/activities", bearer(cast.alice), body)
    assert response.status_code == 422
    assert "ends_at" in {f["field"] for f in response.json()["error"]["fields"]}


def test_activity_created_through_the_api_lists_its_creator_as_participant(cast: Cast) -> None:
    body = {
        "kind": "demo",
        "subject": "SSO demo",
        "starts_at": "2026-11-20T10:00:00Z",
        "ends_at": "2026-11-20T11:00:00Z",
        "account_id": make_account(cast.north).pk,
    }
    response = call("post", "/api/activities", bearer(cast.alice), body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["participant_ids"] == [cast.alice.pk]
    assert data["customer_facing"] is True
    listed = call("get", "/api/activities?kind=demo", bearer(cast.alice)).json()
    assert [a["subject"] for a in listed["items"]] == ["SSO demo"]


def test_openapi_docs_need_a_login(cast: Cast) -> None:
    assert Client().get("/api/docs").status_code == 302
    client = Client()
    client.force_login(cast.alice)
    schema = client.get("/api/openapi.json").json()
    assert "/api/opportunities" in schema["paths"]
    assert client.get("/api/docs").status_code == 200


def test_explicit_null_for_a_required_field_is_422_and_changes_nothing(cast: Cast) -> None:
    account = make_account(cast.north, "Northco", country="Kenya")
    response = call("patch", f"/api/accounts/{account.pk}", bearer(cast.bob), {"country": None})
    assert response.status_code == 422
    assert {f["field"] for f in response.json()["error"]["fields"]} == {"country"}
    account.refresh_from_db()
    assert account.country == "Kenya"


def test_ids_and_pages_beyond_any_row_are_404_or_422_not_500(cast: Cast) -> None:
    auth = bearer(cast.root)
    assert call("get", f"/api/accounts/{2**70}", auth).status_code == 404
    assert call("get", f"/api/opportunities?page={10**30}", auth).status_code == 422
    assert call("get", "/api/opportunities?page_size=100000", auth).status_code == 422
    body = {"name": "X", "product_ids": [2**70]}
    response = call("post", "/api/opportunities", auth, body)
    assert response.status_code == 422
    assert "product_ids" in {f["field"] for f in response.json()["error"]["fields"]}


def test_text_with_invalid_unicode_is_refused(cast: Cast) -> None:
    client = Client(**bearer(cast.bob))
    account = make_account(cast.north)
    raw = '{"body": "bad \\udb24 text", "account_id": ' + str(account.pk) + "}"
    response = client.post("/api/notes", data=raw, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"
    assert not Note.objects.exists()
