"""The ``presales`` command: a thin shell over the services, one command per service."""

from __future__ import annotations

import argparse
import getpass
import os
import secrets
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

console = Console(stderr=True)
out = Console()


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "presales.settings")
    import django
    from django.conf import settings

    django.setup()
    database = settings.DATABASES["default"]
    if str(database["ENGINE"]).endswith("sqlite3"):
        Path(str(database["NAME"])).parent.mkdir(parents=True, exist_ok=True)


def cmd_migrate(args: argparse.Namespace) -> int:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1 if args.verbose else 0)
    console.print("[green]Database is up to date.[/]")
    return 0


def _demo_password() -> str:
    # Readable but random: the demo never ships a fixed password.
    return "-".join(secrets.token_hex(3) for _ in range(3))


def cmd_demo(args: argparse.Namespace) -> int:
    from django.core.management import call_command

    from presales.demo.generator import generate_demo
    from presales.people.models import User

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
            tasks: dict[str, TaskID] = {}

            def progress(step: str, done: int, total: int) -> None:
                if step not in tasks:
                    tasks[step] = bar.add_task(step, total=total)
                bar.update(tasks[step], completed=done, total=total)

            result = generate_demo(
                password=password, seed=args.seed, scale=args.scale, progress=progress
            )
            from presales.texts.services import index_texts

            # Words and labels now; vectors take minutes on a laptop, so `presales index` adds them.
            index_texts(progress=progress, meaning=False)
        se_username, admin_username = result.se_username, result.admin_username
        summary = ", ".join(f"{n:,} {name}" for name, n in result.counts.items())
        console.print(f"Demo data created: {summary}.")
        console.print("Run `presales index` to add search by meaning (a few minutes).")
    url = f"http://127.0.0.1:{args.port}/"
    out.print(f"\n[bold]Presales[/] demo at {url}")
    out.print(
        f"Log in as [bold]{se_username}[/] (a sales engineer) with password [bold]{password}[/]"
    )
    out.print(f"or as [bold]{admin_username}[/] (administrator) with the same password.\n")
    if args.no_serve:
        return 0
    return _serve("127.0.0.1", args.port)


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


def _serve(host: str, port: int) -> int:
    from django.core.management import call_command

    call_command("runserver", f"{host}:{port}", use_reloader=False, use_threading=True)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    out.print(f"Presales at http://{args.host}:{args.port}/")
    return _serve(args.host, args.port)


def cmd_createuser(args: argparse.Namespace) -> int:
    from django.core.exceptions import ValidationError

    from presales.people.models import Team
    from presales.people.services import create_user

    if sys.stdin.isatty():
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            console.print("[red]The passwords differ.[/]")
            return 2
    else:
        password = sys.stdin.readline().rstrip("\n")
    team = None
    if args.team:
        team = Team.objects.filter(name=args.team).first()
        if team is None:
            console.print(f"[red]No team named {args.team!r}.[/]")
            return 2
    try:
        user = create_user(
            username=args.name,
            role=args.role,
            password=password,
            first_name=args.first_name,
            last_name=args.last_name,
            email=args.email,
            team=team,
        )
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            console.print(f"[red]{field}: {' '.join(messages)}[/]")
        return 2
    out.print(f"Created {user.username} ({user.get_role_display()}).")
    return 0


def cmd_token_create(args: argparse.Namespace) -> int:
    from presales.people.models import User
    from presales.people.services import create_token

    user = User.objects.filter(username=args.name, is_active=True).first()
    if user is None:
        console.print(f"[red]No active user named {args.name!r}.[/]")
        return 2
    token, plain = create_token(user=user, name=args.label)
    console.print(f"Token {token.name!r} for {user.username}; it is shown once, keep it safe:")
    out.print(plain, soft_wrap=True)
    return 0


def cmd_manage(args: argparse.Namespace) -> int:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["presales manage", *args.args])
    return 0


def cmd_index(args: argparse.Namespace) -> int:
    from presales.texts.services import index_texts

    with Progress(
        TextColumn("[bold]{task.description:<14}"),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,}"),
        TimeElapsedColumn(),
        console=console,
        disable=not console.is_terminal,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = bar.add_task(step, total=total)
            bar.update(tasks[step], completed=done, total=total)

        try:
            report = index_texts(batch_size=args.batch_size, progress=progress)
        except KeyboardInterrupt:
            console.print("[yellow]Interrupted; finished batches are kept. Run it again.[/]")
            return 130
    how = f"vectors by {report.model}" if report.meaning else "words only (no meaning model)"
    out.print(
        f"{report.texts:,} texts indexed ({how}): {report.added:,} new, {report.changed:,} "
        f"changed, {report.removed:,} removed, {report.encoded:,} encoded, "
        f"{report.labelled:,} labelled in {report.seconds:.1f} s."
    )
    return 0


def _acting_user(name: str) -> object:
    from presales.people.models import User

    users = User.objects.filter(is_active=True)
    user = users.filter(username=name).first() if name else None
    if not name:
        user = users.filter(is_superuser=True).order_by("pk").first()
    if user is None:
        raise SystemExit(
            f"No active user named {name!r}." if name else "No administrator; pass --user NAME."
        )
    return user


