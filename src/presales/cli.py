"""The ``presales`` command: a thin shell over the services, one command per service."""

from __future__ import annotations

import argparse
import getpass
import os
import secrets
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

if TYPE_CHECKING:
    from presales.people.models import User
    from presales.texts.services import PlantedEvaluation

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


def _progress_callback(bar: Progress) -> Callable[[str, int, int], None]:
    """A service's progress(step, done, total) drawn as one bar per step."""
    tasks: dict[str, TaskID] = {}

    def progress(step: str, done: int, total: int) -> None:
        if step not in tasks:
            tasks[step] = bar.add_task(step, total=total)
        bar.update(tasks[step], completed=done, total=total)

    return progress


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
            progress = _progress_callback(bar)

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


def cmd_plan(args: argparse.Namespace) -> int:
    from presales.meetings.export import render_plan

    viewer = _viewer(args.user)
    if viewer is False or not _can_write(args):
        return 2
    try:
        data = render_plan(activity_id=args.activity_id, fmt=args.format, viewer=viewer)
    except LookupError as exc:
        console.print(f"[red]{exc.args[0]}[/]")
        return 2
    return _emit(data, args.output, "the plan")


def _viewer(name: str) -> User | Literal[False] | None:
    """The active user named ``name`` (None when no name is given); False, with the error
    printed, when there is no such user."""
    from presales.people.models import User

    if not name:
        return None
    viewer = User.objects.filter(username=name, is_active=True).first()
    if viewer is None:
        console.print(f"[red]No active user named {name!r}.[/]")
        return False
    return viewer


def _can_write(args: argparse.Namespace) -> bool:
    if args.format == "pdf" and not args.output and out.is_terminal:
        console.print("[red]A PDF is binary: write it with --output FILE.[/]")
        return False
    return True


def _emit(data: bytes, output: str, what: str) -> int:
    if output:
        Path(output).write_bytes(data)
        console.print(f"Wrote {what} to {output}.")
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return 0


def _acting_user(name: str) -> User | None:
    """The user NAME, or the first administrator when no name is given."""
    from presales.people.models import User

    users = User.objects.filter(is_active=True)
    if name:
        return users.filter(username=name).first()
    return users.filter(is_superuser=True).order_by("pk").first()


def cmd_gap_add(args: argparse.Namespace) -> int:
    from datetime import date

    from django.core.exceptions import ValidationError

    from presales.core.access import PermissionDenied
    from presales.gaps.models import Origin
    from presales.gaps.services import propose_gap

    user = _acting_user(args.user)
    if user is None:
        console.print(f"[red]No active user named {args.user!r}.[/]")
        return 2
    links = []
    for raw in args.deal:
        deal_id, _, impact = raw.partition(":")
        if not deal_id.isdigit():
            console.print(f"[red]--deal takes ID or ID:IMPACT, not {raw!r}.[/]")
            return 2
        links.append({"opportunity_id": int(deal_id), "impact": impact or "important"})
    try:
        due = date.fromisoformat(args.due) if args.due else None
    except ValueError:
        console.print(f"[red]--due takes a date as YYYY-MM-DD, not {args.due!r}.[/]")
        return 2
    fields = {
        "title": args.title,
        "description": args.description,
        "product_area": args.area,
        "account_id": args.account_id,
        "review_due_on": due,
    }
    try:
        gap = propose_gap(actor=user, fields=fields, links=links, origin=Origin.CLI)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            console.print(f"[red]{field}: {' '.join(messages)}[/]")
        return 2
    except PermissionDenied as exc:
        console.print(f"[red]{exc}[/]")
        return 2
    out.print(
        f"Gap {gap.pk}: {gap.title} (under review, answer due {gap.review_due_on}; "
        f"${gap.revenue_at_stake:,.2f} at stake)"
    )
    return 0


def cmd_import(args: argparse.Namespace) -> int:
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


def cmd_log(args: argparse.Namespace) -> int:
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


