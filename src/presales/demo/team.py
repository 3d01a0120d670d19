"""The demo's SE team layer: a skills catalog with self and manager levels for every SE, their
time zones, each team's capacity thresholds, the requesting department of every out-of-band
activity (with extra firefighting piled on a few people, as real teams see it) and two years of
requests for SE help on the deals. A step of the demo generator, run after the activities.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.db.models import F
from django.utils import timezone

from presales.activities.models import Activity, Kind
from presales.core.bulk import insert_new
from presales.deals.models import Stage
from presales.demo import team_field
from presales.team.models import (
    RESPONSE_TARGET_HOURS,
    CapacityPolicy,
    OutOfBandSource,
    Profile,
    RequestKind,
    SERequest,
    Skill,
    SkillLevel,
)

DOMAINS = ["Security", "Kubernetes", "Identity and SSO", "Data integration", "Networking"]
INDUSTRIES = ["Finance", "Healthcare", "Retail", "Manufacturing", "Public sector"]
LANGUAGES = ["English", "German", "French", "Spanish", "Japanese"]
PRESENTING = ["Presenting", "Storytelling"]
ZONES = {
    "Central": ["America/Chicago", "America/Denver"],
    "East": ["America/New_York", "Europe/London"],
    "West": ["America/Los_Angeles", "America/Denver"],
}
DEPARTMENTS = [
    "Support",
    "Marketing",
    "Customer success",
    "Another region's sales",
    "Partner team",
    "Product management",
    "Renewals",
]
REPEATS = [
    ("Support", "Reset the demo licence server again"),
    ("Support", "Reproduce the connector sync bug for a support ticket"),
    ("Marketing", "Build the webinar demo environment"),
    ("Renewals", "Fill in a security questionnaire for a renewal"),
    ("Product management", "Explain the SSO setup to a new product manager"),
]
EVIDENCE = [
    "Certified last year",
    "Ran three demos of it this quarter",
    "Won a POC on it",
    "Attended the internal training",
    "",
]
STAGE_REQUEST = {
    Stage.DISCOVERY: "discovery",
    Stage.DEMO: "demo",
    Stage.POC: "poc",
    Stage.PROPOSAL: "rfp",
    Stage.NEGOTIATION: "architecture",
}


def populate(builder: Any) -> None:
    rng = builder.rng
    catalog = (
        [(p.name, Skill.Category.PRODUCT) for p in builder.products]
        + [(n, Skill.Category.DOMAIN) for n in DOMAINS]
        + [(n, Skill.Category.INDUSTRY) for n in INDUSTRIES]
        + [(n, Skill.Category.LANGUAGE) for n in LANGUAGES]
        + [(n, Skill.Category.PRESENTING) for n in PRESENTING]
    )
    known = {s.name: s for s in Skill.objects.all()}  # a catalog outlives a demo's people
    Skill.objects.bulk_create(Skill(name=n, category=c) for n, c in catalog if n not in known)
    by_name = {s.name: s for s in Skill.objects.all()}
    skills = [by_name[n] for n, _ in catalog]
    levels = []
    for se in builder.all_ses:
        for skill in rng.sample(skills, k=rng.randint(6, 11)):
            manager = rng.randint(1, 4)
            # People rate themselves higher the less they know (and the experts a bit lower).
            own = min(4, manager + rng.choice([0, 1, 1, 2])) if manager < 3 else manager
            own = own - 1 if manager == 4 and rng.random() < 0.3 else own
            levels.append(
                SkillLevel(
                    user=se,
                    skill=skill,
                    self_level=own,
                    manager_level=manager if rng.random() < 0.85 else None,
                    evidence=rng.choice(EVIDENCE),
                )
            )
    insert_new(SkillLevel, levels)
    regions = {t.pk: t.region.name for t in builder.teams}
    Profile.objects.bulk_create(
        Profile(
            user=se,
            time_zone=rng.choice(ZONES.get(regions.get(se.team_id, ""), ["UTC"])),
        )
        for se in builder.all_ses
    )
    CapacityPolicy.objects.bulk_create(CapacityPolicy(team=t) for t in builder.teams)
    CapacityPolicy.objects.filter(team__in=builder.teams).update(updated_at=builder.now)
    _out_of_band(builder)
    _requests(builder)
    team_field.populate(builder)
    builder.counts["skill levels"] = len(levels)


def _out_of_band(builder: Any) -> None:
    rng = builder.rng
    sources = [
        OutOfBandSource(activity=a, department=rng.choice(DEPARTMENTS))
        for a in builder.activity_list
        if a.kind == Kind.OUT_OF_BAND
    ]
    # The organization of last resort: the few people everyone knows will say yes.
    favourites = rng.sample(builder.all_ses, k=min(3, len(builder.all_ses)))
    extra: list[Activity] = []
    people: list[tuple[Any, str]] = []
    first = builder.today - timedelta(days=730)
    tz = timezone.get_current_timezone()
    per_person = max(30, round(400 * builder.scale))
    for se in favourites:
        for _ in range(per_person):
            department, problem = rng.choice(REPEATS)
            day = first + timedelta(days=rng.randint(0, 728))
            if day.weekday() > 4:
                day -= timedelta(days=day.weekday() - 4)
            start = datetime.combine(day, time(rng.choice([9, 11, 14, 16])), tzinfo=tz)
            extra.append(
                Activity(
                    kind=Kind.OUT_OF_BAND,
                    subject=problem,
                    starts_at=start,
                    ends_at=start + timedelta(minutes=rng.choice([30, 60, 90, 120])),
                    status=Activity.Status.HELD,
                    customer_facing=False,
                    source="demo",
                    external_id=f"ACT-OOB-{len(extra):06d}",
                    # Written down when it was asked, never later than the demo's moment.
                    created_at=min(start, builder.now),
                )
            )
            people.append((se, department))
    made = insert_new(Activity, extra, batch=2000)
    # bulk_create stamps updated_at with the clock; the demo's records were last touched when
    # they were written.
    Activity.objects.filter(pk__in=[a.pk for a in made]).update(updated_at=F("created_at"))
    link = Activity.participants.through
    link.objects.bulk_create(
        [link(activity_id=a.pk, user_id=se.pk) for a, (se, _) in zip(made, people, strict=True)],
        batch_size=5000,
    )
    sources += [
        OutOfBandSource(activity=a, department=d) for a, (_, d) in zip(made, people, strict=True)
    ]
    insert_new(OutOfBandSource, sources, batch=5000)
    builder.counts["out-of-band activities"] = len(sources)


def _requests(builder: Any) -> None:
    rng = builder.rng
    now = builder.now
    rows = []
    for deal in builder.deal_list:
        opp = deal.obj
        steps = [(s, at) for s, at in deal.path if s in STAGE_REQUEST]
        if not steps or not deal.ses or rng.random() > 0.35:
            continue
        stage, at = rng.choice(steps)
        created = at + timedelta(hours=rng.randint(1, 72))
        if created > now:
            continue
        urgency = rng.choice(["low", "normal", "normal", "normal", "high"])
        starts = (created + timedelta(days=rng.randint(2, 10))).date()
        ends = starts + timedelta(days=rng.choice([0, 1, 2, 5, 14 if stage == Stage.POC else 3]))
        target = RESPONSE_TARGET_HOURS[urgency]
        responded = created + timedelta(hours=rng.uniform(0.2, target * 1.6))
        se = rng.choice(deal.ses)
        open_deal = opp.stage not in (Stage.WON, Stage.LOST)
        # A request on an open deal is still in hand while its dates run, or when it is recent.
        if open_deal and (ends >= builder.today or created >= now - timedelta(days=21)):
            status = rng.choice([SERequest.Status.OPEN, SERequest.Status.ASSIGNED])
            status = SERequest.Status.ACCEPTED if rng.random() < 0.4 else status
        else:
            status = SERequest.Status.FULFILLED
        done = datetime.combine(
            ends + timedelta(days=rng.choice([0, 0, 0, -1, 1, 3])), time(17), tzinfo=now.tzinfo
        )
        rows.append(
            SERequest(
                kind=STAGE_REQUEST[stage],
                summary=f"{RequestKind(STAGE_REQUEST[stage]).label} for {opp.name}"[:200],
                account=opp.account,
                opportunity=opp,
                requested_by=opp.owner,
                team=opp.team,
                starts_on=starts,
                ends_on=ends,
                urgency=urgency,
                status=status,
                assignee=None if status == SERequest.Status.OPEN else se,
                assigned_by=None,
                created_at=created,
                responded_at=None if status == SERequest.Status.OPEN else min(responded, now),
                fulfilled_at=min(done, now) if status == SERequest.Status.FULFILLED else None,
            )
        )
    insert_new(SERequest, rows, batch=2000)
    builder.counts["requests for SE help"] = len(rows)


def rebuild_totals() -> None:
    """The demo writes its activities in bulk: capacity's weekly totals are computed once, last."""
    from presales.team.weekly import rebuild

    rebuild()
