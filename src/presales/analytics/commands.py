"""``presales report weekly``: a team's weekly report as Markdown, PDF or JSON."""

from __future__ import annotations

import argparse

from presales.core.commandline import CommandGroup, arg, can_write, console, emit, week
from presales.people.commands import viewer

commands = CommandGroup("Reports")
report = commands.group("report", "Data-driven reports", metavar="KIND")


@report.action(
    "weekly",
    "A team's weekly report: every figure with its sample and references",
    arg("--team", required=True, help="Team name (or id)"),
    arg("--format", choices=["md", "pdf", "json"], default="md"),
    arg("--week", default="", help="Any day of the week (default: last week)"),
    arg("--output", default="", metavar="FILE", help="Write here, not stdout"),
    arg("--user", default="", help="Report as this user sees the data"),
)
def report_weekly(args: argparse.Namespace) -> int:
    from presales.analytics.export import render_team_report

    as_user = viewer(args.user)
    day = week(args.week)
    if as_user is False or day is False or not can_write(args):
        return 2
    try:
        data = render_team_report(team=args.team, fmt=args.format, week=day, viewer=as_user)
    except LookupError as exc:
        console.print(f"[red]{exc.args[0]}[/]", highlight=False)
        return 2
    return emit(data, args.output, "the weekly report")
