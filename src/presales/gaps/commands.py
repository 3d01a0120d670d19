"""``presales gap``: write a product gap down, list the ranking, recompute the figures."""

from __future__ import annotations

import argparse

from rich.progress import BarColumn, Progress, TextColumn

from presales.core.commandline import CommandGroup, arg, console, out
from presales.people.commands import acting_user

commands = CommandGroup("Product gaps")
gap = commands.group("gap", "Product gaps: write one down, list the ranking")


@gap.action(
    "add",
    "Write a product gap down (under review)",
    arg("title"),
    arg("--user", default="", help="Propose as this user (default: first admin)"),
    arg("--description", default=""),
    arg("--area", default="", help="Product area, e.g. Storage"),
    arg("--account-id", type=int, default=None),
    arg(
        "--deal",
        action="append",
        default=[],
        metavar="ID[:IMPACT]",
        help="A deal it touches; IMPACT is deal_breaker, important (default) or nice_to_have",
    ),
    arg("--due", default="", help="Answer due (YYYY-MM-DD; default in 14 days)"),
)
def gap_add(args: argparse.Namespace) -> int:
    from datetime import date

    from django.core.exceptions import ValidationError

    from presales.core.access import PermissionDenied
    from presales.gaps.models import Origin
    from presales.gaps.services import propose_gap

    user = acting_user(args.user)
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
        written = propose_gap(actor=user, fields=fields, links=links, origin=Origin.CLI)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            console.print(f"[red]{field}: {' '.join(messages)}[/]")
        return 2
    except PermissionDenied as exc:
        console.print(f"[red]{exc}[/]")
        return 2
    out.print(
        f"Gap {written.pk}: {written.title} (under review, answer due {written.review_due_on}; "
        f"${written.revenue_at_stake:,.2f} at stake)"
    )
    return 0


@gap.action(
    "list",
    "Gaps ranked by revenue at stake",
    arg("--json", action="store_true"),
    arg("--user", default="", help="As this user sees them (default: all)"),
    arg("--area", default=""),
    arg("--order", choices=["revenue", "accounts", "lost", "newest"], default="revenue"),
    arg("--maybes", action="store_true", help="Only overdue gaps under review"),
    arg("--limit", type=int, default=50),
)
def gap_list(args: argparse.Namespace) -> int:
    import json

    from django.utils import timezone

    from presales.gaps.analytics import RankingFilters, ranked_gaps

    user = acting_user(args.user)
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


@gap.action("refresh", "Recompute every gap's revenue figures (after bulk deal imports)")
def gap_refresh(args: argparse.Namespace) -> int:
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
