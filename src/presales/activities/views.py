from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from presales.activities import services
from presales.activities.access import activities_for
from presales.activities.forms import ALIASES, MeetingForm, initial_for
from presales.activities.models import Activity, Kind
from presales.core import access
from presales.core.forms import save_posted
from presales.core.pages import current_user, page_of, render_list, visible_or_404
from presales.deals.access import opportunities_for
from presales.people.models import User


def _parse_day(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def activity_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    facing = request.GET.get("facing", "")
    mine = request.GET.get("mine", "") == "1"
    start = _parse_day(request.GET.get("from", ""))
    end = _parse_day(request.GET.get("to", ""))
    rows = activities_for(request.user).select_related("account", "opportunity")
    if q:
        rows = rows.filter(subject__icontains=q)
    account = request.GET.get("account", "")
    if account.isdigit():
        rows = rows.filter(account_id=int(account))
    if kind in Kind.values:
        rows = rows.filter(kind=kind)
    if facing in {"yes", "no"}:
        rows = rows.filter(customer_facing=facing == "yes")
    if mine:
        rows = rows.filter(participants=current_user(request))
    tz = timezone.get_current_timezone()
    if start:
        rows = rows.filter(starts_at__gte=datetime.combine(start, time.min, tzinfo=tz))
    if end:
        rows = rows.filter(starts_at__lt=datetime.combine(end + timedelta(days=1), time.min, tz))
    errors = []
    if request.GET.get("from") and start is None:
        errors.append("'From' is not a date (use YYYY-MM-DD).")
    if request.GET.get("to") and end is None:
        errors.append("'To' is not a date (use YYYY-MM-DD).")
    return render_list(
        request,
        "activities/activity_list.html",
        {
            "page": page_of(request, rows.order_by("-starts_at", "-id")),
            "q": q,
            "kind": kind,
            "facing": facing,
            "mine": mine,
            "account": account,
            "start": request.GET.get("from", ""),
            "end": request.GET.get("to", ""),
            "kinds": Kind.choices,
            "errors": errors,
            "statuses": Activity.Status,
        },
    )


# -- schedule, change, cancel -------------------------------------------------------------------


def _next_hour() -> datetime:
    now = timezone.localtime()
    return now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


def _relations_initial(request: HttpRequest, user: User) -> dict[str, Any]:
    """What the account/deal pickers hold: from the link that opened the form (a deal page
    passes its deal, an account page its account) or from an htmx refresh of the pickers."""
    params = request.GET
    account_id = params.get("account", "")
    deal_id = params.get("opportunity", "")
    initial: dict[str, Any] = {"contacts": [c for c in params.getlist("contacts") if c.isdigit()]}
    deal = None
    if deal_id.isdigit():
        deal = opportunities_for(user).filter(pk=int(deal_id)).first()
    if deal is not None and not account_id.isdigit() and deal.account_id:
        account_id = str(deal.account_id)
    if deal is not None and account_id.isdigit() and deal.account_id not in (None, int(account_id)):
        deal = None  # the account changed under the deal: the deal no longer fits
    initial["account"] = int(account_id) if account_id.isdigit() else None
    initial["opportunity"] = deal.pk if deal else None
    return initial


def _meeting_page(
    request: HttpRequest, form: MeetingForm, activity: Activity | None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "activities/meeting_form.html",
        {"form": form, "activity": activity, "time_zone": timezone.get_current_timezone_name()},
        status=status,
    )


def meeting_new(request: HttpRequest) -> HttpResponse:
    """Schedule a meeting, demo, POC session or workshop; the planner opens once it is saved."""
    user = current_user(request)
    if request.method == "POST":
        form = MeetingForm(request.POST, user=user, refresh_url=request.path)

        def create() -> HttpResponse:
            activity = services.create_activity(actor=user, fields=form.service_fields())
            messages.success(request, f"{activity.get_kind_display()} scheduled.")
            return redirect("meeting_plan", activity_id=activity.pk)

        done = save_posted(request, form, create, aliases=ALIASES)
        return done or _meeting_page(request, form, None, status=422)
    start = _next_hour()
    initial = {
        "starts_at": start,
        "ends_at": start + timedelta(hours=1),
        "participants": [user.pk],
        **_relations_initial(request, user),
    }
    if request.GET.get("kind") in Kind.values:
        initial["kind"] = request.GET["kind"]
    form = MeetingForm(initial=initial, user=user, refresh_url=request.path)
    return _meeting_page(request, form, None)


def meeting_edit(request: HttpRequest, activity_id: int) -> HttpResponse:
    """Change or reschedule a meeting (the same form, filled in)."""
    user = current_user(request)
    activity: Activity = visible_or_404(request, Activity, activity_id)
    if not access.can_change(user, activity):
        raise access.PermissionDenied("You may not change this meeting.")
    if request.method == "POST":
        form = MeetingForm(request.POST, user=user, activity=activity, refresh_url=request.path)

        def update() -> HttpResponse:
            services.update_activity(actor=user, activity=activity, changes=form.service_fields())
            messages.success(request, "Meeting updated.")
            return redirect("meeting_plan", activity_id=activity.pk)

        done = save_posted(request, form, update, aliases=ALIASES, stale=activity)
        return done or _meeting_page(request, form, activity, status=422)
    initial = initial_for(activity)
    if request.GET.get("refresh"):
        initial.update(_relations_initial(request, user))
    form = MeetingForm(initial=initial, user=user, activity=activity, refresh_url=request.path)
    return _meeting_page(request, form, activity)


def meeting_cancel(request: HttpRequest, activity_id: int) -> HttpResponse:
    """Call a meeting off: a confirmation page, then the cancellation."""
    user = current_user(request)
    activity: Activity = visible_or_404(request, Activity, activity_id)
    if not access.can_change(user, activity):
        raise access.PermissionDenied("You may not change this meeting.")
    error = ""
    if request.method == "POST":
        try:
            services.cancel_activity(actor=user, activity=activity)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, f"“{activity.subject}” cancelled.")
            return redirect("meeting_plan", activity_id=activity.pk)
    return render(
        request,
        "activities/meeting_cancel.html",
        {"activity": activity, "error": error},
        status=422 if error else 200,
    )
