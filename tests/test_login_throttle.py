"""Password guessing is throttled by user name and by address, with a clear message and an
administrator's unlock (django-axes through presales.people.auth)."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from tests.conftest import PASSWORD, Cast


def attempt(username: str, password: str, address: str = "10.0.0.1") -> tuple[int, str]:
    response = Client(REMOTE_ADDR=address).post(
        "/login/", {"username": username, "password": password}
    )
    return response.status_code, response.content.decode()


def guess_until_locked(username: str, address: str = "10.0.0.1") -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(username, "wrong guess", address)


def test_wrong_passwords_lock_the_user_name_even_for_the_right_password(cast: Cast) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        status, body = attempt("alice", "wrong guess")
        assert status == 200 and "did not match" in body
    status, body = attempt("alice", "wrong guess")
    assert status == 429
    assert "Too many failed log-ins" in body
    assert f"paused for {settings.LOGIN_LOCKOUT_MINUTES} minutes" in body
    # The right password from another address is refused too: the user name is locked.
    status, body = attempt("alice", PASSWORD, address="10.9.9.9")
    assert status == 429 and "ask an administrator to unlock" in body


def test_an_address_that_guesses_many_names_is_locked_for_every_name(cast: Cast) -> None:
    names = ["nobody1", "nobody2", "nobody3", "nobody4", "nobody5", "nobody6"]
    for name in names[: settings.AXES_FAILURE_LIMIT]:
        attempt(name, "wrong guess", address="10.0.0.66")
    status, _ = attempt("bob", PASSWORD, address="10.0.0.66")
    assert status == 429
    # Bob from his own address is not affected.
    status, _ = attempt("bob", PASSWORD, address="10.0.0.7")
    assert status == 302


def test_a_success_before_the_limit_starts_the_count_again(cast: Cast) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt("alice", "wrong guess")
    assert attempt("alice", PASSWORD)[0] == 302
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt("alice", "wrong guess")
    assert attempt("alice", PASSWORD)[0] == 302


def test_an_administrator_unlocks_a_user_in_the_admin_site(cast: Cast) -> None:
    guess_until_locked("alice")
    assert attempt("alice", PASSWORD)[0] == 429
    admin = Client()
    admin.force_login(cast.root)
    listing = admin.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200 and "alice" in listing.content.decode()
    ids = [str(pk) for pk in AccessAttempt.objects.values_list("pk", flat=True)]
    done = admin.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
    )
    assert done.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert attempt("alice", PASSWORD)[0] == 302


def test_the_reset_command_unlocks_a_user_name(cast: Cast) -> None:
    guess_until_locked("alice")
    call_command("axes_reset_username", "alice")
    # A fresh address: the address lock of the guesses above is a separate count.
    assert attempt("alice", PASSWORD, address="10.0.0.2")[0] == 302


@pytest.mark.parametrize("proxy", [False, True])
def test_behind_a_proxy_the_address_is_the_one_the_proxy_added(
    proxy: bool, settings: pytest.FixtureRequest
) -> None:
    from django.test import RequestFactory

    from presales.people.auth import client_address

    settings.BEHIND_PROXY = proxy  # type: ignore[attr-defined]
    request = RequestFactory().get(
        "/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9"
    )
    assert client_address(request) == ("203.0.113.9" if proxy else "127.0.0.1")
