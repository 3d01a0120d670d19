from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from presales.core.pages import current_user
from presales.people.models import Team
from presales.scorecards import charts, export
from presales.scorecards.access import can_set_goals, scoreboard_teams_for, scorecard_people_for
from presales.scorecards.analytics import scoreboard, scorecard
from presales.scorecards.lints import lint_goals
from presales.scorecards.metrics import Measurements
from presales.scorecards.models import Goal
from presales.scorecards.payout import payout
from presales.scorecards.periods import Quarter


def _quarter(request: HttpRequest) -> Quarter:
    label = request.GET.get("period", "").strip()
    if not label:
        return Quarter.current()
    try:
        return Quarter.parse(label)
    except ValidationError:
        return Quarter.current()


def _what_if(request: HttpRequest) -> dict[int, Decimal]:
    out: dict[int, Decimal] = {}
    for name in request.GET:
        raw = request.GET.get(name, "")
        if not name.startswith("whatif_") or not raw.strip():
            continue
        try:
            goal_id = int(name.removeprefix("whatif_"))
            value = Decimal(raw.strip())
        except (ValueError, InvalidOperation):
            continue
        if value.is_finite() and 0 <= value <= 1000:
            out[goal_id] = value
    return out


def _periods(quarter: Quarter) -> list[str]:
    current = Quarter.current()
    return [q.label for q in [*current.back(5), current, current.next()]] + (
        [quarter.label] if quarter > current.next() or quarter < current.back(5)[0] else []
    )


def scorecard_index(request: HttpRequest) -> HttpResponse:
    me = current_user(request)
    quarter = _quarter(request)
    return render(
        request,
        "scorecards/index.html",
        {
            "me": me,
            "quarter": quarter,
            "teams": scoreboard_teams_for(me).order_by("name"),
            "people": scorecard_people_for(me)
            .filter(is_active=True)
            .exclude(pk=me.pk)
            .select_related("team")
            .order_by("team__name", "first_name", "username")[:200],
        },
    )


def person_scorecard(request: HttpRequest, user_id: int) -> HttpResponse:
    me = current_user(request)
    person = scorecard_people_for(me).filter(pk=user_id).first()
    if person is None:
        raise Http404("No scorecard you can see.")
    quarter = _quarter(request)
    measured = Measurements()
    card = scorecard(person=person, quarter=quarter, measured=measured)
    goals = list(Goal.objects.filter(owner=person, year=quarter.year, quarter=quarter.quarter))
    what_if = _what_if(request)
    pay = payout(person=person, quarter=quarter, what_if=what_if, measured=measured)
    goal_charts = {
        goal.goal_id: charts.trend_line(
            [(p.period, p.value) for p in goal.trend],
            target=goal.target,
            title=f"{goal.title}: last quarters and this one against the target",
        )
        for goal in card.goals
    }
    return render(
        request,
        "scorecards/person.html",
        {
            "person": person,
            "quarter": quarter,
            "periods": _periods(quarter),
            "card": card,
            "goal_charts": goal_charts,
            "lints": lint_goals(
                goals=goals, people=[person.pk], quarter=quarter, measured=measured
            ),
            "payout": pay,
            "what_if": what_if,
            "can_set_goals": can_set_goals(me, owner=person, team=None),
        },
    )


def _team_or_404(request: HttpRequest, team_id: int) -> Team:
    team = scoreboard_teams_for(current_user(request)).filter(pk=team_id).first()
    if team is None:
        raise Http404("No scoreboard you can see.")
    return team


def team_scoreboard(request: HttpRequest, team_id: int) -> HttpResponse:
    team = _team_or_404(request, team_id)
    quarter = _quarter(request)
    board = scoreboard(team=team, quarter=quarter)
    chart_by_metric = {
        m.key: charts.bars(
            [(row.person, row.figures[m.key].value) for row in board.rows],
            reference=board.team_figures[m.key].team_median,
            title=m.name,
        )
        for m in board.metrics
    }
    return render(
        request,
        "scorecards/team.html",
        {
            "team": team,
            "quarter": quarter,
            "periods": _periods(quarter),
            "board": board,
            "charts": chart_by_metric,
            "visible_people": set(scorecard_people_for(request.user).values_list("pk", flat=True)),
        },
    )


def team_scoreboard_csv(request: HttpRequest, team_id: int) -> HttpResponse:
    team = _team_or_404(request, team_id)
    quarter = _quarter(request)
    body = export.scoreboard_csv(scoreboard(team=team, quarter=quarter))
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    filename = f"scoreboard-{team.pk}-{quarter.label}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
