"""The charts of the analytics pages and the weekly report's exports, drawn with
``core.charts`` so the page and the PDF show the same picture."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from django.utils.safestring import SafeString

from presales.analytics.pipeline import FunnelStep, GroupFigures
from presales.analytics.report import WeeklyReport
from presales.core import charts
from presales.core.stats import Figure

# The weekly report's figures drawn as a trend, with the unit their axis uses.
TREND_LINES = (("won", "$"), ("new_pipeline", "$"), ("win_rate", "%"), ("debriefed", "%"))


def funnel_chart(steps: Sequence[FunnelStep]) -> SafeString:
    population = steps[0].population if steps else 0
    return charts.funnel(
        [(s.label, s.reached) for s in steps],
        title="Deals that reached each stage",
        population=population,
    )


def win_rate_chart(
    headline: Sequence[Figure], groups: Sequence[GroupFigures], by: str
) -> SafeString:
    rows = [*headline, *(replace(g.win_rate, label=g.name) for g in groups[:12])]
    reference = headline[0].value if headline else None
    return charts.rate_intervals(
        rows, title=f"Win rate with 95% intervals, overall and by {by}", reference=reference
    )


def weekly_trend_charts(report: WeeklyReport) -> list[tuple[str, SafeString]]:
    """One chart per trended figure: this team's weeks against the same weeks a year before."""
    out = []
    labels = [f"{w:%d %b}" for w in report.trend_weeks]
    for key, unit in TREND_LINES:
        trend = report.trend.get(key)
        if not trend:
            continue
        line = report.line(key)
        title = f"{line.current.label}: last {len(labels)} weeks"
        samples = ", ".join(str(n) for n in trend.samples)
        out.append(
            (
                key,
                charts.lines(
                    labels,
                    [
                        charts.Series(report.team, trend.values),
                        charts.Series("same weeks last year", trend.last_year, dashed=True),
                    ],
                    title=title,
                    desc=f"Samples per week: {samples}",
                    unit=unit,
                ),
            )
        )
    return out
