"""Log-in throttling: failed passwords are counted by user name and by address (django-axes).

A user name that failed ``PRESALES_LOGIN_FAILURE_LIMIT`` times in a row is locked for
``PRESALES_LOGIN_LOCKOUT_MINUTES`` whatever address it is tried from, and so is an address that
failed that often whatever user names it tried. A locked attempt is refused before the password
is hashed, so guessers cannot tie up the server's CPU either. An administrator unlocks at once
in the admin site (Axes → Access attempts: delete the rows) or with
``presales manage axes_reset_username NAME`` / ``axes_reset_ip ADDRESS`` / ``axes_reset``.
"""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


class LoginThrottleBackend(AxesStandaloneBackend):
    """Refuses a log-in from a locked user name or address; checks no password itself.

    A call without a request (the test client, a shell) is not a guess over the network, so it
    is left to the next backend instead of failing.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        super().authenticate(request, username=username, password=password, **kwargs)
        return None


def client_address(request: HttpRequest) -> str:
    """The address a request came from. Behind a proxy (``PRESALES_BEHIND_PROXY``) that is the
    last ``X-Forwarded-For`` entry, the one the proxy itself added; earlier entries are whatever
    the client claimed and are not trusted."""
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if forwarded[-1].strip():
            return forwarded[-1].strip()
    return str(request.META.get("REMOTE_ADDR", ""))


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any = None
) -> HttpResponse:
    """The log-in page again, saying why and until when, with 429 Too Many Requests."""
    minutes = settings.LOGIN_LOCKOUT_MINUTES
    response = render(
        request,
        "registration/locked_out.html",
        {"lockout_minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT},
        status=429,
    )
    response["Retry-After"] = str(minutes * 60)
    return response
