"""Product gaps at 50,000: duplicate suggestions for a new gap and the PM ranking page.

One process on a fresh SQLite database: a small organisation, 5,000 deals and N gaps (50,000 by
default) written from a seeded vocabulary, each linked to one to three deals, with their word
index and stored figures. Then, through the same code the pages use:

- duplicate suggestions for new gap texts (``similarity.suggest_similar``) as a product manager
  (all gaps) and as an SE (their team's gaps);
- the ranking page ``/gaps/`` and its variants, the answer queue and ``/api/gaps``, server-side
  through Django's test client as the product manager.

The baseline, measured in the same run, is the anonymous login page. Figures are milliseconds
and ratios to that baseline, since the machines are shared and absolute times drift.

    python benchmarks/gaps.py [--gaps 50000] [--repeat 30]
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
from typing import Any

from timing import timed

VERBS = "Export Import Sync Encrypt Schedule Audit Archive Mirror Replicate Stream Tag Filter "
VERBS += "Mask Throttle Rotate Backup Restore Validate Approve Forecast Translate Index"
OBJECTS = [
    "audit logs", "usage reports", "billing records", "firmware images", "user accounts",
    "alert rules", "dashboards", "invoices", "device inventory", "access policies",
    "support tickets", "shipping labels", "sensor readings", "price lists", "contracts",
    "build artifacts", "chat transcripts", "store layouts", "patient charts", "timesheets",
    "vendor catalogs", "network flows", "login events", "cost centres", "asset tags",
    "service maps", "release notes", "test results", "quality checks", "route plans",
]  # fmt: skip
TARGETS = [
    "to Splunk", "as Parquet", "to S3", "via SFTP", "to ServiceNow", "to Snowflake",
    "into Salesforce", "over webhooks", "to BigQuery", "as PDF", "per region", "per tenant",
    "with SAML", "through SCIM", "to Kafka", "to Datadog", "offline", "on ARM", "in the EU",
    "for resellers", "nightly", "in real time", "with approvals", "by API", "from Okta",
]  # fmt: skip
AREAS = ["Security", "Reporting", "Platform", "Integrations", "Mobile", "Console", "Identity"]


def _title(rng: random.Random) -> str:
    return f"{rng.choice(VERBS.split())} {rng.choice(OBJECTS)} {rng.choice(TARGETS)}"


def worker(n_gaps: int, repeat: int) -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "presales.settings")
    import django

    django.setup()
    from decimal import Decimal

    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from presales.accounts.models import Account
    from presales.deals.models import OPEN_STAGES, Opportunity, Stage
    from presales.gaps.models import GapOpportunity, Impact, ProductGap, Status
    from presales.gaps.services import refresh_figures
    from presales.gaps.similarity import index_gap_words, suggest_similar
    from presales.people.models import Region, Role, Team, User

    call_command("migrate", verbosity=0)
    rng = random.Random(11)
    started = time.perf_counter()
    region = Region.objects.create(name="Bench")
    teams = [Team.objects.create(name=f"Team {i}", region=region) for i in range(10)]
    pm = User.objects.create_user("pm", password="bench-password-1", role=Role.PRODUCT_MANAGER)
    se = User.objects.create_user("se", password="bench-password-1", role=Role.SE, team=teams[0])
    accounts = Account.objects.bulk_create(
        Account(name=f"Account {i}", team=teams[i % 10]) for i in range(1000)
    )
    stages = [*OPEN_STAGES, Stage.WON, Stage.LOST]
    deals = Opportunity.objects.bulk_create(
        (
            Opportunity(
                name=f"Deal {i}",
                account=accounts[i % 1000],
                team=accounts[i % 1000].team,
                stage=rng.choice(stages),
                amount=Decimal(rng.randrange(5_000, 250_000, 500)),
            )
            for i in range(5000)
        ),
        batch_size=2000,
    )
    today = timezone.localdate()
    gaps = []
    for _ in range(n_gaps):
        account = accounts[rng.randrange(1000)]
        status = rng.choice(Status.values)
        gaps.append(
            ProductGap(
                title=_title(rng),
                description=f"The customer asked to {_title(rng).lower()}.",
                product_area=rng.choice(AREAS),
                account=account,
                team_id=account.team_id,
                status=status,
                review_due_on=today + timezone.timedelta(days=rng.randint(-30, 30))
                if status == Status.UNDER_REVIEW
                else None,
                committed_release="7.2" if status == Status.COMMITTED else "",
                created_at=timezone.now() - timezone.timedelta(days=rng.randint(0, 720)),
            )
        )
    gaps = ProductGap.objects.bulk_create(gaps, batch_size=2000)
    links = {}
    for gap in gaps:
        for deal in rng.sample(deals, k=rng.randint(1, 3)):
            links[(gap.pk, deal.pk)] = GapOpportunity(
                gap=gap,
                opportunity=deal,
                impact=rng.choice(Impact.values),
                cited_as_loss_reason=deal.stage == Stage.LOST and rng.random() < 0.5,
            )
    GapOpportunity.objects.bulk_create(links.values(), batch_size=5000)
    for start in range(0, len(gaps), 5000):
        index_gap_words(gaps[start : start + 5000])
    refresh_figures(gap_ids=[g.pk for g in gaps])
    generate_seconds = time.perf_counter() - started

    queries = [_title(random.Random(1000 + i)) + " for a new customer" for i in range(repeat)]
    found_counts: list[int] = []

    def suggest(user: Any) -> Any:
        position = {"i": 0}

        def call() -> None:
            text = queries[position["i"] % len(queries)]
            position["i"] += 1
            found_counts.append(len(suggest_similar(actor=user, text=text)))

        return call

    anonymous = Client()
    baseline = timed(lambda: anonymous.get("/login/"), repeat)
    results = {
        "duplicate suggestions (PM, all gaps)": timed(suggest(pm), repeat),
        "duplicate suggestions (SE, own team)": timed(suggest(se), repeat),
    }
    client = Client()
    client.force_login(pm)
    pages = {
        "ranking page /gaps/": "/gaps/",
        "ranking by lost revenue": "/gaps/?order=lost",
        "ranking, area + period": f"/gaps/?area=Security&since={today.replace(day=1)}",
        "ranking page 40": "/gaps/?page=40",
        "answer queue": "/gaps/queue/",
        "api /api/gaps": "/api/gaps",
    }
    for name, path in pages.items():
        assert client.get(path).status_code == 200, path

        def get(p: str = path) -> None:
            client.get(p)

        results[name] = timed(get, repeat)
    return {
        "gaps": n_gaps,
        "links": len(links),
        "generate_seconds": generate_seconds,
        "baseline": baseline,
        "results": results,
        "suggestions_found_median": sorted(found_counts)[len(found_counts) // 2],
    }


GOALS = {"duplicate suggestions (PM, all gaps)": 100.0, "ranking page /gaps/": 150.0}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gaps", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.gaps, args.repeat)))
        return 0
    with tempfile.TemporaryDirectory() as home:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PRESALES_")}
        env["PRESALES_HOME"] = home
        env["PRESALES_LOG_LEVEL"] = "WARNING"
        done = subprocess.run(
            [sys.executable, __file__, "--worker", "--gaps", str(args.gaps), "--repeat",
             str(args.repeat)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )  # fmt: skip
    run = json.loads(done.stdout.strip().splitlines()[-1])
    base = run["baseline"]["p50"]
    print(
        f"{run['gaps']:,} gaps, {run['links']:,} deal links "
        f"(generated and indexed in {run['generate_seconds']:.1f} s)"
    )
    print(f"baseline: login page p50 {base:.2f} ms")
    print(f"{'measure':<40} {'p50 ms':>8} {'p95 ms':>8} {'p50/base':>9} {'goal':>8}")
    for name, r in run["results"].items():
        goal = f"≤{GOALS[name]:.0f} ms" if name in GOALS else ""
        print(f"{name:<40} {r['p50']:>8.1f} {r['p95']:>8.1f} {r['p50'] / base:>9.1f} {goal:>8}")
    print(f"median suggestions returned per new gap: {run['suggestions_found_median']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
