"""The demo's deal workspace: qualification evidence, three-circles ratings, stakeholder
sentiment, business issues, debriefs with commitments and raised gaps, and a filled topic map.

A step of the demo generator, run after activities and notes. The circles ratings lean with
the deal's outcome (won deals tend to have overlapped early), so the analysis page has an
effect to find; how strongly is a choice of the demo, not a fact about sales.
"""

from __future__ import annotations

import math
import random
from datetime import date, datetime, time, timedelta
from typing import Any

from presales.activities.models import Activity
from presales.core.bulk import insert_new
from presales.deals.models import Stage
from presales.meetings.models import Commitment, Debrief, RaisedGap, Topic
from presales.qualification.models import (
    STAGE_ORDER,
    BusinessIssue,
    CirclesRating,
    Criterion,
    Evidence,
    Sentiment,
    Stakeholder,
    TeamFramework,
)

EVIDENCE = {
    "knows-what-buying": [
        "They described the rollout in their own words and it matches our proposal.",
        "The architect drew the target design with our appliance in it.",
    ],
    "access-to-buyer": [
        "The CFO joined the second half of the demo and asked about payback.",
        "We met the budget owner; she signs anything above the threshold.",
    ],
    "budget": [
        "Funds are in next year's capital plan, line item confirmed by finance.",
        "They quoted a budget range that covers the proposal.",
    ],
    "date-motivation": [
        "Support for the current platform ends at the end of the quarter.",
        "The audit finding must be closed before the regulator's next visit.",
    ],
    "identified-project": [
        "The data-centre refresh has a project manager and a kickoff date.",
        "Our product is a named workstream in the migration project.",
    ],
}
AGAINST = [
    "Still only talking with the IT manager; the buyer has not been named.",
    "Finance says no budget until the new fiscal year.",
    "No date pushes them; they are happy to wait.",
]
CIRCLES = [
    ("We run stores", "You sell servers", "Faster tills, maybe", "We cut their checkout downtime"),
    ("We move freight", "You are a hardware vendor", "Lower costs", "We make tracking real time"),
    ("We treat patients", "You do IT boxes", "Nothing clinical", "We free nurses from paperwork"),
    ("We build software", "You sell GTX machines", "More build capacity", "We halve build times"),
]
ISSUES = [
    ("Our nightly batch misses the 6am window twice a week.", "Batch runs finish too late."),
    ("We lose a day every quarter to manual audit exports.", "Audit preparation is manual."),
    ("Our stores go offline when the link drops.", "Store systems depend on one link."),
    ("Engineers wait an hour for every build.", "Slow builds cost engineering time."),
]
WENT_RIGHT = [
    "The live demo answered the architect's questions.",
    "The customer walked us through their roadmap unprompted.",
    "We agreed the success criteria for the trial.",
]
WENT_WRONG = [
    "We ran out of time before pricing.",
    "The demo environment was slow to start.",
    "The buyer left after ten minutes.",
    "",
]
NEXT_STEPS = [
    "Send the sizing worksheet and book the technical workshop.",
    "Set up the trial environment and share credentials.",
    "Get a meeting with the budget owner.",
]
FEEDBACK_REP = ["Your architecture slide was clear.", "On licensing you dwelt on our limits.", ""]
FEEDBACK_SE = ["Pricing numbers were out of date.", "Your opening framed the problem well.", ""]
PROMISES = [
    ("ours", "Send the SOC 2 report"),
    ("ours", "Share the sizing worksheet"),
    ("theirs", "Send the current architecture diagram"),
    ("theirs", "Introduce us to the procurement lead"),
    ("internal", "Update the proposal with the new discount"),
]
GAPS = [
    "SCIM provisioning for Okta",
    "Export audit logs to Splunk",
    "An ARM build of the agent",
    "Offline mode for the field tablets",
]
ANSWERS = {
    "Security": "Encryption at rest and in transit, SSO, a yearly pen test.",
    "Audit": "Every admin action is logged with who, what, when; logs export as JSON.",
    "Compliance": "SOC 2 Type II report under NDA; GDPR data processing agreement ready.",
    "CVEs": "Patched within 14 days for high severity; advisories on the status page.",
    "Access control": "Role-based access with SAML SSO; SCIM is on the roadmap.",
    "Pricing": "List prices per unit; volume bands start at ten units.",
}


