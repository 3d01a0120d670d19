"""The demo's catalog, lab and proofs of concept: about 40 demos (a master library curated by
the SE managers and the SEs' own, a few retired and forked), the demos shown in the demo's held
demo meetings, three labs with their environments and reservations, and a POC on every deal
that reached the POC stage, graded and closed as the deal went. A step of the demo generator,
run after the activities; nothing it writes as past lies after the generator's "now".
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from django.db.models import F
from django.db.models.functions import Coalesce, Greatest

from presales.accounts.models import Contact
from presales.activities.models import Activity, Kind
from presales.deals.models import Opportunity, Stage, StageChange
from presales.demo._common import SOURCE, _bulk
from presales.demos.facts import rebuild
from presales.demos.models import Demo, DemoShown, FactsRebuild
from presales.lab.models import Environment, Lab, Reservation
from presales.pocs.models import (
    Criterion,
    Grade,
    Poc,
    PocLimit,
    Prerequisite,
    PrerequisiteCheck,
)

STORIES = [
    ("SSO in five minutes", "IT admin, CISO", "Log in through the customer's identity provider"),
    ("Zero-downtime upgrade", "Platform engineer", "Roll a cluster forward while traffic flows"),
    ("Audit trail end to end", "Compliance officer", "Trace one change from request to report"),
    ("Self-service onboarding", "Line manager", "A new hire gets every account on day one"),
    ("Cost dashboard", "CFO, FinOps lead", "Spend by team with the forecast beside it"),
    ("Disaster recovery drill", "CIO", "Fail over a region and back in one call"),
    ("Data connector tour", "Data engineer", "Connect three sources and join them live"),
    ("Mobile field app", "Field operations", "Offline work orders that sync on return"),
    ("Policy as code", "Security architect", "Write a policy and watch it block a deploy"),
    ("Executive overview", "CEO, economic buyer", "Ten minutes on outcomes, no screens of code"),
    ("API in an afternoon", "Developer", "From a key to a working integration"),
    ("Ransomware recovery", "CISO", "Restore clean data after a simulated attack"),
    ("Workflow builder", "Business analyst", "Automate an approval without code"),
    ("Reporting for regulators", "Risk officer", "The quarterly filing built from live data"),
]
INDUSTRIES = ["", "", "Finance", "Healthcare", "Retail", "Manufacturing", "Public sector"]
FORMATS = ["live", "live", "live", "recorded", "click_through", "self_guided"]
LABS = [
    ("Central lab", "central", ["Identity stack", "Kubernetes cluster", "Data platform"]),
    ("EMEA regional lab", "regional", ["Identity stack", "Field app sandbox"]),
    ("Americas regional lab", "regional", ["Kubernetes cluster", "Finance sandbox"]),
]
CRITERIA = [
    "Single sign-on works with the customer's identity provider",
    "A report of last quarter runs in under a minute",
    "The upgrade causes no downtime",
    "Their data connects without custom code",
]
MET = {
    True: [Grade.EXCEEDS, Grade.MEETS, Grade.MEETS, Grade.PARTIALLY],
    False: [Grade.PARTIALLY, Grade.DOES_NOT_MEET, Grade.MEETS],
}


def _catalog(builder: Any) -> list[Demo]:
    rng = builder.rng
    managers = builder.se_managers or builder.all_ses[:1]
    demos: list[Demo] = []
    for i, (title, personas, summary) in enumerate(STORIES):
        curator = managers[i % len(managers)]
        demos.append(
            Demo(
                title=title,
                summary=summary,
                personas=personas,
                industry=rng.choice(INDUSTRIES),
                format=rng.choice(FORMATS),
                duration_minutes=rng.choice([10, 15, 20, 30, 45]),
                script=f"1. Set the scene: {summary.lower()}.\n2. Show it live.\n3. Ask what "
                "it would change for them.",
                prerequisites="A lab environment reset the day before; the customer's logo.",
                environment_needed=rng.choice(["Identity stack", "Kubernetes cluster", ""]),
                links="https://demos.example.com/" + title.lower().replace(" ", "-"),
                owner=curator,
                state=Demo.State.MASTER,
                curated_by=curator,
                created_at=builder.now - timedelta(days=rng.randint(300, 700)),
            )
        )
        demos[-1].curated_at = demos[-1].created_at + timedelta(days=14)
    for i in range(26):
        se = builder.all_ses[(i * 7) % len(builder.all_ses)]
        title, personas, summary = STORIES[i % len(STORIES)]
        variant = ["for retail", "short cut", "deep dive", "with their data"][i % 4]
        state = Demo.State.SHARED if i % 5 else Demo.State.DRAFT
        if i in (3, 11, 19):
            state = Demo.State.RETIRED
        # A few SEs' own versions were good enough for the master library: a manager put them
        # there later, so they count as contributions on the SEs' scorecards.
        curated = i in (6, 17)
        if curated:
            state = Demo.State.MASTER
        created_at = builder.now - timedelta(days=rng.randint(30, 500))
        demos.append(
            Demo(
                title=f"{title}, {variant} ({se.first_name})",
                summary=summary,
                personas=personas,
                format=rng.choice(FORMATS),
                duration_minutes=rng.choice([15, 30, 45, 60]),
                script=f"My version: {summary.lower()}, {variant}.",
                owner=se,
                state=state,
                version=rng.randint(1, 4),
                created_at=created_at,
                curated_by=managers[i % len(managers)] if curated else None,
                curated_at=created_at + (builder.now - created_at) / 2 if curated else None,
            )
        )
    demos = _bulk(Demo, demos)
    Demo.objects.filter(pk__in=[d.pk for d in demos]).update(
        updated_at=Greatest(F("created_at"), Coalesce(F("curated_at"), F("created_at")))
    )
    masters = demos[: len(STORIES)]
    forks = [d for d in demos[len(STORIES) :] if d.state != Demo.State.DRAFT]
    for i, demo in enumerate(forks):
        demo.forked_from = masters[i % len(masters)]
    Demo.objects.bulk_update(forks, ["forked_from"])
    through = Demo.products.through
    products = builder.products
    through.objects.bulk_create(
        through(demo_id=d.pk, product_id=p.pk)
        for d in demos
        for p in rng.sample(products, k=min(len(products), rng.randint(1, 2)))
    )
    return demos


def _shown(builder: Any, demos: list[Demo]) -> int:
    """Demos shown in the held demo meetings; some demos do better on deals that were won,
    as a real catalog has demos that work and demos that do not."""
    rng = builder.rng
    usable = [d for d in demos if d.state != Demo.State.DRAFT]
    strong = set(rng.sample([d.pk for d in usable], k=6))
    weak = set(rng.sample([d.pk for d in usable if d.pk not in strong], k=4))
    meetings = Activity.objects.filter(
        source=SOURCE,
        kind=Kind.DEMO,
        status=Activity.Status.HELD,
        opportunity__isnull=False,
        ends_at__lte=builder.now,
    ).values_list("pk", "opportunity__stage", "ends_at")
    rows = []
    for activity_id, stage, ended in meetings.iterator(5000):
        weights = []
        for demo in usable:
            weight = 1.0
            if stage == Stage.WON:
                weight = 1.6 if demo.pk in strong else 0.7 if demo.pk in weak else 1.0
            elif stage == Stage.LOST:
                weight = 0.7 if demo.pk in strong else 1.6 if demo.pk in weak else 1.0
            weights.append(weight)
        picked = {d.pk for d in rng.choices(usable, weights=weights, k=rng.randint(1, 2))}
        rows += [DemoShown(activity_id=activity_id, demo_id=pk, recorded_at=ended) for pk in picked]
    _bulk(DemoShown, rows)
    return len(rows)


def _labs(builder: Any) -> list[Environment]:
    """Three labs and their environments; like the skills catalog, a lab outlives a demo's
    people, so a lab already there is reused."""
    rng = builder.rng
    environments = []
    for i, (name, kind, runs) in enumerate(LABS):
        lab, _ = Lab.objects.update_or_create(
            name=name,
            defaults={
                "kind": kind,
                "region": None if kind == "central" else builder.regions[i % len(builder.regions)],
                "owner": rng.choice(builder.se_managers or builder.all_ses),
            },
        )
        for env in runs:
            found, _ = Environment.objects.update_or_create(
                lab=lab,
                name=env,
                defaults={
                    "runs": f"{env}: current release, demo data of three fictional customers",
                    "capacity": rng.choice([1, 2, 3]),
                    "access_link": f"https://lab.example.com/{lab.pk}/"
                    + env.lower().replace(" ", "-"),
                    "idle_hours": rng.choice([24, 48]),
                },
            )
            environments.append(found)
    return environments


def _reservations(builder: Any, environments: list[Environment]) -> int:
    """Reservations of the last 60 days and the next 14, for demo meetings and trainings,
    never more at once than an environment holds."""
    rng = builder.rng
    now = builder.now
    booked: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    rows = []
    deals = list(
        Opportunity.objects.filter(source=SOURCE, stage__in=[Stage.DEMO, Stage.POC]).values_list(
            "pk", "team_id"
        )[:200]
    )
    for _ in range(160):
        env = rng.choice(environments)
        start = now + timedelta(days=rng.randint(-60, 14), hours=rng.randint(-4, 4))
        start = start.replace(minute=0, second=0, microsecond=0)
        end = start + timedelta(hours=rng.choice([2, 4, 8, 24]))
        overlapping = [1 for s, e in booked[env.pk] if s < end and e > start]
        if len(overlapping) >= env.capacity:
            continue
        booked[env.pk].append((start, end))
        deal_id, team_id = rng.choice(deals) if deals and rng.random() < 0.7 else (None, None)
        se = rng.choice(builder.all_ses)
        over = end <= now
        rows.append(
            Reservation(
                environment=env,
                purpose=Reservation.Purpose.DEAL if deal_id else Reservation.Purpose.TRAINING,
                opportunity_id=deal_id,
                training="" if deal_id else "New-hire lab week",
                reserved_by=se,
                team_id=team_id or se.team_id,
                starts_at=start,
                ends_at=end,
                status=Reservation.Status.RELEASED if over else Reservation.Status.ACTIVE,
                released_at=end if over else None,
                last_used_at=min(start + timedelta(hours=1), now) if start <= now else None,
                created_at=min(start, now) - timedelta(days=rng.randint(1, 10)),
            )
        )
    _bulk(Reservation, rows)
    return len(rows)


def _pocs(builder: Any, environments: list[Environment]) -> int:
    """A POC on every deal that reached the POC stage: running while it is there, completed
    when it moved on (a success if the deal moved forward or was won, a failure if lost)."""
    rng = builder.rng
    changes: dict[int, list[tuple[datetime, str]]] = defaultdict(list)
    rows = StageChange.objects.filter(opportunity__source=SOURCE).order_by("changed_at", "pk")
    for deal_id, at, stage in rows.values_list("opportunity_id", "changed_at", "to_stage"):
        changes[deal_id].append((at, stage))
    deals = Opportunity.objects.filter(pk__in=list(changes)).prefetch_related("sales_engineers")
    contacts: dict[tuple[int, str], int] = {}
    for account_id, role, pk in Contact.objects.filter(
        deal_role__in=["champion", "economic_buyer"]
    ).values_list("account_id", "deal_role", "pk"):
        contacts.setdefault((account_id, role), pk)
    prerequisites = list(Prerequisite.objects.filter(active=True))
    pocs, plans = [], []
    for deal in deals:
        history = changes[deal.pk]
        entered = next((i for i, (_, s) in enumerate(history) if s == Stage.POC), None)
        if entered is None:
            continue
        start = history[entered][0]
        after = history[entered + 1] if entered + 1 < len(history) else None
        ses = list(deal.sales_engineers.all())
        se = ses[0] if ses else None
        running = after is None and deal.stage == Stage.POC
        success = after is not None and after[1] != Stage.LOST
        poc = Poc(
            opportunity=deal,
            title=f"POC: {deal.name}"[:200],
            se=se,
            status=Poc.Status.RUNNING if running else Poc.Status.COMPLETED,
            result=Poc.Result.PENDING
            if running
            else (Poc.Result.SUCCESS if success else Poc.Result.FAILURE),
            planned_start=start.date(),
            planned_end=(start + timedelta(days=21)).date(),
            started_on=start.date(),
            ended_on=None if running or after is None else after[0].date(),
            environment=rng.choice(environments),
            created_at=start - timedelta(days=3),
            created_by=se,
        )
        if not running and success and deal.account_id:
            signed = after[0] if after else start
            poc.champion_id = contacts.get((deal.account_id, "champion"))
            poc.champion_signed_at = signed if poc.champion_id else None
            poc.economic_buyer_id = contacts.get((deal.account_id, "economic_buyer"))
            poc.economic_buyer_signed_at = signed if poc.economic_buyer_id else None
        pocs.append(poc)
        plans.append((running, success, start, after[0] if after else None))
    pocs = _bulk(Poc, pocs)
    checks, criteria = [], []
    for poc, (running, success, start, ended) in zip(pocs, plans, strict=True):
        for p in prerequisites:
            checks.append(
                PrerequisiteCheck(
                    poc=poc,
                    prerequisite=p,
                    done=True,
                    checked_by=poc.se,
                    checked_at=start - timedelta(days=1),
                )
            )
        for i, text in enumerate(rng.sample(CRITERIA, k=rng.randint(2, 4))):
            graded = not running or rng.random() < 0.4
            criteria.append(
                Criterion(
                    poc=poc,
                    text=text,
                    position=i,
                    grade=rng.choice(MET[success or running]) if graded else "",
                    evidence="Shown in the customer's environment, screenshots in the POC folder"
                    if graded
                    else "",
                    graded_by=poc.se if graded else None,
                    graded_at=min(ended or start + timedelta(days=5), builder.now)
                    if graded
                    else None,
                )
            )
    _bulk(PrerequisiteCheck, checks)
    _bulk(Criterion, criteria)
    PocLimit.objects.bulk_create(PocLimit(team=t, running_per_se=2) for t in builder.teams)
    return len(pocs)


def populate(builder: Any) -> None:
    demos = _catalog(builder)
    builder.counts["demos"] = len(demos)
    builder.counts["demos shown"] = _shown(builder, demos)
    environments = _labs(builder)
    builder.counts["lab reservations"] = _reservations(builder, environments)
    builder.counts["proofs of concept"] = _pocs(builder, environments)
    # Everything above was written in bulk, without signals: the statistics' facts at once,
    # recorded as done at the demo's moment (the demo is made as of ``builder.now``).
    record = rebuild(reason="demo data")
    FactsRebuild.objects.filter(pk=record.pk).update(
        started_at=builder.now, finished_at=builder.now
    )
