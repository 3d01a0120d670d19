"""``presales forecast snapshot``: keep each team's open pipeline for the week."""

from __future__ import annotations

import argparse

from rich.progress import BarColumn, Progress, TextColumn

from presales.core.commandline import CommandGroup, arg, console, out, progress_callback, week

commands = CommandGroup("Forecasts")
forecast = commands.group("forecast", "Forecast snapshots")


@forecast.action(
    "snapshot",
    "Keep each team's open pipeline for this week (once a week; re-runnable)",
    arg("--week", default="", help="Any day of the week (default: this week)"),
)
def forecast_snapshot(args: argparse.Namespace) -> int:
    from presales.forecasts.services import take_snapshot

    day = week(args.week)
    if day is False:
        return 2
    with Progress(
        TextColumn("[bold]{task.description:<12}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        console=console,
        disable=not console.is_terminal,
    ) as bar:
        progress = progress_callback(bar)

        result = take_snapshot(week=day, progress=progress)
    out.print(
        f"Week of {result.week}: {result.created} team snapshot(s) taken with {result.lines} "
        f"open deal(s); {result.unchanged} already taken this week, left unchanged.",
        highlight=False,
    )
    return 0
