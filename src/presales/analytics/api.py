from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from presales.analytics import pipeline
from presales.analytics.report import report_teams, weekly_report
from presales.core.api import actor
from presales.deals.access import opportunities_for

router = Router(tags=["analytics"])


class FigureOut(Schema):
    label: str
    value: float | None
    n: int
    population: int
    low: float | None
    high: float | None
    reference: float | None
    reference_label: str
    unit: str
    note: str


class GroupOut(Schema):
    key: str
    name: str
    win_rate: FigureOut
    cycle_days: FigureOut


class PipelineOut(Schema):
    win_rate: FigureOut
    win_rate_with_se: FigureOut
    win_rate_without_se: FigureOut
    stage_conversion: list[FigureOut]
    by: str
    groups: list[GroupOut]


class PipelineQuery(Schema):
    team_id: int | None = None
    since: date | None = Field(None, description="Closed deals from this day (default: a year ago)")
    by: str = Field("product", description=f"One of {', '.join(pipeline.BREAKDOWNS)}")


def _team(request: HttpRequest, team_id: int | None) -> Any:
    if team_id is None:
        return None
    team = report_teams(actor(request)).filter(pk=team_id).first()
    if team is None:
        raise Http404(f"No team with id {team_id}.")
    return team


@router.get("/analytics/pipeline", response=PipelineOut)
def get_pipeline(request: HttpRequest, query: Query[PipelineQuery]) -> dict[str, Any]:
    if query.by not in pipeline.BREAKDOWNS:
        raise ValidationError({"by": f"Use one of {', '.join(pipeline.BREAKDOWNS)}."})
    team = _team(request, query.team_id)
    deals = opportunities_for(actor(request))
    if team is not None:
        deals = deals.filter(team=team)
    since = query.since or timezone.localdate() - timedelta(days=365)
    deals = deals.exclude(stage__in=["won", "lost"], close_date__lt=since)
    with_se, without = pipeline.se_involvement(deals)
    return {
        "win_rate": pipeline.win_rate(deals),
        "win_rate_with_se": with_se,
        "win_rate_without_se": without,
        "stage_conversion": pipeline.stage_conversion(deals),
        "by": query.by,
        "groups": pipeline.breakdown(deals, by=query.by, samples=500),
    }


@router.get("/analytics/weekly", response=dict[str, Any])
def get_weekly_report(
    request: HttpRequest,
    team_id: int,
    week: date | None = None,
) -> dict[str, Any]:
    team = _team(request, team_id)
    return weekly_report(viewer=actor(request), team=team, week=week).as_dict()