def cmd_gap_list(args: argparse.Namespace) -> int:
    import json

    from django.utils import timezone

    from presales.gaps.analytics import RankingFilters, ranked_gaps

    user = _acting_user(args.user)
    if user is None:
        console.print(f"[red]No active user named {args.user!r}.[/]")
        return 2
    today = timezone.localdate()
    filters = RankingFilters(product_area=args.area, maybes_only=args.maybes, order=args.order)
    rows = list(ranked_gaps(user, filters, today=today)[: args.limit])
    if args.json:
        data = [
            {
                "id": g.pk,
                "title": g.title,
                "product_area": g.product_area,
                "status": g.status,
                "days_overdue": g.days_overdue(today),
                "revenue_at_stake": str(g.revenue_at_stake),
                "revenue_lost": str(g.revenue_lost),
                "revenue_won": str(g.revenue_won),
                "account_count": g.account_count,
                "open_deal_count": g.open_deal_count,
            }
            for g in rows
        ]
        out.print_json(json.dumps(data))
        return 0
    if not rows:
        out.print("No product gaps.")
    for g in rows:
        flag = f" [red]maybe, {g.days_overdue(today)} days overdue[/]" if g.is_maybe else ""
        out.print(
            f"{g.pk:>6}  ${g.revenue_at_stake:>14,.2f}  {g.account_count:>3} acc  "
            f"{g.get_status_display()}{flag}  {g.title}",
            highlight=False,
        )
    return 0


