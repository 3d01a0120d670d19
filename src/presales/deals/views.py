from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from presales.core import access
from presales.core.pages import current_user, page_of, render_list, visible_or_404
from presales.deals.access import opportunities_for
from presales.deals.models import CLOSED_STAGES, Flavor, Opportunity, Stage
from presales.deals.pages import stage_context


def opportunity_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    stage = request.GET.get("stage", "")
    flavor = request.GET.get("flavor", "")
    status = request.GET.get("status", "open")
    mine = request.GET.get("mine", "") == "1"
    rows = opportunities_for(request.user).select_related("account", "owner")
    if q:
        rows = rows.filter(name__icontains=q) | rows.filter(account__name__icontains=q)
    if stage in Stage.values:
        rows = rows.filter(stage=stage)
    if flavor in Flavor.values:
        rows = rows.filter(flavor=flavor)
    if status == "open":
        rows = rows.exclude(stage__in=CLOSED_STAGES)
    elif status == "closed":
        rows = rows.filter(stage__in=CLOSED_STAGES)
    if mine:
        me = current_user(request)
        rows = rows.filter(owner=me) | rows.filter(sales_engineers=me)
    rows = (
        rows.order_by("close_date", "id")
        if status == "open"
        else rows.order_by("-close_date", "id")
    )
    return render_list(
        request,
        "deals/opportunity_list.html",
        {
            "page": page_of(request, rows.distinct()),
            "q": q,
            "stage": stage,
            "flavor": flavor,
            "status": status,
            "mine": mine,
            "stages": Stage.choices,
            "flavors": Flavor.choices,
        },
    )


def opportunity_detail(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    opportunity: Opportunity = visible_or_404(request, Opportunity, opportunity_id)
    activities = opportunity.activities.prefetch_related("participants").order_by("-starts_at")
    notes = opportunity.notes.select_related("author").order_by("-created_at")
    return render(
        request,
        "deals/opportunity_detail.html",
        {
            "deal": opportunity,
            "sales_engineers": opportunity.sales_engineers.all(),
            "products": opportunity.products.all(),
            "competitors": opportunity.competitors.all(),
            "history": opportunity.stage_changes.select_related(
                "changed_by", "proposal__proposed_by"
            ),
            "activities": activities[:30],
            "activity_count": activities.count(),
            "notes": notes[:30],
            "note_count": notes.count(),
            "can_change": access.can_change(request.user, opportunity),
            **stage_context(request, opportunity),
        },
    )
