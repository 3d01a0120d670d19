"""Which demos win at 100,000 activities and 10,000 deals: the catalog statistics page.

One process on a fresh SQLite database: an organisation of 10 teams, N deals (10,000 by
default) with their stage history (about three changes each), 10 activities per deal (100,000)
and 40 demos, a demo shown in a third of the activities. Then, through Django's test client as
an administrator (after the full rebuild of the per-deal facts an import triggers, timed):
``/demos/stats/``, the same filtered by segment, ``/api/demos/stats`` and one
demo's page. The statistics are kept per version of the facts, so these are answered from what
was kept; the last row is the statistics page computed afresh, the first request after a
write to the facts. The queries each page makes are counted at the full size and at a tenth of it:
they must be the same number.

The baseline, measured in the same run, is the anonymous login page. Figures are milliseconds
and ratios to that baseline, since the machines are shared and absolute times drift.

    python benchmarks/demos.py [--deals 10000] [--repeat 20]
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

from timing import percentile, timed

ORDER = ["prospecting", "discovery", "demo", "poc", "proposal", "negotiation"]


def _populate(n_deals: int, rng: random.Random, teams: list[Any], admin: Any) -> None:
    from decimal import Decimal

    from django.utils import timezone

    from presales.accounts.models import Account
    from presales.activities.models import Activity
    from presales.deals.models import Opportunity, StageChange
    from presales.demos.models import Demo, DemoShown
    from presales.products.models import Product

    now = timezone.now()
    products = [Product.objects.get_or_create(name=f"Product {i}")[0] for i in range(5)]
    demos = list(Demo.objects.all())
    if not demos:
        demos = Demo.objects.bulk_create(
            Demo(title=f"Demo {i}", owner=admin, state="master" if i < 15 else "shared")
            for i in range(40)
        )
        Demo.products.through.objects.bulk_create(
            Demo.products.through(demo_id=d.pk, product_id=products[i % 5].pk)
            for i, d in enumerate(demos)
        )
    sizes = ["small", "mid", "large", "enterprise"]
    accounts = Account.objects.bulk_create(
        Account(name=f"Account {i}", team=teams[i % 10], size=sizes[i % 4])
        for i in range(n_deals // 10)
    )
    deals = []
    for i in range(n_deals):
        account = accounts[i % len(accounts)]
        final = rng.choice(["won", "lost", "won", "lost", *ORDER[1:]])
        deals.append(
            Opportunity(
                name=f"Deal {i}",
                account=account,
                team_id=account.team_id,
                stage=final,
                amount=Decimal(rng.randrange(5_000, 250_000, 500)),
                created_at=now - timedelta(days=rng.randint(60, 700)),
            )
        )
    deals = Opportunity.objects.bulk_create(deals, batch_size=2000)
    Opportunity.products.through.objects.bulk_create(
        (
            Opportunity.products.through(opportunity_id=d.pk, product_id=rng.choice(products).pk)
            for d in deals
        ),
        batch_size=5000,
    )
    changes, activities = [], []
    for deal in deals:
        at = deal.created_at
        stage = "prospecting"
        path = ORDER[1 : rng.randint(2, 6)] + (
            [deal.stage] if deal.stage in ("won", "lost") else []
        )
        for step in path:
            at += timedelta(days=rng.randint(3, 40))
            changes.append(
                StageChange(opportunity=deal, from_stage=stage, to_stage=step, changed_at=at)
            )
            stage = step
        for _ in range(10):
            start = deal.created_at + timedelta(days=rng.randint(0, 50))
            activities.append(
                Activity(
                    kind=rng.choice(["meeting", "demo", "demo"]),
                    subject="Call",
                    starts_at=start,
                    ends_at=start + timedelta(hours=1),
                    status="held",
                    account_id=deal.account_id,
                    opportunity=deal,
                )
            )
    StageChange.objects.bulk_create(changes, batch_size=5000)
    activities = Activity.objects.bulk_create(activities, batch_size=5000)
    DemoShown.objects.bulk_create(
        (DemoShown(activity=a, demo=rng.choice(demos)) for a in activities if rng.random() < 0.33),
        batch_size=5000,
        ignore_conflicts=True,
    )


def _queries(client: Any, path: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200, path
    return len(captured)


def worker(n_deals: int, repeat: int) -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "presales.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from presales.activities.models import Activity
    from presales.demos.models import Demo, DemoShown
    from presales.people.models import Region, Role, Team, User

    call_command("migrate", verbosity=0)
    rng = random.Random(5)
    region = Region.objects.create(name="Bench")
    teams = [Team.objects.create(name=f"Team {i}", region=region) for i in range(10)]
    admin = User.objects.create_user(
        "admin", password="bench-password-1", role=Role.ADMIN, is_superuser=True
    )
    client = Client()
    client.force_login(admin)
    demo_page = "/demos/{}/"
    pages = {
        "statistics page /demos/stats/": "/demos/stats/",
        "statistics, one segment": "/demos/stats/?segment=mid",
        "api /api/demos/stats": "/api/demos/stats",
        "one demo's page": demo_page,
    }
    from presales.demos.facts import rebuild

    started = time.perf_counter()
    _populate(n_deals // 10, rng, teams, admin)
    rebuild(reason="benchmark")
    first = Demo.objects.order_by("pk").first()
    assert first is not None
    pages["one demo's page"] = demo_page.format(first.pk)
    small = {name: _queries(client, path) for name, path in pages.items()}
    _populate(n_deals - n_deals // 10, rng, teams, admin)
    generate_seconds = time.perf_counter() - started
    rebuilt = time.perf_counter()
    rebuild(reason="benchmark")  # the bulk writes above bypass the signals, as an import does
    rebuild_seconds = time.perf_counter() - rebuilt
    large = {name: _queries(client, path) for name, path in pages.items()}
    anonymous = Client()
    baseline = timed(lambda: anonymous.get("/login/"), repeat)
    results = {}
    for name, path in pages.items():

        def get(p: str = path) -> None:
            client.get(p)

        results[name] = timed(get, repeat)
    # The statistics are kept per version of the facts: the first request after a write to
    # them (a deal saved, an import) computes them again. Timed alone, the write is not.
    from presales.demos.facts import bump

    cold = []
    for _ in range(repeat):
        bump()
        start = time.perf_counter()
        client.get("/demos/stats/")
        cold.append((time.perf_counter() - start) * 1000)
    results[COLD] = {"p50": percentile(cold, 0.5), "p95": percentile(cold, 0.95)}
    return {
        "deals": n_deals,
        "activities": Activity.objects.count(),
        "shown": DemoShown.objects.count(),
        "generate_seconds": generate_seconds,
        "rebuild_seconds": rebuild_seconds,
        "baseline": baseline,
        "results": results,
        "queries_small": small,
        "queries_large": large,
    }


COLD = "first after a write to the facts"
GOALS = {"statistics page /demos/stats/": 150.0}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deals", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.deals, args.repeat)))
        return 0
    with tempfile.TemporaryDirectory() as home:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PRESALES_")}
        env["PRESALES_HOME"] = home
        env["PRESALES_LOG_LEVEL"] = "WARNING"
        env["PRESALES_TEXT_MODEL"] = "off"
        done = subprocess.run(
            [sys.executable, __file__, "--worker", "--deals", str(args.deals), "--repeat",
             str(args.repeat)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )  # fmt: skip
    run = json.loads(done.stdout.strip().splitlines()[-1])
    base = run["baseline"]["p50"]
    print(
        f"{run['deals']:,} deals, {run['activities']:,} activities, {run['shown']:,} demos shown "
        f"(generated in {run['generate_seconds']:.1f} s)"
    )
    print(f"full rebuild of the per-deal facts (after an import): {run['rebuild_seconds']:.1f} s")
    print(f"baseline: login page p50 {base:.2f} ms")
    print(
        f"{'measure':<34} {'p50 ms':>8} {'p95 ms':>8} {'p50/base':>9} {'goal':>8} "
        f"{'queries (1/10 size → full)':>28}"
    )
    for name, r in run["results"].items():
        goal = f"≤{GOALS[name]:.0f} ms" if name in GOALS else ""
        small, large = run["queries_small"].get(name), run["queries_large"].get(name)
        queries = f"{small} → {large}" if small is not None else "(as the first row)"
        print(
            f"{name:<34} {r['p50']:>8.1f} {r['p95']:>8.1f} {r['p50'] / base:>9.1f} {goal:>8} "
            f"{queries:>28}"
        )
    same = run["queries_small"] == run["queries_large"]
    print("query count constant in rows:", "yes" if same else "NO")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
