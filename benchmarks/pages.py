"""Server-side time and SQL query count of the main pages, at two data sizes.

Each size runs in its own process on a fresh SQLite database filled by the demo generator. Each
page is requested through Django's test client (the whole request: middleware, access rules,
queries, template) as a sales engineer and as a manager. The baseline, measured in the same
process, is the anonymous login page: the cost of a request that touches no domain data.
Figures are printed as milliseconds and as ratios to that baseline, since these machines are
shared and absolute times drift.

    python benchmarks/pages.py [--scales 0.25,1] [--repeat 30]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def worker(scale: float, repeat: int) -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "presales.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from presales.accounts.access import accounts_for
    from presales.accounts.models import Account
    from presales.activities.access import activities_for
    from presales.deals.access import opportunities_for
    from presales.deals.models import Opportunity
    from presales.demo.generator import generate_demo
    from presales.people.models import Role, User

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    counts = generate_demo(password="bench-password-1", seed=7, scale=scale).counts
    generate_seconds = time.perf_counter() - started

    se = User.objects.filter(role=Role.SE).order_by("pk").first()
    manager = User.objects.filter(role=Role.SE_MANAGER, team__isnull=False).order_by("pk").first()
    assert se is not None and manager is not None
    deal = opportunities_for(se).order_by("-amount").first()
    account = accounts_for(se).order_by("pk").first()
    assert isinstance(deal, Opportunity) and isinstance(account, Account)
    pages = {
        "dashboard": "/",
        "accounts list": "/accounts/",
        "account detail": f"/accounts/{account.pk}/",
        "opportunities list": "/opportunities/",
        "opportunities closed p3": "/opportunities/?status=closed&page=3",
        "opportunity detail": f"/opportunities/{deal.pk}/",
        "activities list": "/activities/",
        "activities filtered": "/activities/?kind=demo&facing=yes",
        "search": "/search/?q=security",
        "api opportunities": "/api/opportunities",
        "deal workspace": f"/opportunities/{deal.pk}/workspace/",
        "circles analysis": "/qualification/circles/",
        "commitments": "/commitments/",
        "my scorecard": f"/scorecards/people/{se.pk}/",
        "team scoreboard": f"/scorecards/teams/{se.team_id}/",
        "incentives": "/incentives/",
        "forecast": "/forecasts/",
        "forecast accuracy": "/forecasts/accuracy/?level=rep",
        "pipeline analytics": "/analytics/pipeline/",
        "weekly report": "/analytics/weekly/",
    }
    meeting = (
        activities_for(se)
        .filter(participants=se, status="planned", account__isnull=False)
        .order_by("starts_at")
        .first()
    )
    if meeting is not None:
        pages["meeting plan"] = f"/meetings/{meeting.pk}/plan/"
        pages["meeting plan pdf"] = f"/meetings/{meeting.pk}/plan.pdf"

    def measure(client: Client, path: str) -> dict[str, Any]:
        client.get(path)  # warm caches and templates
        times = []
        queries = 0
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                response = client.get(path)
                times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (path, response.status_code)
            queries = len(captured)
        return {"p50": _percentile(times, 0.5), "p95": _percentile(times, 0.95), "queries": queries}

    anonymous = Client()
    baseline = measure(anonymous, "/login/")
    results: dict[str, Any] = {}
    for role, user in (("se", se), ("manager", manager)):
        client = Client()
        client.force_login(user)
        for name, path in pages.items():
            results[f"{name} ({role})"] = measure(client, path)
    return {
        "scale": scale,
        "counts": counts,
        "generate_seconds": generate_seconds,
        "baseline": baseline,
        "pages": results,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="0.25,1")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--worker", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker is not None:
        print(json.dumps(worker(args.worker, args.repeat)))
        return 0

    runs = []
    for scale in [float(s) for s in args.scales.split(",")]:
        with tempfile.TemporaryDirectory() as home:
            env = {k: v for k, v in os.environ.items() if not k.startswith("PRESALES_")}
            env["PRESALES_HOME"] = home
            env["PRESALES_LOG_LEVEL"] = "WARNING"
            done = subprocess.run(
                [sys.executable, __file__, "--worker", str(scale), "--repeat", str(args.repeat)],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            runs.append(json.loads(done.stdout.strip().splitlines()[-1]))

    for run in runs:
        c = run["counts"]
        print(
            f"\nscale {run['scale']}: {c['accounts']:,} accounts, {c['opportunities']:,} deals, "
            f"{c['activities']:,} activities, {c['notes']:,} notes "
            f"(generated in {run['generate_seconds']:.1f} s)"
        )
        base = run["baseline"]["p50"]
        print(f"baseline: login page p50 {base:.2f} ms")
        print(f"{'page':<36} {'p50 ms':>8} {'p95 ms':>8} {'p50/base':>9} {'queries':>8}")
        for name, r in run["pages"].items():
            print(
                f"{name:<36} {r['p50']:>8.1f} {r['p95']:>8.1f} {r['p50'] / base:>9.1f} "
                f"{r['queries']:>8}"
            )
    if len(runs) >= 2:
        small, large = runs[0], runs[-1]
        grew = [
            name
            for name, r in large["pages"].items()
            if r["queries"] != small["pages"][name]["queries"]
        ]
        ratio = large["counts"]["activities"] / small["counts"]["activities"]
        print(f"\nrows grew {ratio:.1f}×; pages whose query count changed: {grew or 'none'}")
        worst = max(r["p50"] for r in large["pages"].values())
        print(f"largest p50 at scale {large['scale']}: {worst:.1f} ms (goal ≤ 100 ms)")
        growth = statistics.median(
            large["pages"][n]["p50"] / small["pages"][n]["p50"] for n in large["pages"]
        )
        print(f"median p50 ratio large/small: {growth:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
