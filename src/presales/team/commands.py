"""``presales team capacity|oob|skills|time-out|coverage|rebuild-totals`` and
``presales request add|list``."""

from __future__ import annotations

import argparse
import json
from datetime import date
from typing import Any

from presales.core.commandline import CommandGroup, arg, console, out

commands = CommandGroup("The SE team")
team = commands.group("team", "The SE team: capacity, out-of-band work, skills, time out, coverage")
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


def _levels(cell: Any) -> str:
    if cell is None:
        return ""
    mark = " !" if cell.apart else ""
    return f"{cell.self_level or '—'}/{cell.manager_level or '—'}{mark}"


@team.action(
    "skills",
    "The skills matrix: each SE's own level / the manager's, and demand against supply",
    arg("--team", default="", help="Team name or id (default: every team)"),
    arg("--json", action="store_true", help="Print JSON"),
)
def team_skills_command(args: argparse.Namespace) -> int:
    from rich.table import Table

    from presales.team.skills import demand_and_supply, demand_json, matrix_json, team_matrix

    teams = _teams(args.team)
    if teams is None:
        return 2
    if args.json:
        data = []
        for t in teams:
            demand = demand_json(t, demand_and_supply(t))
            data.append({**matrix_json(team_matrix(t)), "demand": demand})
        out.print_json(json.dumps(data, default=str))
        return 0
    for t in teams:
        matrix = team_matrix(t)
        if not matrix.people or not matrix.skills:
            out.print(f"{t}: no SE has a skill recorded yet.", highlight=False)
            continue
        table = Table(title=f"Skills of {t} (own level / manager's; ! two or more apart)")
        table.add_column("SE")
        for skill in matrix.skills:
            table.add_column(skill.name)
        for person, cells in matrix.rows:
            table.add_row(str(person), *(_levels(c) for c in cells))
        out.print(table)
        wanted = Table(title=f"Demand against supply in {t}")
        for name in ("skill", "requests", "deals", "proficient SEs"):
            wanted.add_column(name)
        for row in demand_json(t, demand_and_supply(t))["skills"]:
            wanted.add_row(
                row["skill"],
                str(row["requests"]),
                str(row["deals"]),
                ", ".join(row["supply"]) or "nobody",
            )
        out.print(wanted)
    return 0


@team.action(
    "time-out",
    "Time out of the field this quarter against the plan, per SE, and every entry",
    arg("--team", default="", help="Team name or id (default: every team)"),
    arg("--json", action="store_true", help="Print JSON"),
)
def team_time_out_command(args: argparse.Namespace) -> int:
    from rich.table import Table

    from presales.team.outoffield import plan_json, quarter_plan

    teams = _teams(args.team)
    if teams is None:
        return 2
    plans = [quarter_plan(t) for t in teams]
    if args.json:
        out.print_json(json.dumps([plan_json(p) for p in plans], default=str))
        return 0
    for plan in plans:
        table = Table(
            title=f"Time out of the field of {plan.team}, {plan.start}–{plan.end} "
            f"({plan.hours_per_se} h planned per SE)"
        )
        for name in ("SE", "planned h", "spent h", "ahead h", "waiting h", "left h"):
            table.add_column(name)
        for r in plan.rows:
            left = f"{r.left}" + (" (over the plan)" if r.over else "")
            table.add_row(
                str(r.user), str(r.planned), str(r.spent), str(r.ahead), str(r.waiting), left
            )
        out.print(table)
        for e in plan.entries:
            out.print(
                f"  {e.starts_on}–{e.ends_on} {e.user}: {e.get_kind_display()} "
                f"{e.title!r}, {e.hours} h, {e.get_status_display().lower()}",
                highlight=False,
            )
    return 0


@team.action(
    "coverage",
    "SE-to-rep ratio per region and line of business; late-stage deals with no SE",
    arg("--team", default="", help="Only this team's deals (name or id; default: every deal)"),
    arg("--user", default="", help="As this user sees the deals (default: first administrator)"),
    arg("--json", action="store_true", help="Print JSON"),
)
def team_coverage_command(args: argparse.Namespace) -> int:
    from rich.table import Table

    from presales.deals.access import opportunities_for
    from presales.team.coverage import coverage_json

    actor = _user(args.user)
    if actor is None:
        return 2
    deals = opportunities_for(actor)
    if args.team:
        teams = _teams(args.team)
        if teams is None:
            return 2
        deals = deals.filter(team=teams[0])
    data = coverage_json(deals)
    if args.json:
        out.print_json(json.dumps(data, default=str))
        return 0
    for key, title in (("by_region", "region"), ("by_line_of_business", "line of business")):
        table = Table(title=f"Coverage by {title}")
        for name in (title, "SEs", "reps", "reps per SE", "open deals with an SE"):
            table.add_column(name)
        for r in data[key]:
            share = r["deals_with_se"]
            table.add_row(
                r["name"],
                str(r["ses"]),
                str(r["reps"]),
                "—" if r["reps_per_se"] is None else f"{r['reps_per_se']:.1f}",
                f"{share['n']} of {share['N']}",
            )
        out.print(table)
    late = data["late_stage_without_se"]
    if not late:
        out.print("Every late-stage deal has an SE.")
        return 0
    table = Table(title=f"Late-stage deals with no SE ({len(late)})")
    for name in ("id", "deal", "stage", "amount", "owner"):
        table.add_column(name)
    for d in late:
        amount = "—" if d["amount"] is None else f"{d['amount']:,.0f}"
        table.add_row(str(d["id"]), d["name"], d["stage"], amount, d["owner"] or "—")
    out.print(table)
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