def cmd_search(args: argparse.Namespace) -> int:
    import json

    from django.core.exceptions import ValidationError

    from presales.texts.services import search_texts

    user = _acting_user(args.user)
    try:
        result = search_texts(actor=user, query=args.query, limit=args.limit, kind=args.kind)  # type: ignore[arg-type]
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            console.print(f"[red]{field}: {' '.join(messages)}[/]")
        return 2
    if args.json:
        rows = [
            {
                "text_id": h.text.pk,
                "kind": h.text.kind,
                "object_id": h.text.object_id,
                "score": round(h.score, 6),
                "meaning_rank": h.meaning_rank,
                "words_rank": h.words_rank,
                "written_at": h.text.written_at.isoformat(),
                "body": h.text.body,
            }
            for h in result.hits
        ]
        payload = {"query": result.query, "mode": result.mode, "total": result.total, "hits": rows}
        out.print_json(json.dumps(payload))
        return 0
    if result.notice:
        from rich.markup import escape

        console.print(f"[yellow]{escape(result.notice)}[/]")
    if not result.hits:
        out.print(f"Nothing matches {result.query!r}.")
    for rank, hit in enumerate(result.hits, start=1):
        t = hit.text
        out.print(f"[bold]{rank}.[/] {t.kind} {t.object_id} · {t.written_at:%Y-%m-%d}")
        out.print(f"   {' '.join(t.body.split())[:200]}", highlight=False)
    return 0


def cmd_eval_text(args: argparse.Namespace) -> int:
    import json

    from django.core.exceptions import ValidationError
    from rich.table import Table

    from presales.texts.services import evaluate_labels

    path = Path(args.file) if args.file else None
    try:
        runs = [evaluate_labels(path=path), evaluate_labels(path=path, part="held-out")]
    except (ValidationError, OSError) as exc:
        console.print(f"[red]{exc}[/]")
        return 2
    if args.json:
        out.print_json(json.dumps([run.as_dict() for run in runs]))
        return 0
    for run in runs:
        if not run.texts:
            continue
        table = Table(title=f"{run.part or 'all'} texts: {run.texts}")
        for column in ("label", "precision", "recall", "support", "predicted"):
            table.add_column(column, justify="left" if column == "label" else "right")
        for s in run.scores:
            table.add_row(
                s.label,
                "—" if s.precision is None else f"{s.precision:.2f}",
                "—" if s.recall is None else f"{s.recall:.2f}",
                str(s.support),
                str(s.predicted),
            )
        out.print(table)
        out.print(
            f"Commitment due dates right: {run.due_dates_right} of {run.due_dates_checked} found."
        )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="presales", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(
        name: str, func: Callable[[argparse.Namespace], int], help: str
    ) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help, description=help)
        sub.set_defaults(func=func)
        return sub

    demo = add("demo", cmd_demo, "Create the demo database if needed, print a login and serve it")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--no-serve", action="store_true", help="Prepare the data and stop")
    demo.add_argument("--seed", type=int, default=7, help="Seed of the demo generator")
    demo.add_argument(
        "--scale", type=float, default=1.0, help="Size of the customer side (1 = full)"
    )

    serve = add(
        "serve", cmd_serve, "Serve Presales (development server; see README for production)"
    )
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--host", default="127.0.0.1")

    add("migrate", cmd_migrate, "Create or update the database schema")

    createuser = add("createuser", cmd_createuser, "Create a user; the password is read from stdin")
    createuser.add_argument("name")
    createuser.add_argument(
        "--role", required=True, help="se, rep, se_manager, sales_manager, product_manager or admin"
    )
    createuser.add_argument("--team", default="", help="Name of the user's team")
    createuser.add_argument("--first-name", default="")
    createuser.add_argument("--last-name", default="")
    createuser.add_argument("--email", default="")

    token = add("token", lambda a: 2, "Personal API tokens")
    token_commands = token.add_subparsers(dest="token_command", required=True, metavar="ACTION")
    create = token_commands.add_parser("create", help="Make a token for a user and print it once")
    create.add_argument("name", help="User name the token acts for")
    create.add_argument("--label", default="cli", help="A name to recognise the token by")
    create.set_defaults(func=cmd_token_create)

    index = add(
        "index", cmd_index, "Index notes and activities for search (incremental, resumable)"
    )
    index.add_argument(
        "--batch-size", type=int, default=1024, help="Texts encoded and committed per batch"
    )

    search = add("search", cmd_search, "Search what the team wrote, by meaning and words")
    search.add_argument("query")
    search.add_argument("--json", action="store_true", help="Print JSON")
    search.add_argument("--limit", type=int, default=10, help="Results to show (1-200)")
    search.add_argument("--kind", default=None, help="Only this kind of text: note, activity")
    search.add_argument(
        "--user", default="", help="Search as this user (default: the first administrator)"
    )

    eval_text = add("eval-text", cmd_eval_text, "Precision and recall of text labels")
    eval_text.add_argument("--file", default="", help="A labelled JSONL set (default: shipped)")
    eval_text.add_argument("--json", action="store_true", help="Print JSON")

    manage = add("manage", cmd_manage, "Run a Django management command (for operators)")
    manage.add_argument("args", nargs=argparse.REMAINDER)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _setup()
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
