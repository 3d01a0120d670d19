"""Mixed reads and writes against `presales serve` on SQLite while a large import runs.

One run: a fresh SQLite home with a team (an SE, a rep, accounts with a deal each, a few
notes and activities per deal), `presales serve` (gunicorn, debug
off) on 127.0.0.1, and N client threads (spread over a few processes, keep-alive connections,
each with an SE's API token) for a fixed time. Each client loops over: read a deal, list deals,
list a deal's notes, write a note on a deal, log an activity through the quick log, and change
the amount of a deal it alone writes to. For part of the time (from a quarter of the run on) a
Salesforce export of ``--import-rows`` Event/Task rows is imported with `presales import` beside
the server.

Printed: requests per second; p50 and p99 outside and inside the import window, overall and
per kind of request; errors by kind; and writes acknowledged against what the database holds at
the end (every acknowledged note and quick-log activity, found by its marker; every deal's last
acknowledged amount). Goal: 0 errors, 0 lost, p99 <= 1 s outside the import window.

Two client models, one run each (``--think``, default ``1 0``):
- busy team (think > 0, the figure judged against the goal): each client pauses an exponential
  time of ``--think`` seconds on average between requests, so 50 clients are 50 busy users
  offering at most 50 requests/s;
- capacity (think 0): each client sends its next request the moment the last one answers. Then
  mean latency = clients / throughput (Little's law): it measures how many requests/s the server
  carries, not the latency a team sees.

    python benchmarks/load.py [--seconds 60] [--clients 50] [--import-rows 200000] [--accounts 300]
                              [--think 1 0] [--workers N] [--threads N]
"""

from __future__ import annotations

import argparse
import http.client
import importlib.util
import json
import multiprocessing
import os
import random
import re
import resource
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

PRESALES = [sys.executable, "-m", "presales"]
HERE = Path(__file__).resolve().parent
PROCESSES = 5
IDLE_CLOSE = 4.0  # seconds; gunicorn's keep-alive is 5 (presales.core.server)

SETUP = """
import os, sys, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "presales.settings")
django.setup()
from datetime import timedelta
from decimal import Decimal
from django.utils import timezone
from presales.accounts.models import Account
from presales.activities.models import Activity
from presales.deals.models import Opportunity, Stage
from presales.notes.models import Note
from presales.people.models import Region, Role, Team, User
from presales.people.services import create_token

count = int(sys.argv[1])
team = Team.objects.create(name="Load", region=Region.objects.create(name="Load"))
se = User.objects.create(username="load-se", role=Role.SE, team=team, first_name="Sam")
rep = User.objects.create(username="load-rep", role=Role.REP, team=team, first_name="Rae")
now = timezone.now()
accounts = Account.objects.bulk_create(
    Account(name=f"Loadco {i:04d} Systems", team=team) for i in range(count)
)
deals = Opportunity.objects.bulk_create(
    Opportunity(
        name=f"Loadco {i:04d} platform", account=a, owner=rep, team=team, stage=Stage.DISCOVERY,
        amount=Decimal(25000), close_date=timezone.localdate() + timedelta(days=60),
    )
    for i, a in enumerate(accounts)
)
for deal in deals:
    deal.sales_engineers.add(se)
Note.objects.bulk_create(
    Note(body=f"Kick-off notes {i}", author=se, account=d.account, opportunity=d)
    for d in deals for i in range(3)
)
Activity.objects.bulk_create(
    Activity(
        kind="meeting", subject=f"Meeting {i}", account=d.account, opportunity=d,
        starts_at=now - timedelta(days=i + 1), ends_at=now - timedelta(days=i, hours=23),
        status="held",
    )
    for d in deals for i in range(3)
)
print(create_token(user=se, name="load")[1])
"""

