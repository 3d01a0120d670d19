"""Throughput of `presales serve` (gunicorn) against `presales serve --dev` (Django's server).

One run: a fresh SQLite home filled by the demo generator, then each server in turn on loopback,
loaded by 32 concurrent clients (4 processes x 8 threads, keep-alive connections) for a fixed
time, half of the requests to the accounts API (bearer token of an SE) and half to the SE's
"My week" page (session cookie). Printed: requests per second, p50 and p99 per endpoint, errors
by kind, and the production server's throughput as a multiple of the development server's
measured in the same run (these machines are shared, so only the ratio travels).

    python benchmarks/serve.py [--scale 0.5] [--seconds 20] [--clients 32]
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

PRESALES = [sys.executable, "-m", "presales"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_up(port: int, seconds: float = 60) -> None:
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


def _login(port: int, username: str, password: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/login/")
    page = conn.getresponse()
    body = page.read().decode()
    csrf_cookie = re.search(r"csrftoken=([^;]+)", page.getheader("Set-Cookie") or "")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    assert csrf_cookie and token, "no CSRF token on the login page"
    form = urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": token.group(1)}
    )
    conn.request(
        "POST",
        "/login/",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf_cookie.group(1)}",
            "Referer": f"http://127.0.0.1:{port}/login/",
        },
    )
    answer = conn.getresponse()
    answer.read()
    session = re.search(r"sessionid=([^;]+)", answer.getheader("Set-Cookie") or "")
    assert answer.status == 302 and session, f"login failed ({answer.status})"
    return f"sessionid={session.group(1)}"


def _client_process(
    port: int, threads: int, seconds: float, token: str, cookie: str, queue: Any
) -> None:
    targets = [
        ("api accounts", "/api/accounts", {"Authorization": f"Bearer {token}"}),
        ("my week", "/", {"Cookie": cookie}),
    ]
    results: list[tuple[str, float, str]] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def run(offset: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[tuple[str, float, str]] = []
        n = offset
        while time.monotonic() < stop_at:
            name, path, headers = targets[n % 2]
            n += 1
            started = time.perf_counter()
            outcome = "ok"
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    outcome = f"HTTP {response.status}"
                if response.will_close:
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            except (OSError, http.client.HTTPException) as exc:
                outcome = type(exc).__name__
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            mine.append((name, time.perf_counter() - started, outcome))
        with lock:
            results.extend(mine)

    pool = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    queue.put(results)


def load(port: int, clients: int, seconds: float, token: str, cookie: str) -> dict[str, Any]:
    processes = 4
    queue: Any = multiprocessing.Queue()
    workers = [
        multiprocessing.Process(
            target=_client_process,
            args=(port, clients // processes, seconds, token, cookie, queue),
        )
        for _ in range(processes)
    ]
    for w in workers:
        w.start()
    results: list[tuple[str, float, str]] = []
    for _ in workers:
        results.extend(queue.get())
    for w in workers:
        w.join()
    figures: dict[str, Any] = {"requests": len(results), "rps": len(results) / seconds}
    figures["errors"] = dict(Counter(o for _, _, o in results if o != "ok"))
    for name in ("api accounts", "my week"):
        times = sorted(t for n, t, o in results if n == name and o == "ok")
        if times:
            figures[name] = {
                "rps": len(times) / seconds,
                "p50_ms": statistics.median(times) * 1000,
                "p99_ms": times[min(len(times) - 1, int(len(times) * 0.99))] * 1000,
            }
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.5)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=32)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="presales-serve-bench-"))
    env = {**os.environ, "PRESALES_HOME": str(home), "PRESALES_LOG_LEVEL": "WARNING"}
    env.pop("PRESALES_DATABASE_URL", None)
    print(f"Demo data at scale {args.scale} in {home} ...", flush=True)
    made = subprocess.run(
        [*PRESALES, "demo", "--no-serve", "--scale", str(args.scale)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    login = re.search(r"Log in as (\S+) .* password (\S+)", made.stdout)
    assert login, made.stdout
    username, password = login.group(1), login.group(2)
    token = subprocess.run(
        [*PRESALES, "token", "create", username, "--label", "bench"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    runs: dict[str, dict[str, Any]] = {}
    servers = {
        # How each is meant to run: production with debug off, development as it comes.
        "presales serve": (["serve", "--no-worker"], {"PRESALES_DEBUG": "0"}),
        "presales serve --dev": (["serve", "--dev", "--no-worker"], {}),
    }
    for name, (command, extra) in servers.items():
        port = _free_port()
        server = subprocess.Popen(
            [*PRESALES, *command, "--port", str(port)],
            env={**env, **extra},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            _wait_up(port)
            cookie = _login(port, username, password)
            load(port, 8, 2, token, cookie)  # warm up
            runs[name] = load(port, args.clients, args.seconds, token, cookie)
        finally:
            os.killpg(server.pid, 15)
            server.wait(timeout=30)
    print(f"\n{args.clients} clients for {args.seconds:.0f} s each, SE's token and session\n")
    print(f"{'server':<22}{'endpoint':<14}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}")
    for name, figures in runs.items():
        for endpoint in ("api accounts", "my week"):
            f = figures.get(endpoint, {})
            print(
                f"{name:<22}{endpoint:<14}{f.get('rps', 0):>8.1f}"
                f"{f.get('p50_ms', 0):>9.0f}{f.get('p99_ms', 0):>9.0f}"
            )
        print(f"{name:<22}{'all':<14}{figures['rps']:>8.1f}   errors: {figures['errors'] or 0}")
    ratio = runs["presales serve"]["rps"] / max(runs["presales serve --dev"]["rps"], 1e-9)
    print(
        f"\nThroughput of presales serve: {ratio:.1f}x presales serve --dev (goal >= 4x, 0 errors)"
    )


if __name__ == "__main__":
    main()
