from __future__ import annotations

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from presales.accounts.access import accounts_for
from presales.accounts.models import Account
from presales.activities.access import activities_for
from presales.core import access
from presales.core.pages import page_of, render_list, visible_or_404
from presales.deals.access import opportunities_for
from presales.deals.models import OPEN_STAGES
from presales.meetings.access import commitments_for
from presales.notes.access import notes_for
from presales.people.models import Region


def account_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    sector = request.GET.get("sector", "").strip()
    region = request.GET.get("region", "").strip()
    rows = accounts_for(request.user).select_related("region", "team")
    if q:
        rows = rows.filter(name__icontains=q)
    if sector:
        rows = rows.filter(sector=sector)
    if region.isdigit():
        rows = rows.filter(region_id=int(region))
    rows = rows.annotate(
        open_deals=Count("opportunities", filter=Q(opportunities__stage__in=OPEN_STAGES))
    ).order_by("name", "id")
    sectors = (
        accounts_for(request.user)
        .exclude(sector="")
        .values_list("sector", flat=True)
        .distinct()
        .order_by("sector")
    )
    return render_list(
        request,
        "accounts/account_list.html",
        {
            "page": page_of(request, rows),
            "q": q,
            "sector": sector,
            "region": region,
            "sectors": list(sectors),
            "regions": Region.objects.all(),
        },
    )


def account_detail(request: HttpRequest, account_id: int) -> HttpResponse:
    account: Account = visible_or_404(request, Account, account_id)
    deals = (
        opportunities_for(request.user)
        .filter(account=account)
        .select_related("owner")
        .order_by("-close_date")[:50]
    )
    activities = activities_for(request.user).filter(account=account).order_by("-starts_at")[:20]
    notes = (
        notes_for(request.user)
        .filter(account=account)
        .select_related("author")
        .order_by("-created_at")[:20]
    )
    return render(
        request,
        "accounts/account_detail.html",
        {
            "account": account,
            "can_change": access.can_change(request.user, account),
            "contacts": account.contacts.order_by("last_name", "first_name"),
            "domains": account.domains.all(),
            "subsidiaries": account.subsidiaries.order_by("name"),
            "deals": deals,
            "activities": activities,
            "notes": notes,
            "commitments": commitments_for(request.user)
            .filter(account=account)
            .select_related("owner")
            .order_by("status", "due_on")[:30],
        },
    )
