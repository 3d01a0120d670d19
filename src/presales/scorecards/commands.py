"""``presales scoreboard`` and ``presales import-survey`` (customer satisfaction answers)."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.progress import BarColumn, Progress, TextColumn

from presales.core.commandline import CommandGroup, arg, console, out

commands = CommandGroup("Scorecards")


@commands.command(
    "scoreboard",
    "Print a team's live scoreboard for a quarter",
    arg("--team", required=True, help="Team name (or id)"),
    arg("--period", help="Quarter such as 2025-Q3 (default: this quarter)"),
    arg("--json", action="store_true", help="Print JSON instead of a table"),
)
def scoreboard(args: argparse.Namespace) -> int:
    import json

    from django.core.exceptions import ValidationError
    from rich.table import Table

    from presales.people.models import Team
    from presales.scorecards.analytics import Figure
    from presales.scorecards.analytics import scoreboard as live_scoreboard
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
        board = live_scoreboard(team=team, quarter=quarter)
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


@commands.command(
    "import-survey",
    "Import customer satisfaction answers (CSV: account, contact, score, date[, scale])",
    arg("file", help="The survey export (CSV)"),
    arg("--json", action="store_true", help="Print the counts and errors as JSON"),
)
def import_survey(args: argparse.Namespace) -> int:
    import json
    from dataclasses import asdict

    from presales.scorecards import survey

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
            result = survey.import_survey(
                path=path,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
        except survey.UnusableSurvey as exc:
            console.print(f"[red]Cannot import: {exc}[/]", highlight=False)
            return 2
    if args.json:
        out.print_json(json.dumps({**asdict(result), "rejected": result.rejected}))
    else:
        for error in result.errors[:20]:
            console.print(f"row {error.row}, {error.column}: {error.message}", highlight=False)
        out.print(result.summary(), highlight=False)
    return 1 if result.errors else 0
