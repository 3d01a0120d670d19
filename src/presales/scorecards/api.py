from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema

from presales.core.api import actor, get_visible
from presales.core.services import resolve_plain
from presales.people.models import Team, User
from presales.scorecards import export, services
from presales.scorecards.access import goals_for, scoreboard_teams_for, scorecard_people_for
from presales.scorecards.analytics import scoreboard, scorecard
from presales.scorecards.lints import lint_goals
from presales.scorecards.metrics import catalog
from presales.scorecards.models import Goal, Pillar
from presales.scorecards.payout import payout
from presales.scorecards.periods import Quarter

router = Router(tags=["scorecards"])


def _quarter(period: str | None) -> Quarter:
    return Quarter.parse(period) if period else Quarter.current()


def _person(request: HttpRequest, user_id: int) -> User:
    person = scorecard_people_for(actor(request)).filter(pk=user_id).first()
    if person is None:
        raise Http404(f"No scorecard with id {user_id}.")
    return person


def _team(request: HttpRequest, team_id: int) -> Team:
    team = scoreboard_teams_for(actor(request)).filter(pk=team_id).first()
    if team is None:
        raise Http404(f"No scoreboard with id {team_id}.")
    return team


class MetricOut(Schema):
    key: str
    name: str
    unit: str
    definition: str
    pillar: str
    higher_is_better: bool
    builtin: bool


@router.get("/scorecards/metrics", response=list[MetricOut])
def list_metrics(request: HttpRequest) -> list[Any]:
    return list(catalog().values())


class ConditionIn(Schema):
    part: str = "filter"
    field: str
    lookup: str = "exact"
    value: str


class CustomMetricIn(Schema):
    key: str = Field(min_length=1, max_length=60)
    name: str = Field(min_length=1, max_length=120)
    unit: str = "count"
    definition: str = Field(min_length=1)
    source: str
    aggregate: str = "count"
    value_field: str = ""
    higher_is_better: bool = True
    conditions: list[ConditionIn] = []


@router.post("/scorecards/metrics", response={201: MetricOut})
def declare_metric(request: HttpRequest, payload: CustomMetricIn) -> tuple[int, Any]:
    fields = payload.dict(exclude={"conditions"})
    metric = services.save_custom_metric(
        actor=actor(request), fields=fields, conditions=[c.dict() for c in payload.conditions]
    )
    return 201, catalog()[metric.key]


@router.get("/scorecards/people/{user_id}", response=dict[str, Any])
def get_scorecard(request: HttpRequest, user_id: int, period: str | None = None) -> Any:
    """A person's goals with value, sample, last period, team median, milestones and trend,
    every catalog metric the same way, and the checks on the goal set."""
    person = _person(request, user_id)
    quarter = _quarter(period)
    card = asdict(scorecard(person=person, quarter=quarter))
    goals = list(Goal.objects.filter(owner=person, year=quarter.year, quarter=quarter.quarter))
    card["lints"] = [
        asdict(x) for x in lint_goals(goals=goals, people=[person.pk], quarter=quarter)
    ]
    return card


@router.get("/scorecards/teams/{team_id}", response=dict[str, Any])
def get_scoreboard(request: HttpRequest, team_id: int, period: str | None = None) -> Any:
    return export.scoreboard_json(
        scoreboard(team=_team(request, team_id), quarter=_quarter(period))
    )


class GoalOut(Schema):
    id: int
    owner_id: int | None
    team_id: int | None
    period: str = Field(alias="period_label")
    pillar: Pillar
    title: str
    metric: str
    correlated_result: str
    target: Decimal
    milestones: list[float]
    weight: Decimal
    why: str


class LintOut(Schema):
    code: str
    message: str
    goal_id: int | None
    severity: str


class SavedGoalOut(Schema):
    goal: GoalOut
    warnings: list[LintOut]


class GoalIn(Schema):
    owner_id: int | None = None
    team_id: int | None = None
    period: str = Field(description="The quarter, e.g. 2025-Q3")
    pillar: Pillar
    title: str = Field(min_length=1, max_length=200)
    metric: str = Field(description="A key from GET /api/scorecards/metrics")
    correlated_result: str = Field("", max_length=200)
    target: Decimal = Field(gt=0, max_digits=12, decimal_places=2)
    milestones: list[Decimal] = Field([], description="Targets at the end of months 1, 2, 3")
    weight: Decimal = Field(ge=0, le=100, max_digits=5, decimal_places=2)
    why: str = ""


class GoalPatch(Schema):
    pillar: Pillar | None = None
    title: str | None = Field(None, min_length=1, max_length=200)
    metric: str | None = None
    correlated_result: str | None = Field(None, max_length=200)
    target: Decimal | None = Field(None, gt=0, max_digits=12, decimal_places=2)
    milestones: list[Decimal] | None = None
    weight: Decimal | None = Field(None, ge=0, le=100, max_digits=5, decimal_places=2)
    why: str | None = None


