"""CPU per request of the load benchmark's mix, in one process, without the network or the load.

The same team as ``benchmarks/load.py`` (an SE with an API token, accounts with a deal each, a
few notes and activities per deal) on a fresh SQLite home, and the same six requests in the
same order (read a deal, list deals, list a deal's notes, write a note, quick log, change a
deal's amount), sent through Django's test client: the whole request (middleware, token
check, access rules, queries, serialisation, the work after the commit) but no HTTP server,
so the figures are free of the other processes' noise that the load run is full of.

Printed per kind of request: the CPU milliseconds of this process (median and mean), the wall
milliseconds (the difference is time spent waiting, mostly on SQLite's disk writes), the SQL
queries of one request, and the ratio of the CPU median to that of the anonymous login page
measured in the same run, and the time one request holds SQLite's write lock (wall and CPU
milliseconds from BEGIN IMMEDIATE to COMMIT: the other writers wait that long).
``--profile DIR`` also writes one cProfile file per kind there
(``python -m pstats DIR/quick-log.prof``) and prints each kind's most costly functions.

    python benchmarks/load_cpu.py [--rounds 60] [--accounts 300] [--profile DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import importlib.util
import io
import json
import os
import pstats
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
KINDS = ("read deal", "list deals", "list notes", "write note", "quick log", "update deal")


def _load_setup() -> str:
    spec = importlib.util.spec_from_file_location("load_bench", HERE / "load.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(module.SETUP)


def _team(accounts: int) -> str:
    """The load benchmark's team, made by its own setup code; returns the SE's token."""
    argv = sys.argv
    out = io.StringIO()
    try:
        sys.argv = ["setup", str(accounts)]
        with contextlib.redirect_stdout(out):
            exec(_load_setup(), {"__name__": "load_setup"})  # noqa: S102
    finally:
        sys.argv = argv
    return out.getvalue().strip().splitlines()[-1]


class Mix:
    """The load benchmark's client loop, one request at a time, through the test client."""

    def __init__(self, client: Any, deals: list[int], accounts: list[tuple[int, str]]):
        self.client = client
        self.deals = deals
        self.accounts = accounts
        self.n = 0

    def request(self, kind: str) -> Any:
        self.n += 1
        n = self.n
        deal = self.deals[(n * 7) % len(self.deals)]
        account_id, account_name = self.accounts[(n * 3) % len(self.accounts)]
        own = self.deals[n % 50]
        marker = f"cpu-{n}"
        c = self.client
        if kind == "read deal":
            return c.get(f"/api/opportunities/{deal}")
        if kind == "list deals":
            return c.get("/api/opportunities?page_size=25")
        if kind == "list notes":
            return c.get(f"/api/notes?opportunity_id={deal}")
        if kind == "write note":
            body = {"body": f"{marker} talked pricing", "opportunity_id": deal}
            return c.post("/api/notes", json.dumps(body), content_type="application/json")
        if kind == "quick log":
            body2 = {"text": f"call {account_name} 30m: {marker}", "account_id": account_id}
            return c.post(
                "/api/imports/quick-log", json.dumps(body2), content_type="application/json"
            )
        amount = {"amount": f"{10000 + n}.00"}
        return c.patch(
            f"/api/opportunities/{own}", json.dumps(amount), content_type="application/json"
        )


EXPECTED = {"write note": 201, "quick log": 201}


