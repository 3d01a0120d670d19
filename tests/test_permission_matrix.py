"""The permission matrix: every API operation (from the OpenAPI description) and every page URL
pattern (from the resolver), for every role, against objects of the user's team ("own"),
another team ("other") and another team's deal on an account both teams work ("shared").

Path parameters are filled from ``PARAMS`` (parameter name -> object kind of the scope), the
outcome is read from ``API`` or ``PAGES`` (operation -> expected status per role and scope), all
three in tests/matrix_rules.py. A new endpoint, page or parameter name without an entry fails
the test: write its rule there.

The data (tests/matrix_world.py) is built once per module inside a transaction that is rolled
back at the end; each request runs in a savepoint rolled back after it, so every cell sees the
same data and one request is made per cell.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from presales.api import api
from tests.matrix_rules import API, NOT_PAGES, PAGES, PARAMS, SCOPES, S
from tests.matrix_world import ROLES, build

# Marked so that pytest-django creates the test database; the data itself is the module's.
pytestmark = pytest.mark.django_db


def operations() -> list[tuple[str, str, int]]:
    """(METHOD, path template, success status) of every API operation."""
    schema = api.get_openapi_schema()
    out = []
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            codes = sorted(int(c) for c in op["responses"] if str(c).startswith("2"))
            out.append((method.upper(), path, codes[0] if codes else 200))
    return out


def pages() -> list[tuple[str, str]]:
    """(URL name, route) of every page pattern outside the admin and the API."""
    found: list[tuple[str, str]] = []

    def walk(patterns: Any, prefix: str) -> None:
        for p in patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                if route.startswith(("admin/", "api/")):
                    continue
                walk(p.url_patterns, route)
            elif isinstance(p, URLPattern):
                found.append((p.name or route, route))

    walk(get_resolver().url_patterns, "")
    return found


def fill(template: str, objects: S, style: str) -> str | None:
    """The path with its parameters filled from ``objects``; None when the scope has no
    object of a kind it names (South's team settings have no "shared" variant)."""
    pattern = r"\{(\w+)\}" if style == "api" else r"<(?:\w+:)?(\w+)>"
    missing = False

    def value(m: re.Match[str]) -> str:
        nonlocal missing
        kind = PARAMS[m.group(1)]
        if kind.startswith("="):
            return kind[1:]
        obj = objects.get(kind)
        if obj is None:
            missing = True
            return "0"
        return str(obj.pk)

    path = re.sub(pattern, value, template)
    return None if missing else path


def test_every_operation_page_and_parameter_has_a_rule() -> None:
    ops = {f"{m} {p}" for m, p, _ in operations()}
    assert sorted(ops - set(API)) == [], "API operations without an expectation"
    assert sorted(set(API) - ops) == [], "expectations for operations that no longer exist"
    names = {name for name, _ in pages()} - NOT_PAGES
    assert sorted(names - set(PAGES)) == [], "pages without an expectation"
    assert sorted(set(PAGES) - names) == [], "expectations for pages that no longer exist"
    params = set(re.findall(r"\{(\w+)\}", " ".join(ops)))
    params |= {p for _, route in pages() for p in re.findall(r"<(?:\w+:)?(\w+)>", route)}
    assert sorted(params - set(PARAMS)) == [], "path parameters with no object kind"


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[S]:
    with django_db_blocker.unblock(), transaction.atomic():
        yield build()
        transaction.set_rollback(True)


def _request(client: Client, method: str, path: str, body: Any, auth: dict[str, str]) -> int:
    kwargs: dict[str, Any] = dict(auth)
    if body is not None or method in ("POST", "PUT", "PATCH"):
        kwargs["data"] = json.dumps(body if body is not None else {})
        kwargs["content_type"] = "application/json"
    with transaction.atomic():
        status = getattr(client, method.lower())(path, **kwargs).status_code
        transaction.set_rollback(True)
    return int(status)


def _scopes(template: str) -> tuple[str, ...]:
    return SCOPES if "{" in template or "<" in template else ("own",)


@pytest.mark.parametrize("role", ROLES)
def test_api_matrix(world: S, role: str) -> None:
    client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {world['tokens'][role]}"}
    wrong = []
    for method, template, success in operations():
        expect, body, query = API[f"{method} {template}"]
        for scope in _scopes(template):
            objects = world["scopes"][scope]
            path = fill(template, objects, "api")
            if path is None:
                continue
            want = expect(role, scope) or success
            data = body(objects, world) if body is not None else None
            query = query.format(team=objects["team"].pk, user=objects["user"].pk) if query else ""
            got = _request(client, method, path + (f"?{query}" if query else ""), data, auth)
            if got != want:
                wrong.append(f"{method} {template} [{scope}] {got}, expected {want}")
    assert wrong == [], f"{role}: " + "\n".join(wrong)


def test_api_answers_401_without_credentials(world: S) -> None:
    client = Client()
    wrong = []
    for method, template, _ in operations():
        path = fill(template, world["scopes"]["own"], "api")
        assert path is not None
        got = _request(client, method, path, None, {})
        if got != 401:
            wrong.append(f"{method} {template} {got}")
    assert wrong == []


@pytest.mark.parametrize("role", ROLES)
def test_page_matrix(world: S, role: str) -> None:
    client = Client()
    client.force_login(world["users"][role])
    wrong = []
    for name, route in pages():
        if name in NOT_PAGES:
            continue
        expect, query = PAGES[name]
        for scope in _scopes(route):
            path = fill("/" + route, world["scopes"][scope], "page")
            if path is None:
                continue
            want = expect(role, scope) or 200
            got = _request(client, "GET", path + (f"?{query}" if query else ""), None, {})
            if got != want:
                wrong.append(f"{name} [{scope}] {got}, expected {want}")
    assert wrong == [], f"{role}: " + "\n".join(wrong)


def test_pages_send_the_anonymous_to_the_login(world: S) -> None:
    client = Client()
    wrong = []
    for name, route in pages():
        if name in NOT_PAGES:
            continue
        path = fill("/" + route, world["scopes"]["own"], "page")
        assert path is not None
        response = client.get(path)
        if response.status_code != 302 or "/login/" not in response["Location"]:
            wrong.append(f"{name} {response.status_code}")
    assert wrong == []
