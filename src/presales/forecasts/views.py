from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from presales.core import access
from presales.core.pages import current_user, page_of, visible_or_404
from presales.deals.access import opportunities_for
from presales.deals.models import OPEN_STAGES
from presales.forecasts import services
from presales.forecasts.access import can_adjust_forecast, forecast_submissions_for
from presales.forecasts.accuracy import LEVELS, accuracy
from presales.forecasts.charts import trend_svg
from presales.forecasts.models import Category, Line, Submission, quarter_label, quarter_of


def _flash(request: HttpRequest, exc: ValidationError | access.PermissionDenied) -> None:
    if isinstance(exc, ValidationError):
        messages.error(request, " ".join(m for ms in exc.message_dict.values() for m in ms))
    else:
        messages.error(request, str(exc))


def forecast(request: HttpRequest) -> HttpResponse:
    """This quarter's forecast: the rep's form, the SE's confidence, the team's submissions."""
    me = current_user(request)
    start, end = quarter_of(timezone.localdate())
    mine = (
        opportunities_for(me)
        .filter(owner=me, stage__in=OPEN_STAGES, close_date__gte=start, close_date__lte=end)
        .select_related("account")
        .order_by("close_date", "id")
    )
    latest = {
        line.opportunity_id: line
        for line in Line.objects.filter(opportunity__in=mine, submission__owner=me).order_by(
            "submission__week", "id"
        )
    }
    supported = (
        Line.objects.filter(
            opportunity__sales_engineers=me,
            submission__period_start=start,
            submission__in=forecast_submissions_for(me),
        )
        .select_related("opportunity", "submission__owner")
        .order_by("-submission__week", "opportunity__name")
    )
    submissions = (
        forecast_submissions_for(me)
        .filter(period_start=start)
        .select_related("owner", "team")
        .prefetch_related(
            "adjustments",
            Prefetch(
                "lines",
                queryset=Line.objects.select_related("opportunity", "se").order_by(
                    "opportunity__name", "id"
                ),
            ),
        )
    )
    return render(
        request,
        "forecasts/forecast.html",
        {
            "period": quarter_label(start),
            "period_start": start,
            "deals": [(d, latest.get(d.pk)) for d in mine],
            "categories": Category.choices,
            "supported": supported[:50],
            "page": page_of(request, submissions),
            "can_adjust": {s.pk for s in submissions if can_adjust_forecast(me, s)},
        },
    )


def submit(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return redirect("forecast")
    me = current_user(request)
    categories = {
        int(key.removeprefix("deal-")): str(value)
        for key, value in request.POST.items()
        if key.startswith("deal-") and key.removeprefix("deal-").isdigit()
    }
    try:
        period = date.fromisoformat(request.POST.get("period_start", ""))
        services.submit_forecast(actor=me, period_start=period, categories=categories)
    except ValueError:
        messages.error(request, "The period is not a date.")
    except (ValidationError, access.PermissionDenied) as exc:
        _flash(request, exc)
    else:
        messages.success(request, f"Forecast submitted for {len(categories)} deal(s).")
    return redirect("forecast")


def adjust(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission: Submission = visible_or_404(request, Submission, submission_id)
    if request.method == "POST":
        try:
            commit = Decimal(request.POST.get("commit", ""))
            services.adjust_forecast(
                actor=current_user(request),
                submission=submission,
                commit=commit,
                reason=request.POST.get("reason", ""),
            )
        except InvalidOperation:
            messages.error(request, "The adjusted commit must be a number.")
        except ValidationError as exc:
            _flash(request, exc)
        else:
            messages.success(request, f"Adjusted the forecast of {submission.owner}.")
    return redirect("forecast")


def confidence(request: HttpRequest, line_id: int) -> HttpResponse:
    line = Line.objects.filter(
        pk=line_id, submission__in=forecast_submissions_for(request.user)
    ).first()
    if line is None:
        raise Http404("No forecast line with that id that you can see.")
    if request.method == "POST":
        try:
            services.rate_confidence(
                actor=current_user(request),
                line=line,
                confidence=int(request.POST.get("confidence", "")),
                note=request.POST.get("note", ""),
            )
        except ValueError:
            messages.error(request, "Give the confidence as a whole number from 0 to 100.")
        except (ValidationError, access.PermissionDenied) as exc:
            _flash(request, exc)
        else:
            messages.success(request, f"Confidence recorded for {line.opportunity}.")
    return redirect("forecast")


def accuracy_page(request: HttpRequest) -> HttpResponse:
    level = request.GET.get("level", "rep")
    if level not in LEVELS:
        level = "rep"
    try:
        periods = min(12, max(2, int(request.GET.get("periods", "4"))))
    except ValueError:
        periods = 4
    table = accuracy(viewer=current_user(request), level=level, periods=periods)
    return render(
        request,
        "forecasts/accuracy.html",
        {
            "table": table,
            "levels": LEVELS,
            "level": level,
            "periods": periods,
            "chart": trend_svg(table),
        },
    )
