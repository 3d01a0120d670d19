"""Pages of the text service: search, a text with its labels, themes, similar deals."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from presales.accounts.access import accounts_for
from presales.core.pages import current_user, query_without_page, visible_or_404
from presales.deals.access import opportunities_for
from presales.deals.models import Opportunity
from presales.people.models import User
from presales.texts import embedding, services
from presales.texts.models import LABEL_VALUES, Label, Text
from presales.texts.sources import registered


def _day(raw: str, field: str, errors: dict[str, str]) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[field] = f"“{raw}” is not a date (use YYYY-MM-DD)."
        return None


def _start_of(day: date | None) -> datetime | None:
    return timezone.make_aware(datetime.combine(day, time.min)) if day else None


def _int(raw: str) -> int | None:
    return int(raw) if raw.isdigit() else None


def search(request: HttpRequest) -> HttpResponse:
    """Search everything the team wrote, by meaning and words, plus accounts and deals by name."""
    user = current_user(request)
    q = request.GET.get("q", "").strip()
    errors: dict[str, str] = {}
    after = _day(request.GET.get("from", ""), "from", errors)
    before = _day(request.GET.get("to", ""), "to", errors)
    filters: dict[str, Any] = {
        "account_id": _int(request.GET.get("account", "")),
        "opportunity_id": _int(request.GET.get("opportunity", "")),
        "author_id": _int(request.GET.get("author", "")),
        "kind": request.GET.get("kind", "") or None,
        "written_after": _start_of(after),
        "written_before": _start_of(before + timedelta(days=1)) if before else None,
    }
    context: dict[str, Any] = {
        "q": q,
        "params": request.GET,
        "kinds": [(s.kind, s.label) for s in registered()],
        "accounts": accounts_for(user).order_by("name").only("pk", "name")[:500],
        "authors": User.objects.filter(is_active=True).order_by("first_name", "username"),
        "deal": opportunities_for(user).filter(pk=filters["opportunity_id"]).first()
        if filters["opportunity_id"]
        else None,
        "meaning": embedding.available(),
        "coverage": services.meaning_coverage() if embedding.available() else None,
        "errors": errors,
        "query": query_without_page(request),
    }
    if q and not errors:
        per_page = settings.PAGE_SIZE
        page_number = max(_int(request.GET.get("page", "1")) or 1, 1)
        try:
            result = services.search_texts(
                actor=user,
                query=q,
                limit=per_page,
                offset=(page_number - 1) * per_page,
                **filters,
            )
        except ValidationError as exc:
            errors.update({k: " ".join(v) for k, v in exc.message_dict.items()})
        else:
            paginator = Paginator(range(result.total), per_page)
            context.update(result=result, page=paginator.get_page(page_number))
            if page_number == 1 and not any(filters.values()):
                context["named_accounts"] = (
                    accounts_for(user).filter(name__icontains=q).order_by("name")[:10]
                )
                context["named_deals"] = (
                    opportunities_for(user)
                    .filter(Q(name__icontains=q) | Q(account__name__icontains=q))
                    .select_related("account")
                    .order_by("-close_date")[:10]
                )
    return render(request, "texts/search.html", context)


def text_detail(request: HttpRequest, text_id: int) -> HttpResponse:
    """One text with its labels; a user corrects a label here."""
    user = current_user(request)
    text: Text = visible_or_404(request, Text, text_id)
    if request.method == "POST":
        try:
            services.correct_label(
                actor=user,
                text=text,
                label=request.POST.get("label", ""),
                value=request.POST.get("value", ""),
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, "Label corrected; similar texts learn from it.")
        return redirect("text_detail", text_id=text.pk)
    choices = [(label, Label(label).label, LABEL_VALUES[label]) for label in LABEL_VALUES]
    return render(
        request,
        "texts/text_detail.html",
        {
            "text": text,
            "choices": choices,
            "similar": services.similar_texts(actor=user, text=text, limit=5),
            "corrections": text.corrections.select_related("corrected_by"),
        },
    )


def themes(request: HttpRequest) -> HttpResponse:
    """Similar texts grouped into themes (e.g. loss reasons, product gaps) with counts."""
    scope = request.GET.get("scope", "all")
    kinds = {s.kind: s.label for s in registered()}
    kind = request.GET.get("kind", "")
    result = services.group_texts(
        actor=current_user(request), scope=scope, kind=kind if kind in kinds else None
    )
    return render(
        request,
        "texts/themes.html",
        {"result": result, "scopes": services.SCOPES, "kinds": kinds, "kind": kind},
    )


def similar_deals(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    """Fragment for the deal page: closed deals whose texts read like this deal's."""
    opportunity: Opportunity = visible_or_404(request, Opportunity, opportunity_id)
    result = services.similar_deals(actor=current_user(request), opportunity=opportunity)
    return render(request, "texts/similar_deals.html", {"result": result, "deal": opportunity})
