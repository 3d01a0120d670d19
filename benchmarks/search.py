"""Search latency and indexing throughput of the text service (presales.texts).

On a fresh database (SQLite in a temporary folder, or --database-url), N short notes are
written, then in the same process:

1. the baseline: a bare ``model.encode`` of the N note bodies (batch 64), as texts per second;
2. ``index_texts`` over the same notes (rows, FTS, vectors in batches, labels), as texts per
   second and as a ratio to the baseline (goal ≥ 0.8);
3. distinct queries through ``search_texts`` as an administrator (no permission filter) and as
   a sales engineer (the permission filter applies), each timing the encoding of the query too:
   p50/p95 in milliseconds (goal p50 ≤ 30 ms), beside the query encoding alone.

The machines are 2 shared cores: encoding 100,000 notes takes many minutes, so --notes N runs a
smaller set; the figures say what ran.

    python benchmarks/search.py [--notes 100000] [--queries 200] [--database-url URL]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from typing import Any

OPENERS = [
    "Call with the platform team:",
    "Quick sync with procurement.",
    "Onsite workshop notes.",
    "Follow-up after the demo:",
    "Discovery session recap.",
    "Steering committee, short version:",
    "Chat with their architect.",
    "Notes from the POC check-in.",
]
TOPICS = [
    "they need single sign-on with their identity provider before rollout",
    "finance wants a cheaper licence model for seasonal staff",
    "the warehouse scanners drop the connection every few hours",
    "legal asked where customer data is stored and who can read it",
    "their reporting takes a full day to refresh on month end",
    "the champion is moving to a new role next quarter",
    "budget for new tools is on hold until the reorganisation is done",
    "they want to launch a partner portal for resellers",
    "the pilot showed a 30% cut in manual data entry",
    "security wants a penetration test report from this year",
    "integration with their ERP is the main worry",
    "the go-live date is sliding because of a hiring freeze",
    "they compared our price with a cheaper regional vendor",
    "operators complain about too many screens during a shift",
    "analytics team asked for an API to pull raw events",
    "the board wants a plan to expand into two new countries",
]
DETAILS = [
    "Site {n} is the first to move.",
    "About {n} users in scope.",
    "They mentioned {n} open tickets on this.",
    "Decision expected in week {n}.",
    "We owe them an answer on item {n}.",
    "Ticket {n} tracks it on their side.",
]
CLOSERS = [
    "Next step: send the summary.",
    "Rep to follow up with the buyer.",
    "No blockers beyond this.",
    "Need input from product management.",
    "",
]
QUERY_STEMS = [
    "customer data stored outside the EU",
    "license cost too high for part-time workers",
    "handheld devices losing wifi",
    "reports slow at the end of the month",
    "our main supporter changes jobs",
    "spending frozen until the restructuring",
    "reseller self-service website",
    "less typing for the operators",
    "pen test evidence for security",
    "ERP connector concerns",
    "launch date delayed by hiring",
    "competitor undercut our price",
    "raw event export API",
    "grow into new markets abroad",
    "identity provider login requirement",
    "too many screens for shift workers",
]


def note_body(rng: random.Random) -> str:
    parts = [
        rng.choice(OPENERS),
        rng.choice(TOPICS).capitalize() + ".",
        rng.choice(DETAILS).format(n=rng.randint(2, 999)),
        rng.choice(CLOSERS),
    ]
    return " ".join(p for p in parts if p)


def fmt(seconds: list[float]) -> str:
    return " + ".join(f"{s:.1f}" for s in seconds)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def setup(database_url: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "presales.settings")
    os.environ["PRESALES_HOME"] = tempfile.mkdtemp(prefix="presales-bench-search-")
    if database_url:
        os.environ["PRESALES_DATABASE_URL"] = database_url
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def fill(notes: int, rng: random.Random) -> tuple[Any, Any, list[str]]:
    from presales.accounts.models import Account
    from presales.notes.models import Note
    from presales.people.models import Region, Role, Team, User

    region = Region.objects.create(name="Bench")
    teams = [Team.objects.create(name=f"Team {i}", region=region) for i in range(5)]
    admin = User.objects.create(username="bench-admin", role=Role.ADMIN, is_superuser=True)
    se = User.objects.create(username="bench-se", role=Role.SE, team=teams[0])
    accounts = [
        Account.objects.create(name=f"Account {i}", team=teams[i % len(teams)]) for i in range(50)
    ]
    bodies = [note_body(rng) for _ in range(notes)]
    batch = [
        Note(body=body, account=accounts[i % len(accounts)], author=se if i % 5 == 0 else admin)
        for i, body in enumerate(bodies)
    ]
    # bulk_create sends no save signal: the index command is what picks these up.
    Note.objects.bulk_create(batch, batch_size=2000)
    return admin, se, bodies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--database-url", default="", help="PostgreSQL URL (default SQLite)")
    args = parser.parse_args()
    if args.notes < 10 or args.queries < 10:
        parser.error("use at least 10 notes and 10 queries")
    setup(args.database_url)
    from django.db import connection

    from presales.texts import embedding, vectors
    from presales.texts.models import TextVector
    from presales.texts.services import index_texts, search_texts

    if not embedding.available():
        print("The meaning extra is not installed: pip install 'presales[meaning]'")
        return 2
    rng = random.Random(11)
    started = time.perf_counter()
    admin, se, bodies = fill(args.notes, rng)
    seconds = time.perf_counter() - started
    print(f"{args.notes:,} notes written on {connection.vendor} in {seconds:.1f} s")

    model = embedding.load()
    # Warm-up: the first batches of a process pay for allocations and thread start-up.
    model.encode(bodies[:512], batch_size=64, show_progress_bar=False)

    def bare_pass() -> float:
        started = time.perf_counter()
        model.encode(bodies, batch_size=64, normalize_embeddings=True, show_progress_bar=False)
        return time.perf_counter() - started

    steps: dict[str, list[float]] = {}

    def progress(step: str, done: int, total: int) -> None:
        now = time.perf_counter()
        steps.setdefault(step, [now, now])[1] = now

    def index_pass() -> float:
        started = time.perf_counter()
        report = index_texts(progress=progress)
        assert report.encoded == args.notes, report
        return time.perf_counter() - started

    # Shared cores drift: alternate the baseline and the index twice and compare the sums.
    # The first index pass also reads the notes into texts and labels them; the second, after
    # the vectors are dropped, only encodes again.
    bare_times, index_times = [bare_pass()], [index_pass()]
    first_steps = {step: list(times) for step, times in steps.items()}
    TextVector.objects.all().delete()
    if vectors.pgvector_enabled():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM texts_pgvector")
    bare_times.append(bare_pass())
    index_times.append(index_pass())
    bare = 2 * args.notes / sum(bare_times)
    indexed = 2 * args.notes / sum(index_times)

    queries = [
        f"{QUERY_STEMS[i % len(QUERY_STEMS)]} {suffix}"
        for i, suffix in enumerate(
            rng.choice(["", "again", "please", "this week", "for the pilot", "at site"]) + f" {i}"
            for i in range(args.queries * 3)
        )
    ]
    vectors.matrix()  # load the in-memory matrix once, as a running server would have it

    def timed(user: Any, batch: list[str]) -> list[float]:
        times = []
        for q in batch:
            t = time.perf_counter()
            result = search_texts(actor=user, query=q, limit=20)
            times.append((time.perf_counter() - t) * 1000)
            assert result.hits, q
        return times

    encode_only = []
    for q in queries[: args.queries]:
        t = time.perf_counter()
        embedding.encode_query(q + " (encode only)")
        encode_only.append((time.perf_counter() - t) * 1000)
    as_admin = timed(admin, queries[args.queries : 2 * args.queries])
    as_se = timed(se, queries[2 * args.queries :])

    where = "pgvector" if vectors.pgvector_enabled() else "an in-memory matrix"
    print(f"\nindexing {args.notes:,} texts twice (batches of 1,024), vectors in {where}")
    print(f"  bare model.encode     {bare:8.1f} texts/s   (baseline; passes {fmt(bare_times)} s)")
    ratio = indexed / bare
    print(f"  index_texts           {indexed:8.1f} texts/s   (passes {fmt(index_times)} s)")
    print(f"  ratio index/bare      {ratio:8.2f}            (goal ≥ 0.80)")
    for step, (first, last) in first_steps.items():
        print(f"    first pass, step {step:<10} {last - first:7.1f} s")
    print(f"\nsearch latency over {args.queries} distinct queries each, including query encoding")
    print(f"  {'':24} {'p50 ms':>8} {'p95 ms':>8}")
    for name, times in (
        ("query encoding alone", encode_only),
        ("search as admin", as_admin),
        ("search as SE (filtered)", as_se),
    ):
        print(f"  {name:<24} {percentile(times, 0.5):8.1f} {percentile(times, 0.95):8.1f}")
    print(f"  mean as admin {statistics.mean(as_admin):.1f} ms; goal p50 ≤ 30 ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
