"""A hand-checked quarter (2024-Q2) of alice's work, shared by the scorecard tests.

The expected figures are worked out in the comments next to the rows that produce them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from presales.accounts.models import Account
from presales.activities.models import Activity, Kind
from presales.deals.models import Opportunity, Stage
from presales.meetings.models import Debrief, RaisedGap, Report
from presales.scorecards.models import SurveyResponse
from tests.conftest import Cast, make_account, make_activity, make_opportunity, make_product


def at(day: str, hour: int = 10) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


@dataclass
class Quarter2:
    account: Account
    d1: Opportunity
    d2: Opportunity
    d3: Opportunity
    demo: Activity


def build(cast: Cast) -> Quarter2:
    account = make_account(cast.north, "Acme Freight")
    gtx = make_product("GTX Pro")
    mg = make_product("MG Special", "55")
    # Deals alice supports. Win rate with SE: D1 won, D2 lost, D3 won -> 2 of 3 = 66.7 %.
    d1 = make_opportunity(
        account,
        owner=cast.bob,
        stage=Stage.WON,
        amount="30000",
        close=date(2024, 6, 15),
        engage_date=date(2024, 3, 1),
    )
    d2 = make_opportunity(
        account,
        owner=cast.bob,
        stage=Stage.LOST,
        amount="10000",
        close=date(2024, 5, 10),
        engage_date=date(2024, 2, 1),
    )
    d3 = make_opportunity(
        account,
        owner=cast.bob,
        stage=Stage.WON,
        amount="10000",
        close=date(2024, 4, 20),
        engage_date=date(2024, 4, 1),
    )
    # Open at the end of the quarter (2024-06-30): ages 29 and 61 days -> average 45.0.
    d5 = make_opportunity(
        account, owner=cast.bob, stage=Stage.DISCOVERY, amount="20000", engage_date=date(2024, 6, 1)
    )
    d6 = make_opportunity(
        account, owner=cast.bob, stage=Stage.DEMO, amount="40000", engage_date=date(2024, 4, 30)
    )
    # Pipeline: open on 2024-03-31 were D1 and D2 (40,000); at the end D5 and D6 (60,000):
    # growth 50.0 %.
    for deal in (d1, d2, d3, d5, d6):
        deal.sales_engineers.add(cast.alice)
    d1.products.set([gtx, mg])
    d3.products.set([gtx])
    # A won deal without an SE: not alice's, not in her win rate.
    make_opportunity(account, owner=cast.bob, stage=Stage.WON, close=date(2024, 5, 1))

    def act(kind: str, day: str, minutes: int, **extra: object) -> Activity:
        return make_activity(
            account=account,
            participants=[cast.alice],
            kind=kind,
            starts_at=at(day),
            minutes=minutes,
            status="held",
            **extra,
        )

    # Minutes 60 + 120 + 30 + 60 + 30 = 300, customer-facing 210 -> 70.0 % over 5 activities.
    demo = act(Kind.DEMO, "2024-04-10", 60)
    cancelled = act(Kind.DEMO, "2024-04-12", 90)
    cancelled.status = Activity.Status.CANCELLED
    cancelled.save()
    act(Kind.POC, "2024-05-02", 120, opportunity=d1)
    act(Kind.MEETING, "2024-05-20", 30)
    act(Kind.INTERNAL, "2024-06-01", 60, customer_facing=False)
    act(Kind.OUT_OF_BAND, "2024-06-03", 30, customer_facing=False)
    # Debriefs: 1 of the 3 customer-facing meetings (demo, POC, meeting) -> 33.3 %.
    debrief = Debrief.objects.create(
        activity=demo, author=cast.alice, created_at=at("2024-04-10", 12)
    )
    # Feature requests: two raised by alice in the quarter, one by bob.
    for text, who in (("SAML", cast.alice), ("Audit API", cast.alice), ("Dark mode", cast.bob)):
        RaisedGap.objects.create(
            debrief=debrief,
            text=text,
            account=account,
            raised_by=who,
            created_at=at("2024-04-10", 13),
        )
    # Reports: one win/loss and one trip report published, a draft that does not count.
    for kind, published in (
        (Report.Kind.WIN_LOSS, at("2024-05-05")),
        (Report.Kind.TRIP, at("2024-06-06")),
        (Report.Kind.TRIP, None),
    ):
        Report.objects.create(
            kind=kind,
            title="r",
            summary="s",
            account=account,
            author=cast.alice,
            published_at=published,
        )
    # Survey: 8/10 and 6/10 from the visited account -> 70.0 % over 2; another account's
    # answer does not count.
    other = make_account(cast.north, "Elsewhere Ltd")
    for acc, score, day in (
        (account, "8", date(2024, 5, 1)),
        (account, "6", date(2024, 6, 1)),
        (other, "2", date(2024, 6, 1)),
    ):
        SurveyResponse.objects.create(
            account=acc,
            respondent="x",
            respondent_key=f"x{score}",
            score=Decimal(score),
            responded_on=day,
        )
    return Quarter2(account, d1, d2, d3, demo)
