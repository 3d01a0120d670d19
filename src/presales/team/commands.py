"""``presales team capacity|oob|rebuild-totals`` and ``presales request add|list``."""

from __future__ import annotations

import argparse
import json
from datetime import date
from typing import Any

from presales.core.commandline import CommandGroup, arg, console, out

commands = CommandGroup("The SE team")
team = commands.group("team", "The SE team: capacity and out-of-band work")
request = commands.group("request", "Requests for SE help: ask, list")


def _teams(name: str) -> list[Any] | None:
    from presales.people.models import Team

    if not name:
        return list(Team.objects.order_by("name"))
    found = Team.objects.filter(name__iexact=name).first()
    if found is None and name.isdigit():
        found = Team.objects.filter(pk=int(name)).first()
    if found is None:
        console.print(f"[red]No team named {name!r}.[/]", highlight=False)
        return None
    return [found]


def _user(name: str) -> Any:
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


@team.action(
    "capacity",
    "Each SE's load from recorded work: hours by kind, deals, requests, state",
    arg("--team", default="", help="Team name or id (default: every team)"),
    arg("--json", action="store_true", help="Print JSON"),
)
def team_capacity_command(args: argparse.Namespace) -> int:
    from rich.table import Table

    from presales.team.capacity import capacity_json, team_capacity

    teams = _teams(args.team)
    if teams is None:
        return 2
    reports = [team_capacity(team=t) for t in teams]
    if args.json:
        out.print_json(json.dumps([capacity_json(r) for r in reports], default=str))
        return 0
    for report in reports:
        table = Table(
            title=f"Capacity of {report.team} ({report.window_start}–{report.window_end})"
        )
        for name in (
            "SE",
            "state",
            "h/week",
            "customer-facing",
            "prep",
            "travel",
            "OOB",
            "time out",
            "POCs",
            "deals",
            "requests",
            "booked ahead",
        ):
            table.add_column(name)
        for r in report.rows:
            f = r.figures
            share = f["customer_facing_share"]
            table.add_row(
                str(r.user),
                r.state,
                f"{f['hours_per_week'].value} (median {f['hours_per_week'].reference})",
                f"{f['customer_facing_hours'].value} h"
                + (
                    f" ({share.value:.0%} of {share.population} h)"
                    if share.value is not None
                    else ""
                ),
                str(f["preparation_hours"].value),
                str(f["travel_hours"].value),
                str(f["out_of_band_hours"].value),
                str(f["time_out_hours"].value),
                str(f["pocs_running"].value),
                str(f["deals_supported"].value),
                str(f["requests_open"].value),
                str(f["booked_next_four_weeks"].value),
            )
        out.print(table)
        names = ", ".join(str(r.user) for r in report.next_in_line[:3]) or "nobody"
        out.print(f"Who can take the next request: {names}", highlight=False)
    return 0


@team.action(
    "oob",
    "Out-of-band work per SE: hours, share of recorded time, departments, repeat problems",
    arg("--team", default="", help="Team name or id (default: every team)"),
    arg("--since", default="", help="YYYY-MM-DD (default: twelve weeks ago)"),
    arg("--json", action="store_true", help="Print JSON"),
)
def team_oob_command(args: argparse.Namespace) -> int:
    from rich.table import Table

    from presales.team.outofband import out_of_band_json, team_out_of_band

    try:
        since = date.fromisoformat(args.since) if args.since else None
    except ValueError:
        console.print(f"[red]--since {args.since!r} is not a date (YYYY-MM-DD).[/]")
        return 2
    teams = _teams(args.team)
    if teams is None:
        return 2
    reports = [team_out_of_band(team=t, since=since) for t in teams]
    if args.json:
        out.print_json(json.dumps([out_of_band_json(r) for r in reports], default=str))
        return 0
    for report in reports:
        share = f"{report.share:.0%}" if report.share is not None else "—"
        table = Table(
            title=f"Out-of-band work of {report.team} since {report.since}: "
            f"{report.hours:.1f} h, {share} of {report.recorded_hours:.1f} h recorded"
        )
        for name in ("SE", "hours", "share", "customer-facing h", "requests", "top problems"):
            table.add_column(name)
        for r in report.rows:
            table.add_row(
                str(r.user),
                f"{r.hours:.1f}",
                f"{r.share:.0%} ({r.hours:.1f} of {r.recorded_hours:.1f} h)"
                if r.share is not None
                else "—",
                f"{r.customer_facing_hours:.1f}",
                str(r.requests),
                "; ".join(r.top_problems),
            )
        out.print(table)
        for p in report.problems[:5]:
            out.print(f"  {p.count}× {p.label} ({p.hours:.1f} h)", highlight=False)
    return 0


