"""The weekly report's figures measured for all teams at once equal the one-team figures."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client

from presales.analytics.report import METRICS, Window, _scope, _scopes, report_teams
from presales.analytics.report_figures import BATCHES
from presales.demo.generator import generate_demo
from presales.forecasts.models import week_of
from presales.people.models import Role, User

TODAY = date(2026, 11, 16)
# The page measured 39 queries as an SE manager when this ceiling was set (107 before the
# teams' figures were batched); it does not grow with the number of rows or of teams.
WEEKLY_QUERIES = 45


@pytest.fixture
def demo(db: None) -> object:
    return generate_demo(password="demo-pass-123", seed=5, scale=0.05, today=TODAY)


@pytest.mark.parametrize("role", [Role.SE, Role.SE_MANAGER])
def test_every_report_figure_for_all_teams_equals_the_figure_of_one_team(
    demo: object, role: str
) -> None:
    viewer = User.objects.filter(role=role, team__isnull=False).order_by("pk").first()
    assert viewer is not None
    teams = list(report_teams(viewer))
    assert teams
    start = week_of(TODAY) - timedelta(days=7)
    windows = [Window(start, start + timedelta(days=6)).shifted(days) for days in (0, 7, 28, 364)]
    asks = [(t.pk, w) for t in teams for w in windows]
    scopes = _scopes(viewer, [t.pk for t in teams])
    compared = 0
    for key, metric, _ in METRICS:
        batch = BATCHES[key](scopes, asks)
        for team in teams:
            for w in windows:
                assert batch[(team.pk, w)] == metric(_scope(viewer, team), w), (key, team, w)
                compared += batch[(team.pk, w)].value is not None
    assert compared > 20


def test_the_weekly_report_page_runs_a_bounded_number_of_queries(
    demo: object, django_assert_max_num_queries: object
) -> None:
    manager = User.objects.filter(role=Role.SE_MANAGER, team__isnull=False).order_by("pk").first()
    assert manager is not None
    client = Client()
    client.force_login(manager)
    with django_assert_max_num_queries(WEEKLY_QUERIES):  # type: ignore[operator]
        page = client.get("/analytics/weekly/")
    assert page.status_code == 200
    assert "Won this week" in page.content.decode()