def populate(builder: Any) -> None:
    """Add the workspace layer to the deals and meetings the builder made."""
    rng: random.Random = builder.rng
    now: datetime = builder.now
    criteria = {c.key: c for c in Criterion.objects.filter(framework__slug="four-and-a-half")}
    evidence: list[Evidence] = []
    circles: list[CirclesRating] = []
    stances: list[Stakeholder] = []
    issues: list[BusinessIssue] = []
    for n, deal in enumerate(builder.deal_list):
        opp = deal.obj
        people = builder.contacts.get(opp.account_id or -1, [])
        author = (deal.ses or [opp.owner])[0]
        start = deal.path[0][1]
        # Nothing is recorded on a deal after it closed, nor after the demo's present moment.
        last = deal.path[-1][1] if opp.stage in (Stage.WON, Stage.LOST) else now
        reached = max(STAGE_ORDER.get(s, 0) for s, _ in deal.path)
        for c in criteria.values():
            gate = STAGE_ORDER.get(c.required_from_stage, 0)
            if rng.random() < (0.9 if reached >= gate else 0.3):
                supports = rng.random() < (0.9 if opp.stage != Stage.LOST else 0.5)
                text = rng.choice(EVIDENCE[c.key]) if supports else rng.choice(AGAINST)
                at = start + timedelta(days=rng.randint(2, 40))
                evidence.append(
                    Evidence(
                        opportunity=opp,
                        criterion=c,
                        text=text,
                        supports=supports,
                        recorded_by=author,
                        recorded_at=min(at, last),
                    )
                )
        if deal.ses and rng.random() < 0.7:
            lean = 1.0 if opp.stage == Stage.WON else -1.0 if opp.stage == Stage.LOST else 0.0
            overlap = max(1, min(5, round(rng.gauss(3 + 0.9 * lean, 1.0))))
            first = min(start + timedelta(days=rng.randint(3, 25)), last)
            for i in range(rng.choice([1, 1, 2, 3])):
                they_do, we_do, possible, ours = rng.choice(CIRCLES)
                circles.append(
                    CirclesRating(
                        opportunity=opp,
                        they_do=they_do,
                        they_think_we_do=we_do,
                        they_think_possible=possible,
                        our_view=ours,
                        overlap=max(1, min(5, overlap + i * rng.choice([0, 1]))),
                        recorded_by=author,
                        recorded_at=min(first + timedelta(days=20 * i), last),
                    )
                )
        for contact in rng.sample(people, k=min(len(people), rng.randint(1, 3))):
            stances.append(
                Stakeholder(
                    opportunity=opp,
                    contact=contact,
                    sentiment=rng.choice(Sentiment.values),
                    updated_by=author,
                    updated_at=min(start + timedelta(days=rng.randint(5, 60)), last),
                )
            )
        if rng.random() < 0.4:
            words, paraphrase = rng.choice(ISSUES)
            confirmed = rng.random() < 0.5
            made = min(start + timedelta(days=rng.randint(1, 20)), last)
            confirmed = confirmed and made + timedelta(days=7) <= now
            issues.append(
                BusinessIssue(
                    opportunity=opp,
                    customer_words=words,
                    paraphrase=paraphrase,
                    confirmed_on=(made + timedelta(days=7)).date() if confirmed else None,
                    confirmed_by=rng.choice(people) if confirmed and people else None,
                    recorded_by=author,
                    created_at=made,
                )
            )
        if n % 500 == 0:
            builder.progress("workspace", n, len(builder.deal_list))
    # Every demo team qualifies with "4½ things", which also turns its stage gates on.
    shipped = next(iter(criteria.values())).framework
    TeamFramework.objects.bulk_create(
        TeamFramework(team=team, framework=shipped, chosen_at=now) for team in builder.teams
    )
    insert_new(Evidence, evidence, batch=2000)
    insert_new(CirclesRating, circles, batch=2000)
    Stakeholder.objects.bulk_create(stances, batch_size=2000, ignore_conflicts=True)
    insert_new(BusinessIssue, issues, batch=2000)
    _debriefs(builder, rng, now)
    for name, answer in ANSWERS.items():
        Topic.objects.filter(team__isnull=True, name=name).update(answer=answer, updated_at=now)
    builder.counts["evidence"] = len(evidence)
    builder.counts["circles ratings"] = len(circles)
    builder.counts["business issues"] = len(issues)
    builder.progress("workspace", len(builder.deal_list), len(builder.deal_list))