@team.action(
    "rebuild-totals",
    "Compute the weekly totals capacity reads again from the activities (after raw SQL writes)",
)
def team_rebuild_totals(args: argparse.Namespace) -> int:
    from presales.team.weekly import rebuild

    rows = rebuild()
    out.print(f"Weekly totals rebuilt: {rows} rows (SE, week, kind of time).", highlight=False)
    return 0


@request.action(
    "add",
    "Ask for SE help on a deal or an account",
    arg("summary", help="What the customer needs, in a line"),
    arg(
        "--kind",
        required=True,
        choices=["discovery", "demo", "poc", "rfp", "workshop", "architecture"],
    ),
    arg("--deal", type=int, default=None, help="Deal id"),
    arg("--account", type=int, default=None, help="Account id"),
    arg("--from", dest="starts_on", required=True, help="YYYY-MM-DD"),
    arg("--to", dest="ends_on", default="", help="YYYY-MM-DD (default: the same day)"),
    arg("--skill", action="append", default=[], help="A skill needed (repeatable)"),
    arg("--urgency", default="normal", choices=["low", "normal", "high"]),
    arg("--time-zone", default="", help="The customer's time zone, e.g. Europe/Berlin"),
    arg("--user", default="", help="Ask as this user (default: the first administrator)"),
)
def request_add(args: argparse.Namespace) -> int:
    from django.core.exceptions import ValidationError

    from presales.core.access import PermissionDenied
    from presales.team.requesting import create_request

    actor = _user(args.user)
    if actor is None:
        return 2
    try:
        starts = date.fromisoformat(args.starts_on)
        ends = date.fromisoformat(args.ends_on) if args.ends_on else starts
    except ValueError:
        console.print("[red]--from and --to are dates (YYYY-MM-DD).[/]")
        return 2
    try:
        made = create_request(
            actor=actor,
            kind=args.kind,
            summary=args.summary,
            starts_on=starts,
            ends_on=ends,
            opportunity_id=args.deal,
            account_id=args.account,
            skills=args.skill,
            urgency=args.urgency,
            customer_time_zone=args.time_zone,
        )
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            console.print(f"[red]{field}: {' '.join(errors)}[/]", highlight=False)
        return 1
    except PermissionDenied as exc:
        console.print(f"[red]{exc}[/]", highlight=False)
        return 1
    out.print(f"Request {made.pk} routed to {made.team or 'no team'}.", highlight=False)
    return 0


@request.action(
    "list",
    "List requests for SE help as a user sees them",
    arg("--status", default="open", help="open (default), all, or a status"),
    arg("--user", default="", help="As this user (default: the first administrator)"),
    arg("--mine", action="store_true", help="Only those the user asked or was given"),
    arg("--json", action="store_true", help="Print JSON"),
)
def request_list(args: argparse.Namespace) -> int:
    from rich.table import Table

    from presales.team.requesting import requests_list

    actor = _user(args.user)
    if actor is None:
        return 2
    rows = list(requests_list(actor=actor, status=args.status, mine=args.mine)[:200])
    if args.json:
        out.print_json(
            json.dumps(
                [
                    {
                        "id": r.pk,
                        "kind": r.kind,
                        "summary": r.summary,
                        "status": r.status,
                        "team": r.team.name if r.team else None,
                        "assignee": r.assignee.username if r.assignee else None,
                        "deal": r.opportunity_id,
                        "account": r.account_id,
                        "starts_on": r.starts_on,
                        "ends_on": r.ends_on,
                        "urgency": r.urgency,
                        "answered_on_time": r.answered_on_time,
                        "fulfilled_on_time": r.fulfilled_on_time,
                    }
                    for r in rows
                ],
                default=str,
            )
        )
        return 0
    if not rows:
        out.print("No request matches.")
        return 0
    table = Table(title="Requests for SE help")
    for name in ("id", "kind", "summary", "when", "status", "team", "SE"):
        table.add_column(name)
    for r in rows:
        table.add_row(
            str(r.pk),
            r.kind,
            r.summary,
            f"{r.starts_on}–{r.ends_on}",
            r.status,
            str(r.team or "—"),
            str(r.assignee or "—"),
        )
    out.print(table)
    return 0
