from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from presales.activities.access import activities_for
from presales.core.pages import current_user
from presales.deals.access import opportunities_for
from presales.deals.models import CLOSED_STAGES
from presales.deals.stages import proposals_waiting_for
from presales.gaps.analytics import maybe_figures, maybes_for
from presales.meetings.services import commitments_due_for, undebriefed_for
from presales.notes.access import notes_for


def dashboard(request: HttpRequest) -> HttpResponse:
    """ "My week": the user's meetings of the next seven days, open deals and recent notes."""
    user = current_user(request)
    now = timezone.now()
    upcoming = (
        activities_for(user)
        .filter(participants=user, starts_at__gte=now, starts_at__lt=now + timedelta(days=7))
        .exclude(status="cancelled")
        .select_related("account", "opportunity")
        .order_by("starts_at")[:25]
    )
    deals = (
        opportunities_for(user)
        .filter(Q(owner=user) | Q(sales_engineers=user))
        .exclude(stage__in=CLOSED_STAGES)
        .select_related("account")
        .distinct()
        .order_by("close_date", "id")[:25]
    )
    notes = (
        notes_for(user)
        .select_related("author", "account", "opportunity")
        .order_by("-created_at", "-id")[:10]
    )
    return render(
        request,
        "dashboard/dashboard.html",
        {
            "upcoming": upcoming,
            "deals": deals,
            "notes": notes,
            "now": now,
            "undebriefed": undebriefed_for(user, now=now)[:10],
            "commitments_due": commitments_due_for(user)[:10],
            "stage_proposals": proposals_waiting_for(user)[:20],
            # Product-gap maybes: a figure for managers (their teams' answers owed).
            "gap_maybes": maybe_figures(user, today=now.date()) if user.is_manager_role else None,
            "maybe_gaps": maybes_for(user, today=now.date())[:8] if user.is_manager_role else [],
        },
    )