# (kind, started at, seconds, outcome)
Result = tuple[str, float, float, str]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_up(port: int, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/login/")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"server on port {port} did not come up")


def _api(port: int, token: str, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, json.loads(data) if data else None


class Client:
    """One client thread: its own connection, its own deal to change, its own markers."""

    def __init__(self, port: int, token: str, world: dict[str, Any], number: int, run: str):
        self.port = port
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.deals: list[int] = world["deals"]
        self.accounts: list[tuple[int, str]] = world["accounts"]
        self.own_deal: int | None = world["writable"][number] if number < len(
            world["writable"]
        ) else None  # fmt: skip
        self.number = number
        self.run = run
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.results: list[Result] = []
        self.notes: list[str] = []
        self.logs: list[str] = []
        self.amounts: list[str] = []
        self.n = 0
        self.last_used = time.monotonic()

    def _request(self, kind: str, method: str, path: str, body: Any = None) -> int:
        started = time.time()
        clock = time.perf_counter()
        outcome = "ok"
        status = 0
        if time.monotonic() - self.last_used > IDLE_CLOSE:
            # The server closes a keep-alive connection idle for 5 s; a browser opens a new
            # one then, and so does a client that paused that long.
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            self.conn.request(
                method,
                path,
                body=None if body is None else json.dumps(body),
                headers=self.headers,
            )
            response = self.conn.getresponse()
            text = response.read()
            status = response.status
            if status >= 300:
                detail = text[:80].decode(errors="replace")
                outcome = f"HTTP {status} on {kind}: {detail}"
            if response.will_close:
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        except (OSError, http.client.HTTPException) as exc:
            outcome = f"{type(exc).__name__} on {kind}"
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        self.last_used = time.monotonic()
        self.results.append((kind, started, time.perf_counter() - clock, outcome))
        return status if outcome == "ok" else 0

    def step(self) -> None:
        self.n += 1
        n = self.n
        deal = self.deals[(self.number * 7 + n) % len(self.deals)]
        account_id, account_name = self.accounts[(self.number * 3 + n) % len(self.accounts)]
        marker = f"load-{self.run}-{self.number}-{n}"
        match n % 6:
            case 0:
                self._request("read deal", "GET", f"/api/opportunities/{deal}")
            case 1:
                self._request("list deals", "GET", "/api/opportunities?page_size=25")
            case 2:
                self._request("list notes", "GET", f"/api/notes?opportunity_id={deal}")
            case 3:
                status = self._request(
                    "write note",
                    "POST",
                    "/api/notes",
                    {"body": f"{marker} talked pricing", "opportunity_id": deal},
                )
                if status == 201:
                    self.notes.append(marker)
            case 4:
                status = self._request(
                    "quick log",
                    "POST",
                    "/api/imports/quick-log",
                    {"text": f"call {account_name} 30m: {marker}", "account_id": account_id},
                )
                if status == 201:
                    self.logs.append(marker)
            case _:
                if self.own_deal is None:
                    self._request("read deal", "GET", f"/api/opportunities/{deal}")
                    return
                amount = f"{10000 + self.number * 1000 + n}.00"
                status = self._request(
                    "update deal",
                    "PATCH",
                    f"/api/opportunities/{self.own_deal}",
                    {"amount": amount},
                )
                if status == 200:
                    self.amounts.append(amount)


def _client_process(
    port: int,
    token: str,
    world: dict[str, Any],
    numbers: list[int],
    stop_at: float,
    run: str,
    queue: Any,
    think: float = 0.0,
) -> None:
    clients = [Client(port, token, world, number, run) for number in numbers]

    def loop(client: Client) -> None:
        pause = random.Random(client.number)
        while time.time() < stop_at:
            client.step()
            if think > 0:
                # A busy user: an exponential pause of ``think`` seconds on average.
                time.sleep(min(pause.expovariate(1 / think), max(0.0, stop_at - time.time())))

    threads = [threading.Thread(target=loop, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    queue.put(
        [
            {
                "number": c.number,
                "results": c.results,
                "notes": c.notes,
                "logs": c.logs,
                "deal": c.own_deal,
                "amounts": c.amounts,
            }
            for c in clients
        ]
    )


class _Discard:
    def put(self, item: Any) -> None:
        pass


def _group_cpu(group: int) -> float:
    """CPU seconds used so far by the live processes of a process group (the server's)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # gone meanwhile
        if int(fields[2]) == group:  # pgrp; then utime and stime at 11 and 12
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _percentiles(times: list[float]) -> tuple[float, float]:
    if not times:
        return 0.0, 0.0
    times = sorted(times)
    return statistics.median(times) * 1000, times[
        min(len(times) - 1, int(len(times) * 0.99))
    ] * 1000


def _generate_export(folder: Path, rows: int) -> None:
    spec = importlib.util.spec_from_file_location("import_bench", HERE / "import.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.generate(folder, rows)


def _world(port: int, token: str, clients: int) -> dict[str, Any]:
    """Deals and accounts the SE may see; the deals the SE may change, one per client."""
    status, page = _api(port, token, "GET", "/api/opportunities?page_size=200&open=true")
    assert status == 200, page
    deals = [d["id"] for d in page["items"]]
    status, page = _api(port, token, "GET", "/api/accounts?page_size=200")
    assert status == 200, page
    accounts = [(a["id"], a["name"]) for a in page["items"]]
    writable = []
    for deal in deals:
        if len(writable) >= clients:
            break
        status, body = _api(port, token, "GET", f"/api/opportunities/{deal}")
        if status != 200:
            continue
        status, _ = _api(
            port, token, "PATCH", f"/api/opportunities/{deal}", {"amount": body["amount"]}
        )
        if status == 200:
            writable.append(deal)
    assert deals and accounts, "the SE sees no deal or no account"
    return {"deals": deals, "accounts": accounts, "writable": writable}


def _model(think: float, clients: int) -> str:
    if think <= 0:
        return (
            f"capacity: closed loop, each of {clients} clients sends its next request the "
            "moment the last one answers (no think time)"
        )
    return (
        f"busy team: {clients} users, each pausing {think:g} s on average (exponential) "
        f"between requests, at most ~{clients / think:,.0f} requests/s offered"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--import-rows", type=int, default=200_000)
    parser.add_argument("--accounts", type=int, default=300, help="Accounts (one deal each)")
    parser.add_argument(
        "--think",
        type=float,
        nargs="+",
        default=[1.0, 0.0],
        help="Mean pause in seconds between one client's requests; one run per value "
        "(default: 1 then 0; 0 is the closed loop that measures capacity)",
    )
    parser.add_argument("--workers", type=int, help="`presales serve --workers` (its default)")
    parser.add_argument("--threads", type=int, help="`presales serve --threads` (its default)")
    args = parser.parse_args()
    summaries = [run_once(args, think) for think in args.think]
    if len(summaries) > 1:
        print("\nSummary (the goal: 0 errors, 0 lost, p99 <= 1 s outside the import window)")
        print(
            f"{'think s':>8}{'req/s':>8}{'p50 ms':>8}{'p99 ms':>8}{'errors':>8}{'lost':>6}  model"
        )
        for think, (rate, p50, p99, errors, lost) in zip(args.think, summaries, strict=True):
            print(
                f"{think:>8g}{rate:>8.1f}{p50:>8.0f}{p99:>8.0f}{errors:>8}{lost:>6}  "
                f"{'capacity (closed loop)' if think <= 0 else 'busy team'}"
            )


def run_once(args: argparse.Namespace, think: float) -> tuple[float, float, float, int, int]:
    print(f"\n=== Model: {_model(think, args.clients)}", flush=True)
    home = Path(tempfile.mkdtemp(prefix="presales-load-bench-"))
    env = {**os.environ, "PRESALES_HOME": str(home), "PRESALES_LOG_LEVEL": "WARNING"}
    env.pop("PRESALES_DATABASE_URL", None)
    env["PRESALES_DEBUG"] = "0"
    subprocess.run([*PRESALES, "manage", "migrate", "-v0"], env=env, check=True)
    token = (
        subprocess.run(
            [sys.executable, "-c", SETUP, str(args.accounts)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    print(f"Team of {args.accounts} accounts and deals in {home}.", flush=True)
    (home / "static").mkdir(exist_ok=True)
    export = home / "export"
    export.mkdir()
    _generate_export(export, args.import_rows)
    print(f"Export of {args.import_rows:,} Event/Task rows generated.", flush=True)

    port = _free_port()
    serve = [*PRESALES, "serve", "--no-worker", "--port", str(port)]
    for name in ("workers", "threads"):
        if getattr(args, name):
            serve += [f"--{name}", str(getattr(args, name))]
    server = subprocess.Popen(
        serve,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    run = uuid.uuid4().hex[:8]
    importer: subprocess.Popen[str] | None = None
    window = (0.0, 0.0)
    cpu: dict[str, float] = {}
    try:
        _wait_up(port)
        world = _world(port, token, args.clients)
        # Warm up: every web process loads its code and opens its database connection.
        _client_process(port, token, world, [0, 1, 2, 3], time.time() + 3, "warm", _Discard())
        started = time.time()
        stop_at = started + args.seconds
        queue: Any = multiprocessing.Queue()
        groups = [list(range(args.clients))[i::PROCESSES] for i in range(PROCESSES)]
        workers = [
            multiprocessing.Process(
                target=_client_process, args=(port, token, world, g, stop_at, run, queue, think)
            )
            for g in groups
            if g
        ]
        server_cpu, children_cpu = _group_cpu(server.pid), _children_cpu()
        for w in workers:
            w.start()
        time.sleep(args.seconds / 4)
        import_started = time.time()
        importer = subprocess.Popen(
            [*PRESALES, "import", "salesforce", str(export)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        clients: list[dict[str, Any]] = []
        for _ in workers:
            clients.extend(queue.get())
        for w in workers:
            w.join()
        cpu["server"] = _group_cpu(server.pid) - server_cpu
        cpu["clients"] = _children_cpu() - children_cpu
        import_output, _ = importer.communicate()
        cpu["import"] = _children_cpu() - children_cpu - cpu["clients"]
        import_ended = time.time()
        window = (import_started, import_ended)
    finally:
        if importer is not None and importer.poll() is None:
            importer.kill()
        os.killpg(server.pid, 15)
        _, server_errors = server.communicate(timeout=60)
    summary = report(args, clients, window, started, import_output, importer.returncode, home, run)
    requests = sum(len(c["results"]) for c in clients)
    print(
        f"CPU while the clients ran ({os.cpu_count()} cores): server {cpu['server']:.0f} s "
        f"({cpu['server'] / max(1, requests) * 1000:.1f} ms per request), clients "
        f"{cpu['clients']:.0f} s ({cpu['clients'] / max(1, requests) * 1000:.1f} ms per "
        f"request); the import {cpu['import']:.0f} s over its whole run"
    )
    if server_errors.strip():
        print("\nServer log (warnings and errors):")
        print("\n".join(server_errors.strip().splitlines()[-20:]))
    return summary


def report(
    args: argparse.Namespace,
    clients: list[dict[str, Any]],
    window: tuple[float, float],
    started: float,
    import_output: str,
    import_code: int | None,
    home: Path,
    run: str,
) -> tuple[float, float, float, int, int]:
    results: list[Result] = [r for c in clients for r in c["results"]]
    inside = [r for r in results if window[0] <= r[1] <= window[1]]
    outside = [r for r in results if not window[0] <= r[1] <= window[1]]
    print(
        f"\n{args.clients} clients for {args.seconds:.0f} s; import of {args.import_rows:,} "
        f"rows from {window[0] - started:.0f} s to {window[1] - started:.0f} s "
        f"(exit {import_code}; {import_output.strip().splitlines()[-1] if import_output else ''})"
    )
    print(f"requests: {len(results):,} = {len(results) / args.seconds:,.1f}/s")
    print(f"\n{'':<14}{'outside the import':>30}{'inside the import':>30}")
    print(f"{'kind':<14}{'n':>10}{'p50 ms':>10}{'p99 ms':>10}{'n':>10}{'p50 ms':>10}{'p99 ms':>10}")
    kinds = ["all", *sorted({r[0] for r in results})]
    for kind in kinds:
        cells = []
        for part in (outside, inside):
            times = [r[2] for r in part if r[3] == "ok" and kind in ("all", r[0])]
            p50, p99 = _percentiles(times)
            cells.append(f"{len(times):>10,}{p50:>10.0f}{p99:>10.0f}")
        print(f"{kind:<14}{''.join(cells)}")
    errors = Counter(re.sub(r"\d{3,}", "N", r[3]) for r in results if r[3] != "ok")
    print(f"\nerrors: {sum(errors.values())}")
    for kind, count in errors.most_common():
        print(f"  {count:>6} {kind}")

    db = sqlite3.connect(home / "presales.sqlite3")
    prefix = f"load-{run}-%"
    notes = {
        row[0].split(" ")[0]
        for row in db.execute("SELECT body FROM notes_note WHERE body LIKE ?", [prefix])
    }
    logged = {
        row[0].strip()
        for row in db.execute(
            "SELECT description FROM activities_activity WHERE description LIKE ?", [prefix]
        )
    }
    acked_notes = [m for c in clients for m in c["notes"]]
    acked_logs = [m for c in clients for m in c["logs"]]
    lost_notes = [m for m in acked_notes if m not in notes]
    lost_logs = [m for m in acked_logs if m not in logged]
    amounts = defaultdict(list)
    for c in clients:
        if c["deal"] is not None and c["amounts"]:
            amounts[c["deal"]].append(c["amounts"][-1])
    wrong_amounts = 0
    for deal, last in amounts.items():
        [(stored,)] = db.execute("SELECT amount FROM deals_opportunity WHERE id = ?", [deal])
        if f"{float(stored):.2f}" != last[-1]:
            wrong_amounts += 1
    acked_updates = sum(len(c["amounts"]) for c in clients)
    print("\nwrites acknowledged → in the database at the end")
    print(f"  notes:       {len(acked_notes):>7,} → {len(acked_notes) - len(lost_notes):,} found")
    print(f"  quick logs:  {len(acked_logs):>7,} → {len(acked_logs) - len(lost_logs):,} found")
    print(
        f"  deal amounts: {acked_updates:>6,} updates of {len(amounts)} deals → "
        f"{len(amounts) - wrong_amounts} deals hold their last acknowledged amount"
    )
    lost = len(lost_notes) + len(lost_logs) + wrong_amounts
    p50_outside, p99_outside = _percentiles([r[2] for r in outside if r[3] == "ok"])
    goals = {
        "0 errors": not errors,
        "0 lost": lost == 0,
        "p99 <= 1 s outside the import": p99_outside <= 1000,
    }
    print("goals: " + ", ".join(f"{k} {'met' if ok else 'MISSED'}" for k, ok in goals.items()))
    rate = len(results) / args.seconds
    return rate, p50_outside, p99_outside, sum(errors.values()), lost


if __name__ == "__main__":
    main()
