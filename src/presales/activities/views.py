from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from presales.activities.access import activities_for
from presales.activities.models import Activity, Kind
from presales.core.pages import current_user, page_of, render_list


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
