"""The demo's product gaps: most of the debriefs' raised gaps become product gaps, plus
requests written straight down, with answers of every kind and some maybes left to age. As a
product manager keeps the list: one gap per need with one answer, every deal of every team
that needs it linked to it (the team that first raised it owns it).

A step of the demo generator, run after the workspace step (which writes the raised gaps).
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from django.db.models.functions import Coalesce

from presales.core.bulk import insert_new
from presales.deals.models import Opportunity, Stage
from presales.gaps.models import (
    GapAnswer,
    GapOpportunity,
    Impact,
    Origin,
    ProductGap,
    Status,
)
from presales.gaps.services import converted_key, refresh_figures
from presales.gaps.similarity import index_gap_words
from presales.meetings.models import RaisedGap
from presales.people.models import Role, User

AREAS = {
    "SCIM provisioning for Okta": "Identity",
    "Export audit logs to Splunk": "Security",
    "An ARM build of the agent": "Platform",
    "Offline mode for the field tablets": "Mobile",
}
WRITTEN = [
    ("Parquet export of usage reports", "Reporting", "They load everything into a lake."),
    ("Role-based dashboards per region", "Reporting", "Regional leads must not see others."),
    ("Customer-managed encryption keys", "Security", "Their regulator requires BYOK."),
    ("Terraform provider for appliance setup", "Platform", "Infra is all code there."),
    ("Bulk firmware update across sites", "Platform", "200 stores, one night window."),
    ("Dark mode in the admin console", "Console", "Night-shift operators asked."),
    ("Webhook on every alert", "Integrations", "They page through their own tool."),
    ("ServiceNow ticket sync", "Integrations", "Every incident lives in ServiceNow."),
    ("Data residency in the EU region", "Security", "Data may not leave the EU."),
    ("Multi-tenant admin for resellers", "Console", "Their MSP partner runs 40 tenants."),
    ("IPv6-only network support", "Platform", "New sites get no IPv4 addresses at all."),
    ("Per-site usage caps", "Console", "Each branch has its own budget to stay within."),
    ("Scheduled PDF reports by email", "Reporting", "Directors will not log in to read them."),
    ("FIPS 140-3 validated crypto module", "Security", "A federal contract requires it."),
    ("Read-only API tokens", "Integrations", "Their BI tool must not be able to change data."),
    ("Spanish and Portuguese console", "Console", "Operators in two countries work in them."),
    ("Hardware health in the Grafana dashboards", "Integrations", "Ops lives in Grafana."),
    ("Two-person approval for firmware rollback", "Security", "Change control requires it."),
]
WORKAROUNDS = ["", "", "A nightly CSV export and a script.", "Manual setup by our services team."]
RELEASES = ["7.1", "7.2", "7.3", "8.0"]
PLANNED = ["SSO, audit export", "the mobile app, reporting", "API v2, SCIM"]


def _answer(
    gap: ProductGap, rng: random.Random, pm: User | None, today: Any, now: Any
) -> GapAnswer | None:
    """Give the gap an answer of a kind drawn for the demo; None leaves it under review."""
    roll = rng.random()
    when = gap.created_at + timedelta(days=rng.randint(2, 12))
    if when > now:
        roll = 1.0  # too recent to have an answer yet
    if roll < 0.35:
        gap.status = Status.COMMITTED
        gap.committed_release = rng.choice(RELEASES)
        gap.answer_text = f"It is committed for release {gap.committed_release}."
        detail = gap.committed_release
    elif roll < 0.5:
        gap.status = Status.DECLINED
        gap.declined_reason = "Outside the product's direction for the next year."
        gap.answer_text = "We will not build this; the workaround stays supported."
        detail = gap.declined_reason
    elif roll < 0.62:
        gap.status = Status.CUSTOMER_RANKED
        gap.customer_rank = rng.randint(1, 3)
        gap.ranked_against = rng.choice(PLANNED)
        gap.answer_text = "You ranked it against our other plans; we build in your order."
        detail = f"#{gap.customer_rank} against {gap.ranked_against}"
    else:
        # Under review: about half are past their due date, the maybes that age.
        overdue = rng.random() < 0.5
        gap.review_due_on = today - timedelta(
            days=rng.randint(1, 40) if overdue else -rng.randint(2, 20)
        )
        return None
    gap.review_due_on = None
    gap.answered_at, gap.answered_by = when, pm
    return GapAnswer(
        gap=gap,
        status=gap.status,
        detail=detail,
        answer_text=gap.answer_text,
        answered_by=pm,
        answered_at=when,
    )


def populate(builder: Any) -> None:
    rng = random.Random(builder.rng.random())
    today = builder.today
    pm = User.objects.filter(role=Role.PRODUCT_MANAGER).order_by("pk").first()
    raised = list(RaisedGap.objects.select_related("opportunity").order_by("created_at", "pk"))
    gaps: dict[str, ProductGap] = {}
    links: dict[tuple[int, int], GapOpportunity] = {}
    converted: list[tuple[RaisedGap, str]] = []
    for item in raised:
        if rng.random() < 0.25:
            continue  # left for an SE to turn into a product gap
        deal = item.opportunity
        team_id = deal.team_id if deal else None
        key = item.text
        if key not in gaps:
            gaps[key] = ProductGap(
                title=item.text,
                description=f"Raised in a debrief: {item.text}.",
                product_area=AREAS.get(item.text, ""),
                account_id=item.account_id,
                team_id=team_id,
                workaround=rng.choice(WORKAROUNDS),
                proposed_by=item.raised_by,
                origin=Origin.DEBRIEF,
                created_at=item.created_at,
                review_due_on=(item.created_at + timedelta(days=14)).date(),
            )
        converted.append((item, key))
    deals = [d.obj for d in builder.deal_list if d.obj.account_id]
    written: list[tuple[ProductGap, list[Opportunity]]] = []
    for title, area, why in WRITTEN:
        teams = rng.sample(builder.teams, k=rng.choice([1, 1, 2, 3]))
        touched: list[Opportunity] = []
        for team in teams:
            team_deals = [d for d in deals if d.team_id == team.pk]
            touched += rng.sample(team_deals, k=min(len(team_deals), rng.randint(1, 5)))
        if not touched:
            continue
        first = min(touched, key=lambda d: d.engage_date or today)
        made = builder.now - timedelta(days=rng.randint(5, 200))
        gap = ProductGap(
            title=title,
            description=why,
            product_area=area,
            account_id=first.account_id,
            team=teams[0],
            workaround=rng.choice(WORKAROUNDS),
            origin=Origin.PAGE,
            created_at=made,
            review_due_on=(made + timedelta(days=14)).date(),
        )
        written.append((gap, touched))
    all_gaps = [*gaps.values(), *(g for g, _ in written)]
    answers = [
        a for a in (_answer(g, rng, pm, today, builder.now) for g in all_gaps) if a is not None
    ]
    insert_new(ProductGap, all_gaps, batch=1000)
    for item, key in converted:
        gap = gaps[key]
        item.converted_to = converted_key(gap)
        deal = item.opportunity
        if deal is not None and (gap.pk, deal.pk) not in links:
            links[(gap.pk, deal.pk)] = _link(gap, deal, rng, item.created_at)
    for gap, touched in written:
        for deal in touched:
            links.setdefault((gap.pk, deal.pk), _link(gap, deal, rng, gap.created_at))
    RaisedGap.objects.bulk_update([item for item, _ in converted], ["converted_to"], 2000)
    GapOpportunity.objects.bulk_create(links.values(), batch_size=2000)
    insert_new(GapAnswer, answers, batch=2000)
    index_gap_words(all_gaps)
    refresh_figures(gap_ids=[g.pk for g in all_gaps])
    # Refreshing the figures saved the gaps; they last changed when they were answered.
    ProductGap.objects.filter(pk__in=[g.pk for g in all_gaps]).update(
        updated_at=Coalesce("answered_at", "created_at")
    )
    builder.counts["product gaps"] = len(all_gaps)
    builder.counts["gap links"] = len(links)
    builder.progress("gaps", len(all_gaps), len(all_gaps))


def _link(gap: ProductGap, deal: Opportunity, rng: random.Random, at: Any) -> GapOpportunity:
    impact = rng.choices(
        [Impact.DEAL_BREAKER, Impact.IMPORTANT, Impact.NICE_TO_HAVE], weights=[2, 5, 3]
    )[0]
    cited = deal.stage == Stage.LOST and impact != Impact.NICE_TO_HAVE and rng.random() < 0.6
    return GapOpportunity(
        gap=gap,
        opportunity=deal,
        impact=impact,
        cited_as_loss_reason=cited,
        linked_at=max(at, deal.created_at),
    )
