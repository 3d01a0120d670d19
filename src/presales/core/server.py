"""How `presales serve` runs: a production WSGI server, or Django's reloading one with --dev.

Production is gunicorn (the most used pure-Python WSGI server, on PyPI, no compiler needed) with
threaded workers, two processes per CPU core by default (``PRESALES_SERVE_WORKERS``) with 4
threads each (``PRESALES_SERVE_THREADS``); whitenoise
serves the static files from inside the application, so no separate web server is needed for
them. On the embedded SQLite default one job worker (`presales worker`) runs beside the web
processes in the same process group, so a newcomer has one command; with PostgreSQL, run
workers yourself (as many as you like, on any machine) unless ``--worker`` is given.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from typing import Any


def embedded_database() -> bool:
    from django.conf import settings

    return str(settings.DATABASES["default"]["ENGINE"]).endswith("sqlite3")


@contextlib.contextmanager
def job_worker(enabled: bool) -> Iterator[subprocess.Popen[bytes] | None]:
    """Run `presales worker` beside the server while the block runs; stop it cleanly after."""
    if not enabled:
        yield None
        return
    process = subprocess.Popen([sys.executable, "-m", "presales", "worker"])
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def run_production(host: str, port: int, *, workers: int, threads: int = 4) -> int:
    from django.db import connections
    from gunicorn.app.base import BaseApplication

    # The master process must not hand an open database connection to its forked workers.
    connections.close_all()
    options: dict[str, Any] = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "timeout": 120,
        "graceful_timeout": 30,
        "keepalive": 5,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "proc_name": "presales",
    }

    class Presales(BaseApplication):
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            from django.core.wsgi import get_wsgi_application

            return get_wsgi_application()

    try:
        Presales().run()
    except SystemExit as exit:
        return int(exit.code or 0)
    return 0


def run_dev(host: str, port: int) -> int:
    from django.core.management import call_command

    call_command("runserver", f"{host}:{port}", use_reloader=True, use_threading=True)
    return 0


def reloader_child() -> bool:
    """True in the process Django's autoreloader restarts (the outer one runs the worker)."""
    return os.environ.get("RUN_MAIN") == "true"
