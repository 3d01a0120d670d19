from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import resolve_url

from presales.core import access

# Paths that answer without a session: the login page and static files. The API authenticates
# every operation itself (bearer token or session) and answers 401 in its own error format; its
# documentation pages need a login like any other page.
OPEN_PREFIXES = ("/login/", "/static/")
API_PREFIX = "/api/"
API_DOC_PATHS = ("/api/docs", "/api/openapi.json")


def _sends_bearer(request: HttpRequest) -> bool:
    return request.headers.get("Authorization", "").lower().startswith("bearer ")


class LoginRequiredMiddleware:
    """Every page requires a login; the API enforces its own authentication."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path
        if (
            request.user.is_authenticated
            or path.startswith(OPEN_PREFIXES)
            or (path.startswith(API_PREFIX) and not path.startswith(API_DOC_PATHS))
            # The OpenAPI description also answers to a token; docs_access checks it.
            or (path.startswith(API_DOC_PATHS) and _sends_bearer(request))
        ):
            return self.get_response(request)
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=401)
            response["HX-Redirect"] = resolve_url(settings.LOGIN_URL)
            return response
        return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)


class AccessDeniedMiddleware:
    """Pages answer 403 with the reason when a service refuses an action (access.require)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, access.PermissionDenied):
            return HttpResponseForbidden(str(exception))
        return None
