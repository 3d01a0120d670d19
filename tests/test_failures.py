"""Never a 500 for the client's or the moment's failures: numbers beyond any id, bodies over
the limit, a database locked by another writer."""

from __future__ import annotations

import json
import sqlite3

import pytest
from django.db import connection
from django.test import Client

from presales.notes.models import Note
from presales.people.services import create_token
from tests.conftest import Cast, make_account

BIG = str(2**63)


def token_client(user: object) -> dict[str, str]:
    _, plain = create_token(user=user, name="t")  # type: ignore[arg-type]
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


@pytest.mark.parametrize(
    ("path", "field"),
    [
        (f"/api/scorecards/goals?owner_id={BIG}", "owner_id"),
        (f"/api/incentives/buckets?owner_id={BIG}", "owner_id"),
        (f"/api/activities?account_id={BIG}", "account_id"),
    ],
)
def test_an_out_of_range_number_in_the_api_is_422_naming_it(
    cast: Cast, path: str, field: str
) -> None:
    response = Client().get(path, **token_client(cast.root))
    assert response.status_code == 422, response.content
    fields = response.json()["error"]["fields"]
    assert field in {f["field"] for f in fields} or fields[0]["field"] == field


@pytest.mark.parametrize(
    "path",
    [
        f"/activities/?account={BIG}",
        f"/commitments/?account={BIG}",
        f"/accounts/?region={BIG}",
        f"/accounts/{BIG}/",
    ],
)
def test_an_out_of_range_number_in_a_page_address_is_404(cast: Cast, path: str) -> None:
    client = Client()
    client.force_login(cast.root)
    assert client.get(path).status_code == 404


def test_a_body_over_the_limit_is_413_in_the_api_error_shape(cast: Cast) -> None:
    account = make_account(cast.north)
    body = json.dumps({"body": "x" * 3_000_000, "account_id": account.pk})
    response = Client().post(
        "/api/notes", body, content_type="application/json", **token_client(cast.alice)
    )
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "too_large" and "2 MB" in error["message"]
    assert not Note.objects.exists()


def test_a_writer_that_finds_the_database_locked_gets_503_with_retry_after(
    transactional_db: None, cast: Cast
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's writer lock")
    account = make_account(cast.north)
    auth = token_client(cast.alice)
    name = connection.settings_dict["NAME"]
    other = sqlite3.connect(name, uri=name.startswith("file:"), timeout=0)
    other.execute("BEGIN IMMEDIATE")
    other.execute("UPDATE accounts_account SET name = name")
    try:
        response = Client().post(
            "/api/notes",
            json.dumps({"body": "Sent the SOC 2 report", "account_id": account.pk}),
            content_type="application/json",
            **auth,
        )
    finally:
        other.rollback()
        other.close()
    assert response.status_code == 503, response.content
    assert response["Retry-After"] == "5"
    assert response.json()["error"]["code"] == "busy"
    assert "nothing was changed" in response.json()["error"]["message"]
    again = Client().post(
        "/api/notes",
        json.dumps({"body": "Sent the SOC 2 report", "account_id": account.pk}),
        content_type="application/json",
        **auth,
    )
    assert again.status_code == 201
    assert Note.objects.count() == 1
