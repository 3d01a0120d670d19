"""Import throughput: a Salesforce-format export with N Event/Task rows (1,000,000 by default,
half events, half tasks, plus matching users, accounts, contacts and opportunities), imported
into a fresh database holding a catalog of 40 demos, then imported again unchanged. One event in
a hundred names a demo in its subject ("Demo: <title>", some with a typo), so the import's end
matches subjects against demo titles as it does on real data; its share is printed.

The baseline, measured in the same run on the same files, is the least any importer must do:
Python's csv module reading the Event and Task files and ``sqlite3`` ``executemany`` of their
rows into an equivalent bare table (same columns, text and integers, no indexes) in one
transaction. Figures are rows per second and ratios to that baseline, since these machines are
shared and absolute times drift; the CPU time of each side is printed too, as it drifts less
when other work shares the machine. Each import runs in its own process so its peak memory
(maximum resident set, from ``wait4``'s resource usage) is its own. The first import's CPU is
split by phase (rows written per table, indexes built again, weekly totals, demo matching and
facts, commits, and the rest: reading, checking and building rows), each as a multiple of the
baseline's CPU, so what separates the import from the baseline is visible in the same run.

    python benchmarks/import.py [--rows 1000000] [--postgres postgresql://user:pw@host/db]

With ``--postgres`` (or PRESALES_BENCH_POSTGRES_URL) the import also runs against a fresh
database made next to the given one (``<name>_bench``, dropped afterwards).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


def sf_id(prefix: str, n: int) -> str:
    digits = ""
    for _ in range(12):
        n, r = divmod(n, 62)
        digits = ALPHABET[r] + digits
    base = prefix + digits
    tail = ""
    for chunk in range(3):
        bits = sum(1 << i for i, c in enumerate(base[chunk * 5 : chunk * 5 + 5]) if "A" <= c <= "Z")
        tail += SUFFIX[bits]
    return base + tail


DEMO_TITLES = [
    f"{area} {what}"
    for area in ("SSO", "Audit trail", "Data residency", "Reporting", "Mobile app")
    for what in (
        "flow",
        "end to end",
        "for admins",
        "walkthrough",
        "deep dive",
        "quick tour",
        "with SCIM",
        "at scale",
    )
]


def demo_subject(i: int) -> str:
    """An event subject naming a demo: its title, or one letter off (to confirm)."""
    title = DEMO_TITLES[i % len(DEMO_TITLES)]
    if i % 300 == 7:
        title = title[:-1] + "x"
    return f"Demo: {title}"


def generate(folder: Path, rows: int) -> dict[str, int]:
    rng = random.Random(7)
    users = [sf_id("005", i) for i in range(50)]
    accounts = [sf_id("001", i) for i in range(max(10, rows // 100))]
    contacts = [sf_id("003", i) for i in range(len(accounts) * 2)]
    deals = [sf_id("006", i) for i in range(len(accounts) * 2)]
    deal_account = {d: accounts[i // 2] for i, d in enumerate(deals)}
    with (folder / "User.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Id", "FirstName", "LastName", "Email", "Title"])
        for i, u in enumerate(users):
            w.writerow([u, f"User{i}", "Bench", f"user{i}@vendor.example", "Sales Engineer"])
    with (folder / "Account.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Id", "Name", "Industry", "NumberOfEmployees", "AnnualRevenue", "Website"])
        for i, a in enumerate(accounts):
            w.writerow(
                [a, f"Account {i}", "Software", 500 + i % 5000, "$12,500,000", f"acct{i}.example"]
            )
    with (folder / "Contact.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Id", "AccountId", "FirstName", "LastName", "Email"])
        for i, c in enumerate(contacts):
            w.writerow([c, accounts[i // 2], "Pat", f"Contact{i}", f"c{i}@acct{i // 2}.example"])
    with (folder / "Opportunity.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Id", "Name", "AccountId", "StageName", "Amount", "CloseDate", "OwnerId"])
        for i, d in enumerate(deals):
            w.writerow(
                [
                    d,
                    f"Deal {i}",
                    deal_account[d],
                    "Qualification",
                    "25000",
                    "2025-06-30",
                    users[i % 50],
                ]
            )
    start = datetime(2023, 1, 2, 9, 0, tzinfo=UTC)
    events = rows // 2
    tasks = rows - events
    with (folder / "Event.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(
            ["Id", "Subject", "StartDateTime", "EndDateTime", "Type", "Description",
             "AccountId", "WhatId", "WhoId", "OwnerId"]
        )  # fmt: skip
        for i in range(events):
            d = deals[rng.randrange(len(deals))]
            at = start + timedelta(minutes=30 * (i % 20000))
            w.writerow(
                [
                    sf_id("00U", i),
                    demo_subject(i) if i % 100 == 7 else f"Meeting {i}",
                    at.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                    (at + timedelta(minutes=45)).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                    "Meeting",
                    "Discovery call notes",
                    deal_account[d],
                    d,
                    contacts[rng.randrange(len(contacts))],
                    users[i % 50],
                ]
            )
    with (folder / "Task.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(
            ["Id", "Subject", "ActivityDate", "Status", "Type", "WhatId", "WhoId", "OwnerId",
             "CallDurationInSeconds"]
        )  # fmt: skip
        for i in range(tasks):
            d = deals[rng.randrange(len(deals))]
            day = (start + timedelta(days=i % 700)).date().isoformat()
            w.writerow(
                [sf_id("00T", i), f"Call {i}", day, "Completed", "Call", d,
                 contacts[rng.randrange(len(contacts))], users[i % 50], 900]
            )  # fmt: skip
    return {"events": events, "tasks": tasks, "accounts": len(accounts), "contacts": len(contacts)}


def baseline(folder: Path, work: Path) -> tuple[float, float]:
    """Seconds (wall clock, CPU) for csv + sqlite3 executemany of the Event and Task rows into a
    bare table."""
    db = work / "baseline.sqlite3"
    db.unlink(missing_ok=True)
    connection = sqlite3.connect(db)
    connection.execute(
        "CREATE TABLE activity (id INTEGER PRIMARY KEY, external_id TEXT, subject TEXT, "
        "kind TEXT, starts_at TEXT, ends_at TEXT, status TEXT, account TEXT, opportunity TEXT, "
        "contact TEXT, owner TEXT, description TEXT)"
    )
    started = time.perf_counter()
    cpu = time.process_time()
    with connection:
        for name, pick in (
            (
                "Event.csv",
                lambda r: (r[0], r[1], r[4], r[2], r[3], "held", r[6], r[7], r[8], r[9], r[5]),
            ),
            (
                "Task.csv",
                lambda r: (r[0], r[1], r[4], r[2], r[2], "held", "", r[5], r[6], r[7], ""),
            ),
        ):
            with (folder / name).open(newline="") as f:
                reader = csv.reader(f)
                next(reader)
                connection.executemany(
                    "INSERT INTO activity (external_id, subject, kind, starts_at, ends_at, status, "
                    "account, opportunity, contact, owner, description) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (pick(r) for r in reader),
                )
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    connection.close()
    return seconds, cpu


def child(folder: Path) -> None:
    """One import of the export, in this process; prints its timing as JSON."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "presales.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from presales.demos import matching
    from presales.demos.models import Demo
    from presales.imports.services import run_import

    call_command("migrate", verbosity=0)
    for title in DEMO_TITLES:
        Demo.objects.get_or_create(title=title, defaults={"state": Demo.State.MASTER})
    spent = [0.0]
    real_match = matching.match_imported

    def timed_match(*args: Any, **kwargs: Any) -> int:
        began = time.perf_counter()
        try:
            return real_match(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - began

    matching.match_imported = timed_match  # type: ignore[assignment]
    split = _time_phases()
    started = time.perf_counter()
    cpu = time.process_time()
    result = run_import(kind="salesforce", paths=[folder])
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cpu": cpu,
                "counts": result.counts,
                "rejected": result.rejected,
                "demo_matching": spent[0],
                "demos_shown": matching.DemoShown.objects.count(),
                "split": split,
            }
        )
    )


