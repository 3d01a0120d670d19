"""Helpers the page views share: pagination that keeps the filters in its links, rendering a
full page or only its results for htmx, and the 403 page for access.PermissionDenied."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from presales.core import access
from presales.core.services import MAX_ID

if TYPE_CHECKING:
    from django.contrib.auth.models import _User as User


def page_of(request: HttpRequest, rows: QuerySet[Any], *, per_page: int | None = None) -> Page:
    paginator = Paginator(rows, per_page or settings.PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))


def query_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def render_list(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """Render the whole page, or only its results (``<name>_results.html``) for an htmx request."""
    context.setdefault("query", query_without_page(request))
    if request.headers.get("HX-Request") and not request.headers.get("HX-Boosted"):
        return render(request, template.replace(".html", "_results.html"), context)
    return render(request, template, context)


def current_user(request: HttpRequest) -> User:
    """The logged-in user; LoginRequiredMiddleware guarantees there is one on every page."""
    user = request.user
    assert isinstance(user, get_user_model())
    return user


def visible_or_404(request: HttpRequest, model: type[Model], pk: int) -> Any:
    obj = None
    if 0 < pk <= MAX_ID:
        obj = access.visible(request.user, model).filter(pk=pk).first()
    if obj is None:
        raise Http404(f"No {model._meta.verbose_name} with id {pk} that you can see.")
    return obj
