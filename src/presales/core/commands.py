"""Commands that run Presales itself: serve it, migrate the database, run Django's commands."""

from __future__ import annotations

import argparse

from presales.core.commandline import CommandGroup, arg, console, out

commands = CommandGroup("Running Presales")


def serve_forever(host: str, port: int) -> int:
    """Serve on ``host:port`` until interrupted (the database must be migrated)."""
    from django.core.management import call_command

    call_command("runserver", f"{host}:{port}", use_reloader=False, use_threading=True)
    return 0


@commands.command(
    "serve",
    "Serve Presales (development server; see README for production)",
    arg("--port", type=int, default=8000),
    arg("--host", default="127.0.0.1"),
)
def serve(args: argparse.Namespace) -> int:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    out.print(f"Presales at http://{args.host}:{args.port}/")
    return serve_forever(args.host, args.port)


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
