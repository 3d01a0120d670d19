"""The qualification pages' charts: the three circles, their overlap over time and the
stakeholder map, drawn with ``core.charts``."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.safestring import SafeString

from presales.accounts.models import Contact
from presales.core import charts
from presales.core.stats import Figure
from presales.qualification.analytics import CirclesAnalysis, OverlapOverTime
from presales.qualification.models import CirclesRating, Sentiment
from presales.qualification.services import StakeholderMap

CIRCLE_LABELS = ("What they think they do", "What they think we do", "What they think possible")
# Columns from against to for, then the people nobody has read yet.
SENTIMENT_ORDER = (
    Sentiment.OPPOSED,
    Sentiment.SKEPTICAL,
    Sentiment.NEUTRAL,
    Sentiment.SUPPORTIVE,
    Sentiment.CHAMPIONS,
    Sentiment.UNKNOWN,
)
TINTS = {
    Sentiment.OPPOSED: "#ffebe9",
    Sentiment.SKEPTICAL: "#fff4e5",
    Sentiment.NEUTRAL: "#f6f8fa",
    Sentiment.SUPPORTIVE: "#e6f6ea",
    Sentiment.CHAMPIONS: "#dafbe1",
    Sentiment.UNKNOWN: "#ffffff",
}


def deal_circles(ratings: Sequence[CirclesRating]) -> SafeString:
    rated = [r for r in ratings if r.overlap is not None]
    latest = rated[-1].overlap if rated else None
    return charts.three_circles(
        latest, title="The prospect's three circles, latest rating", labels=CIRCLE_LABELS
    )


def deal_overlap_trend(ratings: Sequence[CirclesRating]) -> SafeString:
    # Unrated entries (an empty submit is refused, but a rating may leave the overlap out)
    # are not points on the line.
    ratings = [r for r in ratings if r.overlap is not None]
    return charts.lines(
        [f"{r.recorded_at:%d %b %y}" for r in ratings],
        [charts.Series("Overlap (1 to 5)", [float(r.overlap or 0) for r in ratings])],
        title="Circles overlap over time on this deal",
        desc=f"{len(ratings)} ratings",
        top=5,
    )


def stakeholder_chart(stakeholders: StakeholderMap) -> SafeString:
    sentiments = dict(Sentiment.choices)
    roles = [*Contact.DealRole.choices, ("", "No role named")]
    people = [
        charts.MapPerson(
            name=r.contact.full_name,
            role=r.role if r.role in dict(Contact.DealRole.choices) else "",
            sentiment=r.sentiment,
            detail=", ".join(x for x in (r.contact.title, r.comment) if x),
        )
        for r in stakeholders.rows
    ]
    used_roles = [(k, v) for k, v in roles if any(p.role == k for p in people) or k]
    return charts.stakeholder_map(
        people,
        roles=used_roles,
        sentiments=[(str(s), sentiments[s]) for s in SENTIMENT_ORDER],
        title="Stakeholders by role and sentiment",
        tints={str(k): v for k, v in TINTS.items()},
    )


def analysis_win_rates(result: CirclesAnalysis) -> SafeString:
    groups = [*result.groups, result.reference]
    rows = [
        Figure(
            g.label,
            g.win_rate.value,
            g.win_rate.successes,
            g.win_rate.n,
            low=g.win_rate.low,
            high=g.win_rate.high,
            unit="%",
            note="too few" if g.closed < 10 else "",
        )
        for g in groups
    ]
    return charts.rate_intervals(
        rows,
        title="Win rate by early circles overlap, with 95% intervals",
        reference=result.reference.win_rate.value,
    )


def analysis_circles(result: CirclesAnalysis) -> list[tuple[str, SafeString]]:
    """The circles as each group's deals looked early on (overlap 2, 3 and 5)."""
    drawn = {"low": 2, "mid": 3, "high": 5}
    labels = ("they do", "we do", "possible")
    return [
        (g.label, charts.three_circles(drawn[g.key], title=g.label, labels=labels))
        for g in result.groups
    ]


def analysis_overlap_over_time(data: OverlapOverTime) -> SafeString:
    return charts.lines(
        [f"month {m + 1}" for m in data.months],
        [
            charts.Series("Won deals", data.won),
            charts.Series("Lost deals", data.lost, dashed=True),
        ],
        title="Mean circles overlap by month since engagement, won and lost deals",
        desc=(
            f"{sum(data.won_n)} ratings on won deals, {sum(data.lost_n)} on lost deals; "
            f"per month won {data.won_n}, lost {data.lost_n}"
        ),
        top=5,
    )