def _goal_fields(data: dict[str, Any]) -> dict[str, Any]:
    fields = dict(data)
    if "owner_id" in fields:
        fields["owner"] = resolve_plain(User, fields.pop("owner_id"), field="owner_id")
    if "team_id" in fields:
        fields["team"] = resolve_plain(Team, fields.pop("team_id"), field="team_id")
    if "period" in fields:
        quarter = Quarter.parse(fields.pop("period"))
        fields.update(year=quarter.year, quarter=quarter.quarter)
    if "milestones" in fields and fields["milestones"] is not None:
        fields["milestones"] = [str(m) for m in fields["milestones"]]
    return fields


@router.get("/scorecards/goals", response=list[GoalOut])
def list_goals(
    request: HttpRequest,
    owner_id: int | None = None,
    team_id: int | None = None,
    period: str | None = None,
) -> Any:
    rows = goals_for(actor(request))
    if owner_id is not None:
        rows = rows.filter(owner_id=owner_id)
    if team_id is not None:
        rows = rows.filter(team_id=team_id)
    if period:
        quarter = Quarter.parse(period)
        rows = rows.filter(year=quarter.year, quarter=quarter.quarter)
    return rows.order_by("year", "quarter", "id")[:500]


@router.post("/scorecards/goals", response={201: SavedGoalOut})
def create_goal(request: HttpRequest, payload: GoalIn) -> tuple[int, Any]:
    check = services.save_goal(actor=actor(request), fields=_goal_fields(payload.dict()))
    return 201, {"goal": check.goal, "warnings": check.warnings}


@router.patch("/scorecards/goals/{goal_id}", response=SavedGoalOut)
def update_goal(request: HttpRequest, goal_id: int, payload: GoalPatch) -> Any:
    goal = get_visible(request, Goal, goal_id)
    fields = _goal_fields(payload.dict(exclude_unset=True))
    check = services.save_goal(actor=actor(request), goal=goal, fields=fields)
    return {"goal": check.goal, "warnings": check.warnings}


@router.delete("/scorecards/goals/{goal_id}", response={204: None})
def delete_goal(request: HttpRequest, goal_id: int) -> tuple[int, None]:
    services.delete_goal(actor=actor(request), goal=get_visible(request, Goal, goal_id))
    return 204, None


@router.get("/scorecards/lints", response=list[LintOut])
def get_lints(request: HttpRequest, user_id: int, period: str | None = None) -> Any:
    person = _person(request, user_id)
    quarter = _quarter(period)
    goals = list(Goal.objects.filter(owner=person, year=quarter.year, quarter=quarter.quarter))
    return lint_goals(goals=goals, people=[person.pk], quarter=quarter)


class PayoutLineOut(Schema):
    goal_id: int
    title: str
    weight: Decimal
    attainment: Decimal | None
    counted: Decimal
    amount: Decimal
    assumed: bool
    sample: int


class PayoutOut(Schema):
    person_id: int
    period: str
    has_plan: bool
    target_bonus: Decimal
    threshold_pct: Decimal
    cap_pct: Decimal
    lines: list[PayoutLineOut]
    total: Decimal
    what_if: bool


class WhatIfIn(Schema):
    period: str | None = None
    attainments: dict[int, Decimal] = Field(
        {}, description="Goal id → assumed attainment in percent (0–1000)"
    )


@router.get("/scorecards/people/{user_id}/payout", response=PayoutOut)
def get_payout(request: HttpRequest, user_id: int, period: str | None = None) -> Any:
    return payout(person=_person(request, user_id), quarter=_quarter(period))


@router.post("/scorecards/people/{user_id}/payout/what-if", response=PayoutOut)
def what_if_payout(request: HttpRequest, user_id: int, payload: WhatIfIn) -> Any:
    for goal_id, value in payload.attainments.items():
        if not 0 <= value <= 1000:
            raise ValidationError({f"attainments.{goal_id}": "Between 0 and 1000 percent."})
    return payout(
        person=_person(request, user_id),
        quarter=_quarter(payload.period),
        what_if=payload.attainments,
    )


class BonusPlanIn(Schema):
    period: str
    target_bonus: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    threshold_pct: Decimal = Field(Decimal("50"), ge=0, le=100)
    cap_pct: Decimal = Field(Decimal("150"), ge=100, le=500)


class BonusPlanOut(Schema):
    owner_id: int
    year: int
    quarter: int
    target_bonus: Decimal
    threshold_pct: Decimal
    cap_pct: Decimal


@router.put("/scorecards/people/{user_id}/bonus-plan", response=BonusPlanOut)
def set_bonus_plan(request: HttpRequest, user_id: int, payload: BonusPlanIn) -> Any:
    fields = payload.dict()
    quarter = Quarter.parse(fields.pop("period"))
    return services.set_bonus_plan(
        actor=actor(request), owner=_person(request, user_id), quarter=quarter, fields=fields
    )