def _debriefs(builder: Any, rng: random.Random, now: datetime) -> None:
    recent = now - timedelta(days=60)
    held = [
        a
        for a in builder.activity_list
        if a.status == Activity.Status.HELD
        and a.customer_facing
        and a.opportunity_id
        and a.account_id
    ]
    debriefs: list[Debrief] = []
    for a in held:
        # Recent meetings are mostly debriefed; some are left so the dashboard has a nag.
        if rng.random() < (0.75 if a.starts_at >= recent else 0.12):
            written = min(a.ends_at + timedelta(minutes=rng.randint(5, 300)), now)
            debriefs.append(
                Debrief(
                    activity=a,
                    author=rng.choice(builder.activity_people.get(a.pk) or [None]),
                    went_right=rng.choice(WENT_RIGHT),
                    went_wrong=rng.choice(WENT_WRONG),
                    next_steps=rng.choice(NEXT_STEPS),
                    same_page=rng.choice(["yes", "yes", "partly", "no"]),
                    feedback_rep_to_se=rng.choice(FEEDBACK_REP),
                    feedback_se_to_rep=rng.choice(FEEDBACK_SE),
                    created_at=written,
                    updated_at=min(written + timedelta(minutes=rng.choice([0, 0, 10, 45])), now),
                )
            )
    insert_new(Debrief, debriefs, batch=2000)
    deals = {d.obj.pk: d for d in builder.deal_list}
    commitments: list[Commitment] = []
    gaps: list[RaisedGap] = []
    for d in debriefs:
        a = d.activity
        if a.account_id is None:
            continue
        if d.author is not None and rng.random() < 0.4:
            commitment = _commitment(builder, rng, d, deals.get(a.opportunity_id or -1))
            if commitment is not None:
                commitments.append(commitment)
        if rng.random() < 0.2:
            gaps.append(
                RaisedGap(
                    debrief=d,
                    text=rng.choice(GAPS),
                    account_id=a.account_id,
                    opportunity_id=a.opportunity_id,
                    raised_by=d.author,
                    created_at=d.created_at,
                )
            )
    insert_new(Commitment, commitments, batch=2000)
    insert_new(RaisedGap, gaps, batch=2000)
    builder.counts["debriefs"] = len(debriefs)
    builder.counts["commitments"] = len(commitments)


def _commitment(builder: Any, rng: random.Random, d: Debrief, deal: Any) -> Commitment | None:
    """A promise made in the debriefed meeting, between two different parties.

    Most promises are kept or broken around their due date; one still open after its date is
    usually only days late, rarely a few months, and none is left open for half a year."""
    now: datetime = builder.now
    today: date = builder.today
    a = d.activity
    author = d.author
    if author is None or a.account_id is None:
        return None
    direction, what = rng.choice(PROMISES)
    customer = rng.choice(builder.contacts.get(a.account_id) or [None])
    customer_name = customer.full_name if customer else "the customer"
    if direction == "internal":
        ours = [*(builder.activity_people.get(a.pk) or []), *(deal.ses if deal else [])]
        if deal is not None:
            ours.append(deal.obj.owner)
        others = [p for p in ours if p is not None and p.pk != author.pk]
        if not others:
            return None
        by, to = str(author), str(rng.choice(others))
    elif direction == "theirs":
        by, to = customer_name, str(author)
    else:
        by, to = str(author), customer_name
    due = a.starts_at.date() + timedelta(days=rng.randint(2, 21))
    status, resolved = Commitment.Status.OPEN, None
    late = (today - due).days
    if late > 0:
        still_open = 0.4 * math.exp(-late / 10) + (0.01 if late <= 120 else 0.0)
        if rng.random() >= still_open:
            kept = rng.random() < 0.8
            status = Commitment.Status.KEPT if kept else Commitment.Status.BROKEN
            # Kept on or before the date; called broken once it had passed.
            shift = -rng.randint(0, 3) if kept else rng.randint(1, 14)
            resolved = datetime.combine(due + timedelta(days=shift), time(16), tzinfo=now.tzinfo)
            resolved = min(max(resolved, d.created_at + timedelta(hours=1)), now)
    elif rng.random() < 0.15 and d.created_at + timedelta(days=1) <= now:
        status, resolved = Commitment.Status.KEPT, d.created_at + timedelta(days=1)
    return Commitment(
        account_id=a.account_id,
        opportunity_id=a.opportunity_id,
        activity=a,
        direction=direction,
        what=what,
        promised_by=by,
        promised_to=to,
        owner=author,
        due_on=due,
        status=status,
        resolved_at=resolved,
        created_by=author,
        created_at=d.created_at,
    )
