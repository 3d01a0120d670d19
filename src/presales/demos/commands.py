"""``presales demos stats``: which demos win, from the terminal."""

from __future__ import annotations

import argparse
import json
from datetime import date
from typing import Any

from presales.core.commandline import CommandGroup, arg, console, out

commands = CommandGroup("Demos")
demos = commands.group("demos", "The demo catalog: which demos win")


def as_user(name: str) -> Any:
    """The named user, or the first administrator; None (and a message) when there is none."""
    from presales.people.models import Role, User

    if name:
        found = User.objects.filter(username=name).first()
        if found is None:
            console.print(f"[red]No user named {name!r}.[/]", highlight=False)
        return found
    found = User.objects.filter(role=Role.ADMIN).order_by("pk").first()
    if found is None:
        console.print("[red]No administrator: name a user with --user.[/]")
    return found


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from None


@demos.action(
    "stats",
    "Per demo: deals shown in, advance within 30 days and win rate against comparable deals",
    arg("--json", action="store_true", help="Print JSON"),
    arg("--user", default="", help="As this user sees it (default: the first administrator)"),
    arg("--product", default="", help="Only deals with this product (name)"),
    arg("--segment", default="", help="Only accounts of this size: small, mid, large, enterprise"),
    arg("--team", default="", help="Only this team's deals (name)"),
    arg("--since", type=_date, help="Shown on or after this date"),
    arg("--until", type=_date, help="Shown on or before this date"),
)
def demos_stats(args: argparse.Namespace) -> int:
    from rich.table import Table

    from presales.accounts.models import Account
    from presales.demos.stats import Filters, catalog_stats_json, demo_statistics
    from presales.people.models import Team
    from presales.products.models import Product

    user = as_user(args.user)
    if user is None:
        return 2
    product = team = None
    if args.product:
        product = Product.objects.filter(name__iexact=args.product).first()
        if product is None:
            console.print(f"[red]No product named {args.product!r}.[/]", highlight=False)
            return 2
    if args.team:
        team = Team.objects.filter(name__iexact=args.team).first()
        if team is None:
            console.print(f"[red]No team named {args.team!r}.[/]", highlight=False)
            return 2
    if args.segment and args.segment not in Account.Size.values:
        console.print(f"[red]Segment must be one of {', '.join(Account.Size.values)}.[/]")
        return 2
    stats = demo_statistics(
        actor=user,
        filters=Filters(
            product_id=product.pk if product else None,
            segment=args.segment,
            team_id=team.pk if team else None,
            since=args.since,
            until=args.until,
        ),
    )
    if args.json:
        out.print_json(json.dumps(catalog_stats_json(stats)))
        return 0
    table = Table(title=f"Demos over {stats.deals_in_scope:,} deals")
    for name in ("Demo", "State", "Deals", "Advanced 30 d", "Win rate", "Without it", "Verdict"):
        table.add_column(name)

    def pct(value: float | None) -> str:
        return "–" if value is None else f"{value:.0%}"

    for row in stats.demos:
        win = row.win_rate
        table.add_row(
            row.title,
            row.state,
            f"{row.deals.n} ({row.open_deals} open)",
            f"{pct(row.advanced.value)} of {row.advanced.population}",
            f"{pct(win.value)} ({win.n} of {win.population})",
            pct(win.reference),
            row.verdict,
        )
    out.print(table)
    out.print(
        f"Won without a demo: {stats.won_without_demo.n} of {stats.won_deals}; "
        f"demos per won deal: {stats.demos_per_won_deal or 0:.1f}"
    )
    return 0


@demos.action(
    "refresh",
    "Recompute the per-deal facts the demo statistics count (after bulk writes to the database)",
)
def demos_refresh(args: argparse.Namespace) -> int:
    from presales.demos.facts import rebuild

    record = rebuild(reason="presales demos refresh")
    out.print(f"Recomputed the demo statistics of {record.deals:,} deals.")
    return 0
