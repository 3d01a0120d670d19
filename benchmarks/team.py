"""The team capacity page for 50 SEs over 200,000 activities.

One process on a fresh SQLite database: a team of 50 SEs (and a second team of 10, to compare
query counts), N activities (200,000 by default) over two years plus the next four weeks, each
with one or two of the SEs, of every kind, with internal time on accounts, travel and
out-of-band requests; 3,000 deals with their SEs and 500 requests for SE help. Then, through
the page the manager opens, ``/team/capacity/?team=ID`` server-side with Django's test client.

The page reads weekly totals per SE (``team.weekly``); the generated activities go in by bulk
SQL, so the totals are rebuilt once from them, and that time is printed too. The baseline,
measured in the same run, is the anonymous login page. Figures are milliseconds
and ratios to that baseline, since the machines are shared and absolute times drift. The page's
query count is printed for the team of 50 and the team of 10: it must be the same.

    python benchmarks/team.py [--activities 200000] [--repeat 30]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from typing import Any

from timing import timed

GOAL_MS = 150.0


def worker(n_activities: int, repeat: int) -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "presales.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from presales.accounts.models import Account
    from presales.activities.models import CUSTOMER_FACING_KINDS, Activity, Kind
    from presales.deals.models import OPEN_STAGES, Opportunity, Stage
    from presales.people.models import Region, Role, Team, User
    from presales.team.models import SERequest
    from presales.team.weekly import rebuild

    call_command("migrate", verbosity=0)
    rng = random.Random(5)
    started = time.perf_counter()
    region = Region.objects.create(name="Bench")
    big = Team.objects.create(name="Fifty", region=region)
    small = Team.objects.create(name="Ten", region=region)
    manager = User.objects.create_user(
        "manager", password="bench-password-1", role=Role.SE_MANAGER, team=big
    )
    big.manager = manager
    big.save()
    small.manager = manager
    small.save()
    ses = User.objects.bulk_create(
        User(username=f"se{i}", first_name=f"SE {i}", role=Role.SE, team=big if i < 50 else small)
        for i in range(60)
    )
    accounts = Account.objects.bulk_create(
        Account(name=f"Account {i}", team=big) for i in range(600)
    )
    stages = [*OPEN_STAGES, Stage.WON, Stage.LOST]
    deals = Opportunity.objects.bulk_create(
        Opportunity(name=f"Deal {i}", account=accounts[i % 600], team=big, stage=rng.choice(stages))
        for i in range(3000)
    )
    se_link = Opportunity.sales_engineers.through
    se_link.objects.bulk_create(
        {
            (d.pk, s.pk): se_link(opportunity_id=d.pk, user_id=s.pk)
            for d in deals
            for s in rng.sample(ses, k=rng.randint(1, 2))
        }.values(),
        batch_size=5000,
    )
    now = timezone.now()
    kinds = [Kind.MEETING, Kind.DEMO, Kind.POC, Kind.WORKSHOP, Kind.INTERNAL, Kind.OUT_OF_BAND]
    subjects = {Kind.INTERNAL: ["Prepare the demo", "Flight to Berlin", "Team meeting"]}
    link = Activity.participants.through
    for start in range(0, n_activities, 20_000):
        batch = []
        for _ in range(min(20_000, n_activities - start)):
            kind = rng.choice(kinds)
            at = now - timedelta(days=rng.uniform(-28, 730))
            batch.append(
                Activity(
                    kind=kind,
                    subject=rng.choice(subjects.get(kind, ["Customer call", "Help support"])),
                    starts_at=at,
                    ends_at=at + timedelta(minutes=rng.choice([30, 60, 90, 120])),
                    status=Activity.Status.HELD if at < now else Activity.Status.PLANNED,
                    account=rng.choice(accounts) if kind != Kind.OUT_OF_BAND else None,
                    customer_facing=kind in CUSTOMER_FACING_KINDS,
                )
            )
        made = Activity.objects.bulk_create(batch, batch_size=5000)
        link.objects.bulk_create(
            {
                (a.pk, s.pk): link(activity_id=a.pk, user_id=s.pk)
                for a in made
                for s in rng.sample(ses, k=rng.choice([1, 1, 2]))
            }.values(),
            batch_size=5000,
        )
    today = timezone.localdate()
    SERequest.objects.bulk_create(
        SERequest(
            kind="demo",
            summary=f"Request {i}",
            account=rng.choice(accounts),
            team=big,
            starts_on=today,
            ends_on=today,
            assignee=rng.choice(ses),
            status=rng.choice(list(SERequest.Status.values)),
        )
        for i in range(500)
    )
    generate_seconds = time.perf_counter() - started
    # The activities went in by bulk SQL, as a large import's do: the weekly totals the page
    # reads are computed once from them (``presales team rebuild-totals``), and timed.
    started = time.perf_counter()
    rebuild()
    rebuild_seconds = time.perf_counter() - started

    client = Client()
    client.force_login(manager)
    queries = {}
    for team in (big, small):
        with CaptureQueriesContext(connection) as seen:
            response = client.get(f"/team/capacity/?team={team.pk}")
        assert response.status_code == 200
        queries[team.name] = len(seen)
    anonymous = Client()
    baseline = timed(lambda: anonymous.get("/login/"), repeat)
    results = {
        "capacity page, 50 SEs": timed(
            lambda: client.get(f"/team/capacity/?team={big.pk}"), repeat
        ),
        "capacity page, 10 SEs": timed(
            lambda: client.get(f"/team/capacity/?team={small.pk}"), repeat
        ),
    }
    return {
        "activities": Activity.objects.count(),
        "generate_seconds": generate_seconds,
        "rebuild_seconds": rebuild_seconds,
        "baseline": baseline,
        "results": results,
        "queries": queries,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activities", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.activities, args.repeat)))
        return 0
    with tempfile.TemporaryDirectory() as home:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PRESALES_")}
        env["PRESALES_HOME"] = home
        env["PRESALES_LOG_LEVEL"] = "WARNING"
        done = subprocess.run(
            [sys.executable, __file__, "--worker", "--activities", str(args.activities),
             "--repeat", str(args.repeat)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )  # fmt: skip
    run = json.loads(done.stdout.strip().splitlines()[-1])
    base = run["baseline"]["p50"]
    print(
        f"{run['activities']:,} activities (generated in {run['generate_seconds']:.1f} s; "
        f"weekly totals rebuilt from them in {run['rebuild_seconds']:.1f} s)"
    )
    print(f"baseline: login page p50 {base:.2f} ms")
    print(f"{'measure':<28} {'p50 ms':>8} {'p95 ms':>8} {'p50/base':>9} {'goal':>9}")
    for name, r in run["results"].items():
        goal = f"≤{GOAL_MS:.0f} ms" if "50" in name else ""
        print(f"{name:<28} {r['p50']:>8.1f} {r['p95']:>8.1f} {r['p50'] / base:>9.1f} {goal:>9}")
    counts = run["queries"]
    same = "constant" if len(set(counts.values())) == 1 else "NOT constant"
    print(f"queries per page: {counts['Fifty']} for 50 SEs, {counts['Ten']} for 10 SEs ({same})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