def cmd_gap_refresh(args: argparse.Namespace) -> int:
    from presales.gaps.services import refresh_all_figures

    with Progress(
        TextColumn("[bold]gap figures"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        console=console,
        disable=not console.is_terminal,
    ) as bar:
        task = bar.add_task("gaps", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        count = refresh_all_figures(progress=progress)
    out.print(f"Recomputed the figures of {count:,} gaps.")
    return 0


def cmd_scoreboard(args: argparse.Namespace) -> int:
    import json

    from django.core.exceptions import ValidationError
    from rich.table import Table

    from presales.people.models import Team
    from presales.scorecards.analytics import Figure, scoreboard
    from presales.scorecards.export import scoreboard_json
    from presales.scorecards.periods import Quarter
    from presales.scorecards.templatetags.scorecards import figure

    team = Team.objects.filter(name__iexact=args.team).first()
    if team is None and args.team.isdigit():
        team = Team.objects.filter(pk=int(args.team)).first()
    if team is None:
        console.print(f"[red]No team named {args.team!r}.[/]", highlight=False)
        return 2
    try:
        quarter = Quarter.parse(args.period) if args.period else Quarter.current()
    except ValidationError as exc:
        console.print(f"[red]{' '.join(exc.messages)}[/]", highlight=False)
        return 2
    with console.status("Computing the scoreboard…", spinner="dots"):
        board = scoreboard(team=team, quarter=quarter)
    if args.json:
        out.print_json(json.dumps(scoreboard_json(board), default=str))
        return 0
    table = Table(title=f"{board.team} · {board.period}")
    table.add_column("metric")
    for row in board.rows:
        table.add_column(row.person)
    table.add_column("whole team (median)")

    def cell(fig: Figure) -> str:
        last = figure(fig.last_period, fig.unit)
        return f"{figure(fig.value, fig.unit)} (n={fig.sample}; last {last})"

    for metric in board.metrics:
        team_fig = board.team_figures[metric.key]
        median = figure(team_fig.team_median, metric.unit)
        table.add_row(
            metric.name,
            *[cell(row.figures[metric.key]) for row in board.rows],
            f"{cell(team_fig)} ({median})",
        )
    out.print(table)
    return 0


def cmd_import_survey(args: argparse.Namespace) -> int:
    import json
    from dataclasses import asdict

    from presales.scorecards.survey import UnusableSurvey, import_survey

    path = Path(args.file)
    if not path.is_file():
        console.print(f"[red]No file {args.file!r}.[/]", highlight=False)
        return 2
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        console=console,
        disable=not console.is_terminal or args.json,
    ) as bar:
        task = bar.add_task(path.name[:24], total=None)
        try:
            result = import_survey(
                path=path,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
        except UnusableSurvey as exc:
            console.print(f"[red]Cannot import: {exc}[/]", highlight=False)
            return 2
    if args.json:
        out.print_json(json.dumps({**asdict(result), "rejected": result.rejected}))
    else:
        for error in result.errors[:20]:
            console.print(f"row {error.row}, {error.column}: {error.message}", highlight=False)
        out.print(result.summary(), highlight=False)
    return 1 if result.errors else 0


def cmd_report_weekly(args: argparse.Namespace) -> int:
    from presales.analytics.export import render_team_report

    viewer = _viewer(args.user)
    week = _week(args.week)
    if viewer is False or week is False or not _can_write(args):
        return 2
    try:
        data = render_team_report(team=args.team, fmt=args.format, week=week, viewer=viewer)
    except LookupError as exc:
        console.print(f"[red]{exc.args[0]}[/]", highlight=False)
        return 2
    return _emit(data, args.output, "the weekly report")


def _week(text: str) -> date | Literal[False] | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        console.print(f"[red]--week {text!r} is not a date (YYYY-MM-DD).[/]")
        return False


def cmd_forecast_snapshot(args: argparse.Namespace) -> int:
    from presales.forecasts.services import take_snapshot

    week = _week(args.week)
    if week is False:
        return 2
    with Progress(
        TextColumn("[bold]{task.description:<12}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        console=console,
        disable=not console.is_terminal,
    ) as bar:
        progress = _progress_callback(bar)

        result = take_snapshot(week=week, progress=progress)
    out.print(
        f"Week of {result.week}: {result.created} team snapshot(s) taken with {result.lines} "
        f"open deal(s); {result.unchanged} already taken this week, left unchanged.",
        highlight=False,
    )
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


def cmd_search(args: argparse.Namespace) -> int:
    import json

    from django.core.exceptions import ValidationError

    from presales.texts.services import search_texts

    user = _acting_user(args.user)
    if user is None:
        console.print(
            f"[red]No active user named {args.user!r}.[/]"
            if args.user
            else "[red]No administrator; pass --user NAME.[/]"
        )
        return 2
    try:
        result = search_texts(actor=user, query=args.query, limit=args.limit, kind=args.kind)
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

    from presales.texts.services import evaluate_labels, evaluate_planted

    path = Path(args.file) if args.file else None
    try:
        runs = [evaluate_labels(path=path), evaluate_labels(path=path, part="held-out")]
        planted = evaluate_planted()
    except (ValidationError, OSError) as exc:
        console.print(f"[red]{exc}[/]")
        return 2
    if args.json:
        out.print_json(json.dumps([*(run.as_dict() for run in runs), planted.as_dict()]))
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
    _print_planted(planted)
    return 0


def _print_planted(planted: PlantedEvaluation) -> None:
    from rich.table import Table

    if planted.skipped:
        out.print(f"Planted paraphrases: not measured ({planted.skipped}).")
        return
    n = len(planted.pairs)
    table = Table(title=f"planted paraphrases: {n} notes among {planted.among:,} texts")
    for column in ("query", "search", "meaning alone", "rank fusion (former)"):
        table.add_column(column, justify="left" if column == "query" else "right")
    for p in planted.pairs:
        table.add_row(
            p.query,
            *(str(r or "—") for r in (p.fused_rank, p.meaning_rank, p.rank_fusion_rank)),
        )
    out.print(table)
    out.print(
        f"In the top 3: search {planted.found('fused')} of {n}, meaning alone "
        f"{planted.found('meaning')} of {n}, former rank fusion "
        f"{planted.found('rank_fusion')} of {n} (ranks past 50 show as —)."
    )


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

    plan = add("plan", cmd_plan, "Print or save the meeting plan of an activity (Markdown or PDF)")
    plan.add_argument("activity_id", type=int, metavar="ACTIVITY_ID")
    plan.add_argument("--format", choices=["md", "pdf"], default="md")
    plan.add_argument("--output", default="", metavar="FILE", help="Write here instead of stdout")
    plan.add_argument("--user", default="", help="Plan as this user sees it (default: everything)")
    imports = add("import", cmd_import, "Import CRM exports or calendars (upserts; re-runnable)")
    imports.add_argument("kind", choices=["salesforce", "hubspot", "maven", "csv", "ics"])
    imports.add_argument("paths", nargs="+", metavar="PATH", help="Files, or folders of files")
    imports.add_argument("--mapping", help="TOML file mapping columns for 'csv' imports")
    imports.add_argument(
        "--dry-run", action="store_true", help="Show what would change; keep nothing"
    )
    imports.add_argument(
        "--strict", action="store_true", help="Import a file only if none of its rows is rejected"
    )
    imports.add_argument("--json", action="store_true", help="Print the counts as JSON")

    log = add("log", cmd_log, "Log an activity in one line: 'demo Acme 45m: showed SSO'")
    log.add_argument("text", help="kind, account, duration, then ':' and what happened")
    log.add_argument("--as", dest="as_user", default="", help="User name (default: yours)")
    log.add_argument("--account", type=int, help="Account id, to confirm an unsure match")

    gap = add("gap", lambda a: 2, "Product gaps: write one down, list the ranking")
    gap_commands = gap.add_subparsers(dest="gap_command", required=True, metavar="ACTION")
    gap_add = gap_commands.add_parser("add", help="Write a product gap down (under review)")
    gap_add.add_argument("title")
    gap_add.add_argument("--user", default="", help="Propose as this user (default: first admin)")
    gap_add.add_argument("--description", default="")
    gap_add.add_argument("--area", default="", help="Product area, e.g. Storage")
    gap_add.add_argument("--account-id", type=int, default=None)
    gap_add.add_argument(
        "--deal",
        action="append",
        default=[],
        metavar="ID[:IMPACT]",
        help="A deal it touches; IMPACT is deal_breaker, important (default) or nice_to_have",
    )
    gap_add.add_argument("--due", default="", help="Answer due (YYYY-MM-DD; default in 14 days)")
    gap_add.set_defaults(func=cmd_gap_add)
    gap_list = gap_commands.add_parser("list", help="Gaps ranked by revenue at stake")
    gap_list.add_argument("--json", action="store_true")
    gap_list.add_argument("--user", default="", help="As this user sees them (default: all)")
    gap_list.add_argument("--area", default="")
    gap_list.add_argument(
        "--order", choices=["revenue", "accounts", "lost", "newest"], default="revenue"
    )
    gap_list.add_argument("--maybes", action="store_true", help="Only overdue gaps under review")
    gap_list.add_argument("--limit", type=int, default=50)
    gap_list.set_defaults(func=cmd_gap_list)
    gap_refresh = gap_commands.add_parser(
        "refresh", help="Recompute every gap's revenue figures (after bulk deal imports)"
    )
    gap_refresh.set_defaults(func=cmd_gap_refresh)

    board = add("scoreboard", cmd_scoreboard, "Print a team's live scoreboard for a quarter")
    board.add_argument("--team", required=True, help="Team name (or id)")
    board.add_argument("--period", help="Quarter such as 2025-Q3 (default: this quarter)")
    board.add_argument("--json", action="store_true", help="Print JSON instead of a table")
    survey = add(
        "import-survey",
        cmd_import_survey,
        "Import customer satisfaction answers (CSV: account, contact, score, date[, scale])",
    )
    survey.add_argument("file", help="The survey export (CSV)")
    survey.add_argument("--json", action="store_true", help="Print the counts and errors as JSON")
    report = add("report", lambda a: 2, "Data-driven reports")
    report_commands = report.add_subparsers(dest="report_command", required=True, metavar="KIND")
    weekly = report_commands.add_parser(
        "weekly", help="A team's weekly report: every figure with its sample and references"
    )
    weekly.add_argument("--team", required=True, help="Team name (or id)")
    weekly.add_argument("--format", choices=["md", "pdf", "json"], default="md")
    weekly.add_argument("--week", default="", help="Any day of the week (default: last week)")
    weekly.add_argument("--output", default="", metavar="FILE", help="Write here, not stdout")
    weekly.add_argument("--user", default="", help="Report as this user sees the data")
    weekly.set_defaults(func=cmd_report_weekly)

    forecast = add("forecast", lambda a: 2, "Forecast snapshots")
    forecast_commands = forecast.add_subparsers(
        dest="forecast_command", required=True, metavar="ACTION"
    )
    snapshot = forecast_commands.add_parser(
        "snapshot", help="Keep each team's open pipeline for this week (once a week; re-runnable)"
    )
    snapshot.add_argument("--week", default="", help="Any day of the week (default: this week)")
    snapshot.set_defaults(func=cmd_forecast_snapshot)

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
