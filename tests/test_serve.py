"""`presales serve`: the production server answers pages and static files, runs a job worker
beside it on the embedded database, and stops with its worker."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.test_jobs import ROOT, Scratch, scratch  # noqa: F401 - the fixture


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> list[str]:
    """Command lines of the processes whose parent is ``pid`` (read from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append((stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode())
        except (OSError, IndexError, ValueError):
            continue
    return found


def _get(port: int, path: str) -> tuple[int, bytes, dict[str, str]]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path)
    response = conn.getresponse()
    return response.status, response.read(), dict(response.getheaders())


def test_serve_runs_gunicorn_with_static_files_and_a_worker(scratch: Scratch) -> None:  # noqa: F811
    scratch.presales("migrate")
    port = _port()
    server = subprocess.Popen(
        [sys.executable, "-m", "presales", "serve", "--port", str(port), "--worker"],
        env={**scratch.env, "PRESALES_SERVE_WORKERS": "2", "PRESALES_DEBUG": "0"},
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, body, _ = _get(port, "/login/")
                break
            except OSError:
                assert time.monotonic() < deadline, "the server never answered"
                time.sleep(0.3)
        assert status == 200 and b'name="password"' in body
        status, _, headers = _get(port, "/")
        assert status == 302 and headers["Location"].startswith("/login/")
        status, css, headers = _get(port, "/static/presales/app.css")
        assert status == 200 and b"{" in css and "text/css" in headers["Content-Type"]
        # gunicorn: a master with two web processes, plus the job worker.
        children = _children(server.pid)
        assert sum("presales worker" in c for c in children) == 1
        assert sum("presales serve" in c for c in children) == 2
        while not scratch.query("SELECT worker_id FROM jobs_workerbeat"):
            assert time.monotonic() < deadline, "the job worker never beat"
            time.sleep(0.3)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        code = server.wait(timeout=60)
    assert code == 0, server.stdout.read() if server.stdout else ""
    # The worker left cleanly: its heartbeat row is gone.
    assert scratch.query("SELECT worker_id FROM jobs_workerbeat") == []