def _time_phases() -> dict[str, float]:
    """CPU seconds of the import's phases, filled in while it runs: the rows written per table
    (the database's own work plus binding), the indexes built again after a large load, the
    weekly totals computed again, the demo matching and facts at the end, and the commits.
    The rest is Python's: reading, checking and converting cells, look-ups, building rows."""
    from django.db.backends.base.base import BaseDatabaseWrapper

    from presales.demos import facts, matching
    from presales.imports.services import bulk, writer
    from presales.team import weekly

    spent: dict[str, float] = {}
    inside = [False]  # a phase inside another (a commit of an index build) counts for the outer

    def wrap(owner: Any, name: str, label: str, by_table: bool = False) -> None:
        real = getattr(owner, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            if inside[0]:
                return real(*args, **kwargs)
            inside[0] = True
            began = time.process_time()
            try:
                return real(*args, **kwargs)
            finally:
                inside[0] = False
                key = f"{label} {args[0]}" if by_table else label
                spent[key] = spent.get(key, 0.0) + time.process_time() - began

        setattr(owner, name, timed)

    wrap(writer, "insert_rows", "rows into", by_table=True)
    wrap(writer, "insert_links", "links into", by_table=True)
    wrap(bulk.IndexDeferral, "restore", "indexes built again")
    wrap(weekly, "rebuild_from_rows", "weekly totals computed again")
    wrap(matching, "match_imported", "demo matching")
    wrap(facts, "after_import", "demo facts")
    wrap(BaseDatabaseWrapper, "commit", "commits of the batches")
    return spent


def run_child(folder: Path, env: dict[str, str]) -> dict[str, Any]:
    process = subprocess.Popen(
        [sys.executable, __file__, "--child", str(folder)],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    output = process.stdout.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"import failed ({process.returncode})")
    figures: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    figures["peak_mib"] = usage.ru_maxrss / 1024  # Linux reports kibibytes
    return figures


# The first import of 1M rows before imports committed in batches (issue 13).
BEFORE_ROWS_PER_SECOND = 7_982


def report(
    label: str, first: dict[str, Any], again: dict[str, Any], rows: int, base: tuple[float, float]
) -> None:
    activity = first["counts"].get("activity", {})
    total = sum(sum(c.values()) for c in first["counts"].values())
    rate = rows / first["seconds"]
    print(f"\n{label}")
    ratio = first["seconds"] / base[0]
    cpu_ratio = first["cpu"] / base[1]
    print(
        f"  first import: {first['seconds']:.1f} s for {rows:,} Event/Task rows "
        f"({total:,} records in all) = {rate:,.0f} rows/s; {ratio:.2f}× the baseline "
        f"(CPU: {first['cpu']:.1f} s = {cpu_ratio:.2f}× the baseline's CPU)"
    )
    print(f"  activities created {activity.get('created', 0):,}, rejected {first['rejected']}")
    print(
        f"  of which matching subjects to demo titles at the end: {first['demo_matching']:.1f} s "
        f"({100 * first['demo_matching'] / first['seconds']:.1f}%; {first['demos_shown']:,} "
        "demos recorded as shown or to confirm)"
    )
    split = sorted(first.get("split", {}).items(), key=lambda kv: -kv[1])
    if split:
        print("  CPU of the first import by phase (in the baseline's CPU):")
        for name, seconds in split:
            print(f"    {seconds:7.1f} s = {seconds / base[1]:5.2f}×  {name}")
        rest = first["cpu"] - sum(seconds for _name, seconds in split)
        print(
            f"    {rest:7.1f} s = {rest / base[1]:5.2f}×  "
            "the rest: reading, checking and building rows, look-ups"
        )
    speedup = first["seconds"] / again["seconds"]
    print(
        f"  re-import unchanged: {again['seconds']:.1f} s = {rows / again['seconds']:,.0f} "
        f"rows/s; {speedup:.1f}× faster than the first import"
    )
    print(
        f"  peak memory: first {first['peak_mib']:,.0f} MiB, re-import {again['peak_mib']:,.0f} MiB"
    )
    goals = {
        f"≥ 3× {BEFORE_ROWS_PER_SECOND:,} rows/s": rate >= 3 * BEFORE_ROWS_PER_SECOND,
        "≤ 6× baseline": first["seconds"] <= 6 * base[0],
        "re-import ≥ 2× faster": first["seconds"] >= 2 * again["seconds"],
        "peak < 500 MiB": max(first["peak_mib"], again["peak_mib"]) < 500,
    }
    print("  goals: " + ", ".join(f"{k} {'met' if ok else 'MISSED'}" for k, ok in goals.items()))


def postgres_env(url: str, base_env: dict[str, str]) -> tuple[dict[str, str], Any]:
    import psycopg

    name = url.rsplit("/", 1)[1] + "_bench"
    admin = psycopg.connect(url, autocommit=True)
    admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()

    return {**base_env, "PRESALES_DATABASE_URL": url.rsplit("/", 1)[0] + "/" + name}, drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--postgres", default=os.environ.get("PRESALES_BENCH_POSTGRES_URL", ""))
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child))
        return
    with tempfile.TemporaryDirectory(prefix="presales-import-bench-") as tmp:
        work = Path(tmp)
        data = work / "export"
        data.mkdir()
        started = time.perf_counter()
        sizes = generate(data, args.rows)
        megabytes = sum(p.stat().st_size for p in data.iterdir()) / 1e6
        print(f"Generated {args.rows:,} Event/Task rows ({sizes}) in "
              f"{time.perf_counter() - started:.0f} s, {megabytes:,.0f} MB")  # fmt: skip
        base = baseline(data, work)
        print(f"Baseline (csv + sqlite3 executemany into a bare table): {base[0]:.1f} s = "
              f"{args.rows / base[0]:,.0f} rows/s (CPU {base[1]:.1f} s)")  # fmt: skip
        env = {k: v for k, v in os.environ.items() if not k.startswith("PRESALES_")}
        env["PRESALES_HOME"] = str(work / "home")
        # As in production: debug mode would keep every SQL statement in memory.
        env["PRESALES_DEBUG"] = "0"
        (work / "home").mkdir()
        first = run_child(data, env)
        again = run_child(data, env)
        report("SQLite", first, again, args.rows, base)
        if args.postgres:
            pg_env, drop = postgres_env(args.postgres, env)
            try:
                first = run_child(data, pg_env)
                again = run_child(data, pg_env)
                report("PostgreSQL", first, again, args.rows, base)
            finally:
                drop()


if __name__ == "__main__":
    main()
