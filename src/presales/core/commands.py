"""Commands that run Presales itself: serve it, migrate the database, run Django's commands."""

from __future__ import annotations

import argparse

from presales.core.commandline import CommandGroup, arg, console, out

commands = CommandGroup("Running Presales")


def serve_forever(
    host: str,
    port: int,
    *,
    dev: bool = False,
    worker: bool | None = None,
    workers: int | None = None,
    threads: int | None = None,
) -> int:
    """Serve on ``host:port`` until interrupted (the database must be migrated): gunicorn, or
    Django's reloading server with ``dev``; on the embedded SQLite default a job worker runs
    alongside unless ``worker`` is False."""
    from django.conf import settings

    from presales.core import server

    if worker is None:
        worker = server.embedded_database()
    with server.job_worker(worker and not server.reloader_child()):
        if dev:
            return server.run_dev(host, port)
        return server.run_production(
            host,
            port,
            workers=workers or settings.SERVE_WORKERS,
            threads=threads or settings.SERVE_THREADS,
        )


@commands.command(
    "serve",
    "Serve Presales (production server; --dev for Django's reloading one)",
    arg("--port", type=int, default=8000),
    arg("--host", default="127.0.0.1"),
    arg("--dev", action="store_true", help="Django's development server, reloading on changes"),
    arg(
        "--worker",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="Run a job worker alongside (default: on with the embedded SQLite database)",
    ),
    arg(
        "--workers", type=int, help="Web processes (default PRESALES_SERVE_WORKERS: 2 per CPU core)"
    ),
    arg("--threads", type=int, help="Threads per web process (default PRESALES_SERVE_THREADS: 4)"),
)
def serve(args: argparse.Namespace) -> int:
    from django.core.management import call_command

    from presales.core.server import reloader_child

    if not reloader_child():
        call_command("migrate", interactive=False, verbosity=0)
        out.print(f"Presales at http://{args.host}:{args.port}/")
    for name in ("workers", "threads"):
        if getattr(args, name) is not None and getattr(args, name) < 1:
            out.print(f"--{name} must be at least 1.")
            return 2
    return serve_forever(
        args.host,
        args.port,
        dev=args.dev,
        worker=args.worker,
        workers=args.workers,
        threads=args.threads,
    )


@commands.command("migrate", "Create or update the database schema")
def migrate(args: argparse.Namespace) -> int:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1 if args.verbose else 0)
    console.print("[green]Database is up to date.[/]")
    return 0


@commands.command(
    "manage",
    "Run a Django management command (for operators)",
    arg("args", nargs=argparse.REMAINDER),
)
def manage(args: argparse.Namespace) -> int:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["presales manage", *args.args])
    return 0


@commands.command(
    "backup",
    "Back up the database and PRESALES_HOME's files into one archive",
    arg("path", help="Archive to write (.tar.gz), or a folder to write it in"),
)
def backup(args: argparse.Namespace) -> int:
    from presales.core.commands_backup import cmd_backup

    return cmd_backup(args)


@commands.command(
    "restore",
    "Restore a backup made by `presales backup`",
    arg("path", help="The backup archive"),
    arg("--replace", action="store_true", help="Replace a database that already holds data"),
)
def restore(args: argparse.Namespace) -> int:
    from presales.core.commands_backup import cmd_restore

    return cmd_restore(args)
