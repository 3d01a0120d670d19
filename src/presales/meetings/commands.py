"""``presales plan``: an activity's meeting plan as Markdown or a one-page PDF."""

from __future__ import annotations

import argparse

from presales.core.commandline import CommandGroup, arg, can_write, console, emit
from presales.people.commands import viewer

commands = CommandGroup("Meetings")


@commands.command(
    "plan",
    "Print or save the meeting plan of an activity (Markdown or PDF)",
    arg("activity_id", type=int, metavar="ACTIVITY_ID"),
    arg("--format", choices=["md", "pdf"], default="md"),
    arg("--output", default="", metavar="FILE", help="Write here instead of stdout"),
    arg("--user", default="", help="Plan as this user sees it (default: everything)"),
)
def plan(args: argparse.Namespace) -> int:
    from presales.meetings.export import render_plan

    as_user = viewer(args.user)
    if as_user is False or not can_write(args):
        return 2
    try:
        data = render_plan(activity_id=args.activity_id, fmt=args.format, viewer=as_user)
    except LookupError as exc:
        console.print(f"[red]{exc.args[0]}[/]")
        return 2
    return emit(data, args.output, "the plan")
