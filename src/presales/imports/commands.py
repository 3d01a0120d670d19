"""``presales import`` (CRM exports and calendars) and ``presales log`` (the quick log)."""

from __future__ import annotations

import argparse
import getpass
from pathlib import Path

from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from presales.core.commandline import CommandGroup, arg, console, out

commands = CommandGroup("Imports and the quick log")


@commands.command(
    "import",
    "Import CRM exports or calendars (upserts; re-runnable)",
    arg("kind", choices=["salesforce", "hubspot", "maven", "csv", "ics", "email"]),
    arg("paths", nargs="+", metavar="PATH", help="Files, or folders of files"),
    arg("--mapping", help="TOML file mapping columns for 'csv' imports"),
    arg("--dry-run", action="store_true", help="Show what would change; keep nothing"),
    arg("--strict", action="store_true", help="Import a file only if none of its rows is rejected"),
    arg("--json", action="store_true", help="Print the counts as JSON"),
)
def import_(args: argparse.Namespace) -> int:
    import json

    from presales.imports.services import UnusableInput, as_json, run_import

    with Progress(
        TextColumn("[bold]{task.description:<24}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=console,
        disable=not console.is_terminal or args.json,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(name: str, done: int, total: int) -> None:
            if name not in tasks:
                tasks[name] = bar.add_task(name[:24], total=total or 1)
            bar.update(tasks[name], completed=done, total=total or 1)

        try:
            result = run_import(
                kind=args.kind,
                paths=[Path(p) for p in args.paths],
                mapping=Path(args.mapping) if args.mapping else None,
                dry_run=args.dry_run,
                strict=args.strict,
                progress=progress,
            )
        except UnusableInput as exc:
            console.print(f"[red]Cannot import: {exc}[/]", soft_wrap=True, highlight=False)
            return 2
    if result.unusable:
        console.print(f"[red]Cannot import: {result.unusable}[/]", soft_wrap=True, highlight=False)
        return 2
    if args.json:
        out.print_json(json.dumps(as_json(result)))
        return result.exit_code
    for line in result.digest_of_issues(limit=10):
        console.print(line, highlight=False, soft_wrap=True)
    if result.report_path:
        console.print(f"Report: {result.report_path}", highlight=False)
    pending = result.totals["pending"]
    if pending:
        console.print(f"{pending} record(s) wait for records that have not been imported yet.")
    if args.dry_run:
        console.print("Dry run: nothing was changed.")
    out.print(result.summary(), highlight=False)
    return result.exit_code


@commands.command(
    "log",
    "Log an activity in one line: 'demo Acme 45m: showed SSO'",
    arg("text", help="kind, account, duration, then ':' and what happened"),
    arg("--as", dest="as_user", default="", help="User name (default: yours)"),
    arg("--account", type=int, help="Account id, to confirm an unsure match"),
)
def log(args: argparse.Namespace) -> int:
    from django.core.exceptions import ValidationError

    from presales.imports.services.quicklog import quick_log
    from presales.people.models import User

    name = args.as_user or getpass.getuser()
    user = User.objects.filter(username=name, is_active=True).first()
    if user is None:
        console.print(f"[red]No active user named {name!r} (use --as NAME).[/]")
        return 2
    try:
        result = quick_log(actor=user, text=args.text, account_id=args.account)
    except ValidationError as exc:
        console.print(f"[red]{' '.join(m for ms in exc.message_dict.values() for m in ms)}[/]")
        return 2
    if result.activity is None:
        console.print(f"Which account did you mean by {result.account_words!r}?")
        for c in result.candidates:
            console.print(f"  --account {c.pk}  {c.name} ({c.confidence:.0%} match)")
        if not result.candidates:
            console.print("  No account you can see is named like that.")
        return 1
    activity = result.activity
    where = f", {activity.account}" if activity.account else ""
    sure = f" ({result.confidence:.0%} match)" if activity.account and result.confidence < 1 else ""
    out.print(
        f"Logged {activity.get_kind_display().lower()}{where}{sure}, {result.minutes} min: "
        f"{result.note or activity.subject}",
        highlight=False,
    )
    return 0
