from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from presales.activities.access import activities_for
from presales.activities.models import Activity, Kind
from presales.core.pages import current_user
from presales.core.services import MAX_ID
from presales.dashboard.team import team_people, team_week
from presales.deals.access import opportunities_for
from presales.deals.models import CLOSED_STAGES
from presales.deals.stages import proposals_waiting_for
from presales.gaps.analytics import maybe_figures, maybes_for
from presales.meetings.access import commitments_for
from presales.meetings.due import commitments_due
from presales.meetings.services import undebriefed_for
from presales.notes.access import notes_for
from presales.people.models import User


def dashboard(request: HttpRequest) -> HttpResponse:
    """The home page: a manager lands on the team's week, everyone else on "My week"
    (a manager reaches their own with ``?view=mine``)."""
    user = current_user(request)
    if user.is_manager_role and request.GET.get("view") != "mine":
        today = timezone.localdate()
        return render(
            request,
            "dashboard/team_week.html",
            {
                "week": team_week(user),
                "today": today,
                "gap_maybes": maybe_figures(user, today=today),
                "maybe_gaps": maybes_for(user, today=today)[:8],
            },
        )
    return _my_week(request, user)


def _my_week(request: HttpRequest, user: User) -> HttpResponse:
    """ "My week": the user's meetings of the next seven days, open deals and recent notes."""
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
            "today": timezone.localdate(now),
            "undebriefed": undebriefed_for(user, now=now)[:10],
            "due": commitments_due(commitments_for(user).filter(owner=user)),
            "stage_proposals": proposals_waiting_for(user)[:20],
            # Product-gap maybes: a figure for managers (their teams' answers owed).
            "gap_maybes": maybe_figures(user, today=now.date()) if user.is_manager_role else None,
            "maybe_gaps": maybes_for(user, today=now.date())[:8] if user.is_manager_role else [],
        },
    )


def person_week(request: HttpRequest, user_id: int) -> HttpResponse:
    """One person's week as their manager sees it: meetings, debriefs owed, commitments due,
    open deals and out-of-band work, all within what the manager may see."""
    me = current_user(request)
    person = team_people(me).filter(pk=user_id).first() if 0 < user_id <= MAX_ID else None
    if person is None:
        raise Http404("No person with that id on a team you manage.")
    now = timezone.now()
    seen = activities_for(me).filter(participants=person)
    return render(
        request,
        "dashboard/person_week.html",
        {
            "person": person,
            "today": timezone.localdate(now),
            "upcoming": seen.filter(starts_at__gte=now, starts_at__lt=now + timedelta(days=7))
            .exclude(status="cancelled")
            .select_related("account", "opportunity")
            .order_by("starts_at")[:25],
            "undebriefed": undebriefed_for(person, now=now).filter(pk__in=seen.values("pk"))[:10],
            "due": commitments_due(commitments_for(me).filter(owner=person)),
            "deals": opportunities_for(me)
            .filter(Q(owner=person) | Q(sales_engineers=person))
            .exclude(stage__in=CLOSED_STAGES)
            .select_related("account")
            .distinct()
            .order_by("close_date", "id")[:25],
            "out_of_band": Activity.objects.filter(
                Q(pk__in=seen.values("pk")) | Q(account__isnull=True, opportunity__isnull=True),
                participants=person,
                kind=Kind.OUT_OF_BAND,
                starts_at__gte=now - timedelta(days=7),
                starts_at__lt=now,
            )
            .select_related("account")
            .order_by("-starts_at")[:25],
        },
    )
