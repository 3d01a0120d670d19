"""Personal API tokens: expiry, last use (written after the response, once a minute at most),
listing and revoking through the API, the page and the CLI handlers; the OpenAPI description
answers to a token."""

from __future__ import annotations

import argparse
import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from presales.people.commands_tokens import cmd_token_create, cmd_token_list, cmd_token_revoke
from presales.people.models import ApiToken
from presales.people.services import (
    create_token,
    record_token_uses,
    revoke_token,
    user_for_token,
)
from tests.conftest import Cast


def as_token(plain: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


def logged_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_a_token_expires_after_90_days_by_default_and_is_then_refused(cast: Cast) -> None:
    token, plain = create_token(user=cast.alice, name="laptop")
    assert token.expires_at is not None
    assert abs((token.expires_at - timezone.now()) - timedelta(days=90)) < timedelta(minutes=1)
    assert Client().get("/api/me", **as_token(plain)).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = Client().get("/api/me", **as_token(plain))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_expiry_is_chosen_at_creation_and_bounded(cast: Cast) -> None:
    short, _ = create_token(user=cast.alice, name="short", expires_in_days=7)
    assert short.expires_at is not None
    assert (short.expires_at - timezone.now()).days in {6, 7}
    forever, _ = create_token(user=cast.alice, name="forever", expires_in_days=None)
    assert forever.expires_at is None
    response = logged_in(cast.alice).post(
        "/api/tokens",
        json.dumps({"name": "x", "expires_in_days": 0}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["field"] == "expires_in_days"


def test_reading_with_a_token_writes_nothing_during_the_request(cast: Cast) -> None:
    token, plain = create_token(user=cast.alice, name="script")
    with CaptureQueriesContext(connection) as queries:
        assert user_for_token(plain) == cast.alice
    assert all(q["sql"].lstrip().upper().startswith("SELECT") for q in queries.captured_queries)
    token.refresh_from_db()
    assert token.last_used_at is None
    assert record_token_uses() == 1
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_last_use_is_recorded_after_the_response_at_most_once_a_minute(cast: Cast) -> None:
    token, plain = create_token(user=cast.alice, name="script")
    client = Client()
    with CaptureQueriesContext(connection) as queries:
        for _ in range(5):
            assert client.get("/api/me", **as_token(plain)).status_code == 200
    updates = [q for q in queries.captured_queries if "UPDATE" in q["sql"].upper()]
    assert len(updates) == 1
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    client.get("/api/me", **as_token(plain))
    token.refresh_from_db()
    assert token.last_used_at is not None and token.last_used_at > first - timedelta(minutes=1)


def test_people_list_and_revoke_their_own_tokens_and_an_admin_anyones(cast: Cast) -> None:
    alice = logged_in(cast.alice)
    made = alice.post(
        "/api/tokens", json.dumps({"name": "ci job"}), content_type="application/json"
    )
    assert made.status_code == 201
    plain = made.json()["token"]
    assert plain.startswith("psk_") and made.json()["status"] == "active"
    bobs, bob_plain = create_token(user=cast.bob, name="bob's")
    listed = alice.get("/api/tokens").json()
    assert [t["name"] for t in listed["items"]] == ["ci job"]
    assert "token" not in listed["items"][0]
    assert alice.post(f"/api/tokens/{bobs.pk}/revoke").status_code == 404
    mine = listed["items"][0]["id"]
    revoked = alice.post(f"/api/tokens/{mine}/revoke")
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    assert Client().get("/api/me", **as_token(plain)).status_code == 401

    root = logged_in(cast.root)
    everyone = root.get("/api/tokens").json()
    assert {t["name"] for t in everyone["items"]} == {"ci job", "bob's"}
    only_bob = root.get(f"/api/tokens?user_id={cast.bob.pk}").json()
    assert [t["name"] for t in only_bob["items"]] == ["bob's"]
    assert root.post(f"/api/tokens/{bobs.pk}/revoke").status_code == 200
    assert Client().get("/api/me", **as_token(bob_plain)).status_code == 401


def test_the_tokens_page_makes_one_shows_it_once_and_revokes_it(cast: Cast) -> None:
    alice = logged_in(cast.alice)
    empty = alice.get("/tokens/").content.decode()
    assert "No tokens yet" in empty
    made = alice.post("/tokens/", {"name": "laptop", "expires_in_days": "30"})
    page = made.content.decode()
    token = ApiToken.objects.get(user=cast.alice)
    plain = page.split('<code class="token">')[1].split("</code>")[0]
    assert plain.startswith(token.prefix)
    assert "shown this once" in page and "not yet" in page
    Client().get("/api/me", **as_token(plain))
    again = alice.get("/tokens/").content.decode()
    assert plain not in again
    assert "laptop" in again and "not yet" not in again
    revoked = alice.post(f"/tokens/{token.pk}/revoke/", follow=True).content.decode()
    assert "is revoked" in revoked and "revoked" in revoked
    assert Client().get("/api/me", **as_token(plain)).status_code == 401
    refused = alice.post("/tokens/", {"name": "  ", "expires_in_days": "30"})
    assert refused.status_code == 422 and "A token needs a name." in refused.content.decode()


def test_openapi_description_answers_to_a_token(cast: Cast) -> None:
    _, plain = create_token(user=cast.alice, name="client")
    response = Client().get("/api/openapi.json", **as_token(plain))
    assert response.status_code == 200
    assert "/api/opportunities" in response.json()["paths"]
    wrong = Client().get("/api/openapi.json", HTTP_AUTHORIZATION="Bearer psk_wrong")
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "unauthenticated"
    assert Client().get("/api/openapi.json")["Location"].startswith("/login/")


def test_cli_lists_and_revokes_tokens(cast: Cast, capsys: pytest.CaptureFixture[str]) -> None:
    args = argparse.Namespace(name="alice", label="nightly", expires_days=10)
    assert cmd_token_create(args) == 0
    token = ApiToken.objects.get(name="nightly")
    assert cmd_token_list(argparse.Namespace(user="", all=False, json=True)) == 0
    listed = json.loads(capsys.readouterr().out.split("\n", 1)[1] or "[]")
    assert [(t["user"], t["name"], t["status"]) for t in listed] == [("alice", "nightly", "active")]
    assert cmd_token_revoke(argparse.Namespace(token=token.prefix + "…")) == 0
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert cmd_token_list(argparse.Namespace(user="", all=False, json=True)) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert cmd_token_revoke(argparse.Namespace(token="psk_nothere")) == 2
    assert cmd_token_list(argparse.Namespace(user="nobody", all=True, json=False)) == 2


def test_revoking_someone_elses_token_needs_an_administrator(cast: Cast) -> None:
    from presales.core.access import PermissionDenied

    token, _ = create_token(user=cast.bob, name="bob's")
    with pytest.raises(PermissionDenied):
        revoke_token(token=token, by=cast.alice)
    assert revoke_token(token=token, by=cast.root).revoked_at is not None