class LockClock:
    """Time spent inside write transactions (BEGIN IMMEDIATE to COMMIT or ROLLBACK): while
    one runs, every other writer waits for SQLite's single write lock."""

    def __init__(self, connection: Any):
        self.wall = 0.0
        self.cpu = 0.0
        self._began: tuple[float, float] | None = None
        # Presales' SQLite backend sends BEGIN IMMEDIATE at the first write (begin_write).
        name = (
            "begin_write"
            if hasattr(connection, "begin_write")
            else "_start_transaction_under_autocommit"
        )
        begin, commit, rollback = (
            getattr(connection, name),
            connection._commit,
            connection._rollback,
        )

        def start() -> None:
            if getattr(connection, "write_pending", True):
                self._began = (time.perf_counter(), time.process_time())
            begin()

        def end(finish: Any) -> Any:
            def wrapped() -> None:
                finish()
                if self._began is not None:
                    self.wall += time.perf_counter() - self._began[0]
                    self.cpu += time.process_time() - self._began[1]
                    self._began = None

            return wrapped

        setattr(connection, name, start)
        connection._commit = end(commit)
        connection._rollback = end(rollback)

    def take(self) -> tuple[float, float]:
        taken = (self.wall * 1000, self.cpu * 1000)
        self.wall = self.cpu = 0.0
        return taken


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=60, help="Requests of each kind timed")
    parser.add_argument("--accounts", type=int, default=300)
    parser.add_argument("--profile", type=Path, help="Write one cProfile file per kind here")
    parser.add_argument(
        "--queries", choices=KINDS, help="Print the SQL of one request of this kind"
    )
    args = parser.parse_args()

    home = tempfile.mkdtemp(prefix="presales-load-cpu-")
    Path(home, "static").mkdir()
    os.environ.update(
        {"PRESALES_HOME": home, "PRESALES_DEBUG": "0", "PRESALES_LOG_LEVEL": "WARNING"}
    )
    os.environ.pop("PRESALES_DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "presales.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)
    token = _team(args.accounts)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    deals = [
        d["id"] for d in client.get("/api/opportunities?page_size=200&open=true").json()["items"]
    ]
    accounts = [
        (a["id"], a["name"]) for a in client.get("/api/accounts?page_size=200").json()["items"]
    ]
    for deal in deals[:50]:  # as the load benchmark does: each client's deal changed once
        amount = client.get(f"/api/opportunities/{deal}").json()["amount"]
        client.patch(
            f"/api/opportunities/{deal}", json.dumps({"amount": amount}), "application/json"
        )
    mix = Mix(client, deals, accounts)
    anonymous = Client()

    queries: dict[str, int] = {}
    for kind in KINDS:  # warm up every path once, counting its queries
        for _ in range(3):
            mix.request(kind)
        with CaptureQueriesContext(connection) as captured:
            response = mix.request(kind)
        assert response.status_code == EXPECTED.get(kind, 200), (kind, response.content[:200])
        queries[kind] = len(captured)
        if kind == args.queries:
            for number, query in enumerate(captured.captured_queries, 1):
                print(f"{number:>3} {query['sql'][:300]}")
    anonymous.get("/login/")

    cpu: dict[str, list[float]] = defaultdict(list)
    wall: dict[str, list[float]] = defaultdict(list)
    locked: dict[str, list[float]] = defaultdict(list)
    locked_cpu: dict[str, list[float]] = defaultdict(list)
    clock = LockClock(connection)
    profiles = {kind: cProfile.Profile() for kind in (*KINDS, "login page")} if args.profile else {}
    for _ in range(args.rounds):
        for kind in (*KINDS, "login page"):
            profile = profiles.get(kind)
            clock.take()
            started_cpu, started = time.process_time(), time.perf_counter()
            if profile:
                profile.enable()
            response = anonymous.get("/login/") if kind == "login page" else mix.request(kind)
            if profile:
                profile.disable()
            cpu[kind].append((time.process_time() - started_cpu) * 1000)
            wall[kind].append((time.perf_counter() - started) * 1000)
            held, held_cpu = clock.take()
            locked[kind].append(held)
            locked_cpu[kind].append(held_cpu)
            expected = 200 if kind == "login page" else EXPECTED.get(kind, 200)
            assert response.status_code == expected, (kind, response.content[:200])

    base = statistics.median(cpu["login page"])
    print(
        f"CPU per request, in one process, {args.rounds} of each kind, SQLite, "
        f"{args.accounts} deals (profiling {'on' if profiles else 'off'})"
    )
    print(
        f"{'kind':<13}{'CPU p50 ms':>11}{'CPU mean':>10}{'wall p50':>10}{'queries':>9}"
        f"{'× login':>9}{'lock ms':>9}{'lock CPU':>9}"
    )
    for kind in (*KINDS, "login page"):
        print(
            f"{kind:<13}{statistics.median(cpu[kind]):>11.1f}{statistics.mean(cpu[kind]):>10.1f}"
            f"{statistics.median(wall[kind]):>10.1f}{queries.get(kind, 0):>9}"
            f"{statistics.median(cpu[kind]) / base:>9.1f}"
            f"{statistics.median(locked[kind]):>9.1f}{statistics.median(locked_cpu[kind]):>9.1f}"
        )
    mix_cpu = statistics.mean(statistics.mean(cpu[k]) for k in KINDS)
    print(f"mix (one of each kind, mean): {mix_cpu:.1f} ms of CPU per request")
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
        for kind, profile in profiles.items():
            path = args.profile / f"{kind.replace(' ', '-')}.prof"
            profile.dump_stats(path)
            print(f"\n--- {kind}: {path}")
            stats = pstats.Stats(profile, stream=sys.stdout)
            stats.sort_stats("cumulative").print_stats(
                r"presales|django/(db/models/sql|template)", 18
            )


if __name__ == "__main__":
    main()
