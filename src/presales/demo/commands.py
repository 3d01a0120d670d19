"""``presales demo``: a realistic data set to try Presales on, then serve it."""

from __future__ import annotations

import argparse
import secrets

from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from presales.core.commandline import CommandGroup, arg, console, out, progress_callback
from presales.core.commands import serve_forever

commands = CommandGroup("Demo data")


def _demo_password() -> str:
    # Readable but random: the demo never ships a fixed password.
    return "-".join(secrets.token_hex(3) for _ in range(3))


@commands.command(
    "demo",
    "Create the demo database if needed, print a login and serve it",
    arg("--port", type=int, default=8000),
    arg("--no-serve", action="store_true", help="Prepare the data and stop"),
    arg("--seed", type=int, default=7, help="Seed of the demo generator"),
    arg("--scale", type=float, default=1.0, help="Size of the customer side (1 = full)"),
)
def demo(args: argparse.Namespace) -> int:
    from django.core.management import call_command

    from presales.demo.generator import generate_demo
    from presales.demo.speed import PhaseClock, quick_writes
    from presales.people.models import User

    clock = PhaseClock()
    with clock.phase("schema"):
        call_command("migrate", interactive=False, verbosity=0)
    password = _demo_password()
    if User.objects.exists():
        se_username, admin_username = _reset_demo_logins(password)
        console.print("Using the existing database (delete PRESALES_HOME to start afresh).")
    else:
        with Progress(
            TextColumn("[bold]{task.description:<12}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            console=console,
            disable=not console.is_terminal,
        ) as bar:
            progress = progress_callback(bar)
            from presales.texts.services import index_texts

            with quick_writes():
                with clock.phase("generation"):
                    result = generate_demo(
                        password=password, seed=args.seed, scale=args.scale, progress=progress
                    )
                # Words and labels now, so search works at once; vectors follow (below).
                with clock.phase("words index"):
                    index_texts(progress=progress, meaning=False)
        se_username, admin_username = result.se_username, result.admin_username
        summary = ", ".join(f"{n:,} {name}" for name, n in result.counts.items())
        console.print(f"Demo data created: {summary}.")
    # Without --no-serve the vectors are a background job's: only queueing it is timed here.
    with clock.phase("meaning index" if args.no_serve else "queueing the meaning index"):
        _index_for_meaning(wait=args.no_serve)
    console.print(clock.line())
    url = f"http://127.0.0.1:{args.port}/"
    out.print(f"\n[bold]Presales[/] demo at {url}")
    out.print(
        f"Log in as [bold]{se_username}[/] (a sales engineer) with password [bold]{password}[/]"
    )
    out.print(f"or as [bold]{admin_username}[/] (administrator) with the same password.\n")
    if args.no_serve:
        return 0
    return serve_forever("127.0.0.1", args.port)


def _index_for_meaning(*, wait: bool) -> None:
    """Search by meaning for the demo's texts: indexed here when the command must return with
    the index complete (``--no-serve``), else by the worker that runs beside the server."""
    from presales.texts import embedding
    from presales.texts.jobs import queue_index_all
    from presales.texts.services import index_texts, meaning_coverage

    if not embedding.available():
        console.print("Search by meaning is not installed (the `meaning` extra); words only.")
        return
    covered, total = meaning_coverage()
    if covered >= total:
        return
    if not wait:
        queue_index_all()
        console.print(
            f"Search by meaning covers {covered:,} of {total:,} texts; a background job indexes "
            "the rest now (notes first) while you work. Follow it under Jobs."
        )
        return
    with Progress(
        TextColumn("[bold]{task.description:<12}"),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,}"),
        TimeElapsedColumn(),
        console=console,
        disable=not console.is_terminal,
    ) as bar:
        report = index_texts(progress=progress_callback(bar))
    console.print(f"Search by meaning covers all {report.texts:,} texts.")


def _reset_demo_logins(password: str) -> tuple[str, str]:
    from presales.people.models import Role, User

    se = User.objects.filter(role=Role.SE, is_active=True).order_by("pk").first()
    admin = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if se is None or admin is None:
        raise SystemExit("The database has users but no SE or admin to log in as.")
    for user in (se, admin):
        user.set_password(password)
        user.save(update_fields=["password"])
    return se.username, admin.username
