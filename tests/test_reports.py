"""The weekly team report: hand-checked figures with their samples and three references, the
Markdown, PDF and JSON exports, the page, the API and the CLI, and no unsupported adverbs."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from presales.analytics import export
from presales.analytics.report import weekly_report
from presales.cli import main as presales
from presales.deals.models import Stage
from presales.people.models import Role
from tests.conftest import (
    PASSWORD,
    Cast,
    make_account,
    make_forecast,
    make_opportunity,
    make_user,
)
from tests.test_api import bearer, call

WEEK = date(2025, 1, 8)  # Monday 6 to Sunday 12 January 2025
# Adverbs that state a judgement without data ("A little less adverbs, a little more data").
UNSUPPORTED_ADVERBS = {
    "very", "often", "rarely", "always", "never", "extremely", "highly", "slightly", "quite",
    "sometimes", "seldom", "nearly", "usually", "frequently", "hardly", "barely", "mostly",
    "significantly", "dramatically", "greatly", "hugely", "massively", "substantially",
    "considerably", "remarkably", "terribly", "incredibly", "really", "too", "almost",
    "generally", "typically", "occasionally", "constantly", "largely", "somewhat",
}  # fmt: skip


@pytest.fixture
def week(cast: Cast) -> dict[str, Any]:
    north = make_account(cast.north)
    south_rep = make_user("sam", Role.REP, team=cast.south)

    def won(amount: str, close: date, **extra: Any) -> Any:
        return make_opportunity(
            north, owner=cast.bob, stage=Stage.WON, amount=amount, close=close, **extra
        )

    won("30000", date(2025, 1, 7), engage_date=date(2024, 11, 7))
    won("20000", date(2025, 1, 10), engage_date=date(2024, 12, 10))
    make_opportunity(north, owner=cast.bob, stage=Stage.LOST, amount="9000", close=date(2025, 1, 9))
    won("10000", date(2025, 1, 3), engage_date=date(2024, 12, 3))  # the week before
    won("5000", date(2024, 1, 10))  # the same week a year earlier
    make_opportunity(
        make_account(cast.south),
        owner=south_rep,
        stage=Stage.WON,
        amount="40000",
        close=date(2025, 1, 8),
    )
    make_forecast(cast.bob, date(2025, 1, 1), "100000", week=date(2024, 12, 30))
    return {"team": cast.north}


def test_the_weekly_figures_carry_their_sample_and_three_references(
    cast: Cast, week: dict[str, Any]
) -> None:
    report = weekly_report(viewer=cast.root, team=cast.north, week=WEEK)
    assert (report.week_start, report.week_end) == (date(2025, 1, 6), date(2025, 1, 12))
    won = report.line("won")
    assert (won.current.value, won.current.n, won.current.population) == (50000.0, 2, 3)
    assert won.last_week.value == 10000.0
    assert won.last_year.value == 5000.0
    # North 50,000, South 40,000, West 0: the median of three teams is 40,000.
    assert (won.team_median, won.teams) == (40000.0, 3)
    assert won.sentence == (
        "Won this week: $50,000 (2 won of 3 closed). Last week $10,000; same week last year "
        "$5,000; median of 3 teams $40,000."
    )
    rate = report.line("win_rate")
    assert (rate.current.n, rate.current.population) == (3, 4)
    assert rate.current.note == "Not enough to tell: 3 of 4; at least 10 are needed."
    assert "3 won of 4 closed; 95% interval 30% to 95%" in rate.sentence
    cycle = report.line("cycle")
    # Won deals in the 13 weeks: 61, 31 and 31 days from engagement (the 10,000 one too).
    assert (cycle.current.value, cycle.current.n) == (31.0, 3)
    commit = report.line("commit")
    assert commit.current.value == pytest.approx(0.6)  # 60,000 won of a 100,000 commit
    assert commit.sample == "3 deals won; commit from 1 reps"


def test_the_generated_text_uses_no_unsupported_adverbs(cast: Cast, week: dict[str, Any]) -> None:
    report = weekly_report(viewer=cast.root, team=cast.north, week=WEEK)
    text = export.to_markdown(report)
    words = set(re.findall(r"[a-z]+", text.lower()))
    assert words & UNSUPPORTED_ADVERBS == set()
    assert len(report.lines) == 8
    assert all(line.sentence in text for line in report.lines)


def test_the_report_exports_as_markdown_pdf_and_json(cast: Cast, week: dict[str, Any]) -> None:
    report = weekly_report(viewer=cast.root, team=cast.north, week=WEEK)
    md = export.to_markdown(report)
    assert md.startswith("# Weekly report: North, week of 06 Jan 2025")
    assert export.to_pdf(report).startswith(b"%PDF-")
    data = json.loads(export.to_json(report))
    assert data["week_start"] == "2025-01-06"
    assert data["lines"][0]["current"]["value"] == 50000.0


def test_a_team_the_reader_cannot_see_has_no_report(cast: Cast, week: dict[str, Any]) -> None:
    with pytest.raises(LookupError):
        weekly_report(viewer=cast.carol, team=cast.north, week=WEEK)
    client = Client()
    client.login(username="carol", password=PASSWORD)
    assert client.get(f"/analytics/weekly/?team={cast.north.pk}").status_code == 404
    assert (
        call(
            "get", f"/api/analytics/weekly?team_id={cast.north.pk}", bearer(cast.carol)
        ).status_code
        == 404
    )


def test_the_report_page_markdown_pdf_and_api_show_the_same_figures(
    cast: Cast, week: dict[str, Any]
) -> None:
    client = Client()
    client.login(username="alice", password=PASSWORD)
    query = f"?team={cast.north.pk}&week=2025-01-08"
    page = client.get(f"/analytics/weekly/{query}")
    assert page.status_code == 200
    assert "Won this week: $50,000 (2 won of 3 closed)" in page.content.decode()
    md = client.get(f"/analytics/weekly.md{query}")
    assert md["Content-Type"].startswith("text/markdown")
    assert "2 won of 3 closed" in md.content.decode()
    pdf = client.get(f"/analytics/weekly.pdf{query}")
    assert pdf.content.startswith(b"%PDF-")
    api = call(
        "get", f"/api/analytics/weekly?team_id={cast.north.pk}&week=2025-01-08", bearer(cast.alice)
    )
    assert api.status_code == 200
    # Alice sees North only, so the team median is North's own figure.
    assert api.json()["lines"][0]["team_median"] == 50000.0


def test_the_cli_writes_the_weekly_report_in_each_format(
    cast: Cast, week: dict[str, Any], tmp_path: Path, capsys: Any
) -> None:
    out = tmp_path / "week.json"
    args = ["report", "weekly", "--team", "north", "--week", "2025-01-08"]
    assert presales([*args, "--format", "json", "--output", str(out)]) == 0
    assert json.loads(out.read_text())["lines"][0]["current"]["n"] == 2
    pdf = tmp_path / "week.pdf"
    assert presales([*args, "--format", "pdf", "--output", str(pdf)]) == 0
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert presales(["report", "weekly", "--team", "Nowhere"]) == 2
    assert "No team named 'Nowhere'. Teams: North, South, West." in capsys.readouterr().err
    assert presales([*args, "--week", "someday"]) == 2
