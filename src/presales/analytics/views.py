from __future__ import annotations

from datetime import date, timedelta

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from presales.analytics import charts, export, pipeline
from presales.analytics.report import WeeklyReport, report_teams, weekly_report
from presales.core.pages import current_user
from presales.deals.access import opportunities_for
from presales.people.models import Team


def _team(request: HttpRequest) -> Team | None:
    raw = request.GET.get("team", "")
    if not raw:
        return None
    team = report_teams(current_user(request)).filter(pk=int(raw) if raw.isdigit() else 0).first()
    if team is None:
        raise Http404("No team with that id that you can see.")
    return team


def _since(request: HttpRequest) -> tuple[date, str]:
    """The "closed since" date and, when the one asked for is not a date, why it was set aside."""
    default = timezone.localdate() - timedelta(days=365)
    raw = request.GET.get("since", "").strip()
    if not raw:
        return default, ""
    try:
        return date.fromisoformat(raw), ""
    except ValueError:
        return default, (
            f"“{raw}” is not a date (YYYY-MM-DD); showing deals closed since "
            f"{default:%d %b %Y} instead."
        )


def _week(request: HttpRequest) -> tuple[date | None, str]:
    """The week asked for and, when it is not a date (2026-02-30), the message that says so."""
    raw = request.GET.get("week", "").strip()
    if not raw:
        return None, ""
    try:
        return date.fromisoformat(raw), ""
    except ValueError:
        return None, f"“{raw}” is not a date (YYYY-MM-DD); showing the last full week instead."


def pipeline_page(request: HttpRequest) -> HttpResponse:
    """Pipeline analytics over the deals the user sees, optionally one team's, closed since a
    date (default: the last 365 days)."""
    me = current_user(request)
    team = _team(request)
    since, since_error = _since(request)
    by = request.GET.get("by", "product")
    if by not in pipeline.BREAKDOWNS:
        by = "product"
    deals = opportunities_for(me)
    if team:
        deals = deals.filter(team=team)
    recent = deals.exclude(stage__in=["won", "lost"], close_date__lt=since)
    today = timezone.localdate()
    start = today - timedelta(days=today.weekday() + 7)
    win_rate = pipeline.win_rate(recent)
    se = pipeline.se_involvement(recent)
    groups = pipeline.breakdown(recent, by=by, samples=500)
    funnel = pipeline.stage_funnel(recent)
    return render(
        request,
        "analytics/pipeline.html",
        {
            "teams": report_teams(me),
            "team": team,
            "since": since,
            "since_error": since_error,
            "by": by,
            "breakdowns": pipeline.BREAKDOWNS,
            "win_rate": win_rate,
            "conversion": pipeline.stage_conversion(recent),
            "se": se,
            "groups": groups,
            "funnel": funnel,
            "funnel_chart": charts.funnel_chart(funnel),
            "win_rate_chart": charts.win_rate_chart([win_rate, *se], groups, by),
            "slipped": pipeline.slipped(deals, start=start, end=start + timedelta(days=6)),
            "pushed": pipeline.pushed(deals, start=start, end=start + timedelta(days=6)),
            "week_start": start,
        },
    )


def _report(request: HttpRequest, week: date | None) -> WeeklyReport:
    me = current_user(request)
    team = _team(request) or report_teams(me).first()
    if team is None:
        raise Http404("You see no team to report on.")
    return weekly_report(viewer=me, team=team, week=week)


def _bad_week(message: str) -> HttpResponse:
    return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")


def weekly(request: HttpRequest) -> HttpResponse:
    week, week_error = _week(request)
    report = _report(request, week)
    return render(
        request,
        "analytics/weekly.html",
        {
            "report": report,
            "week_error": week_error,
            "trend_charts": charts.weekly_trend_charts(report),
            "title": export.title(report),
            "teams": report_teams(current_user(request)),
            "query": request.GET.urlencode(),
            "previous": report.week_start - timedelta(days=7),
            "next": report.week_start + timedelta(days=7),
        },
    )


def weekly_markdown(request: HttpRequest) -> HttpResponse:
    week, week_error = _week(request)
    if week_error:
        return _bad_week(week_error)
    report = _report(request, week)
    return HttpResponse(export.to_markdown(report), content_type="text/markdown; charset=utf-8")


def weekly_pdf(request: HttpRequest) -> HttpResponse:
    week, week_error = _week(request)
    if week_error:
        return _bad_week(week_error)
    report = _report(request, week)
    response = HttpResponse(export.to_pdf(report), content_type="application/pdf")
    name = f"weekly-{report.team_id}-{report.week_start:%Y-%m-%d}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response
