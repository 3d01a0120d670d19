"""How an app adds commands to ``presales``, and the helpers its commands share.

An app that has commands keeps them in its own ``commands`` module, which exposes one
``CommandGroup`` named ``commands``; ``presales.cli`` finds it through ``INSTALLED_APPS``::

    import argparse

    from presales.core.commandline import CommandGroup, arg, out

    commands = CommandGroup("Product gaps")
    gap = commands.group("gap", "Product gaps: write one down, list the ranking")


    @gap.action("refresh", "Recompute every gap's revenue figures")
    def gap_refresh(args: argparse.Namespace) -> int:
        from presales.gaps.services import refresh_all_figures  # Django is set up by now

        out.print(f"Recomputed {refresh_all_figures():,} gaps.")
        return 0

A handler returns the exit code. Commands are parsed before Django is set up, so a commands
module imports models and services inside its handlers, never at module level.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

from rich.console import Console
from rich.progress import Progress, TaskID

Handler = Callable[[argparse.Namespace], int]

console = Console(stderr=True)
out = Console()


@dataclass(frozen=True)
class Arg:
    """One ``add_argument`` call, kept until the parser is built."""

    flags: tuple[str, ...]
    options: dict[str, Any]


def arg(*flags: str, **options: Any) -> Arg:
    """An argument, spelt as for ``ArgumentParser.add_argument``."""
    return Arg(flags, options)


@dataclass
class Command:
    """A command with its handler, or with actions (``presales gap add``) and no handler."""

    name: str
    help: str
    arguments: tuple[Arg, ...] = ()
    handler: Handler | None = None
    metavar: str = "ACTION"
    actions: list[Command] = field(default_factory=list)

    def action(self, name: str, help: str, *arguments: Arg) -> Callable[[Handler], Handler]:
        """Register the decorated function as ``presales <command> <name>``."""

        def register(handler: Handler) -> Handler:
            self.actions.append(Command(name, help, arguments, handler))
            return handler

        return register

    def add_to(self, parent: Any, *, top: bool) -> None:
        """Add this command's parser to ``parent`` (a subparsers action). Top-level commands
        are listed by ``listing`` under their group's heading, so argparse does not list them."""
        options = {"description": self.help} if top else {"help": self.help}
        parser: argparse.ArgumentParser = parent.add_parser(self.name, **options)
        for argument in self.arguments:
            parser.add_argument(*argument.flags, **argument.options)
        if self.handler is not None:
            parser.set_defaults(func=self.handler)
        if self.actions:
            sub = parser.add_subparsers(
                dest=f"{self.name}_command", required=True, metavar=self.metavar
            )
            for action in self.actions:
                action.add_to(sub, top=False)


@dataclass
class CommandGroup:
    """The commands of one concept, listed under ``title`` in ``presales --help``."""

    title: str
    commands: list[Command] = field(default_factory=list)

    def command(self, name: str, help: str, *arguments: Arg) -> Callable[[Handler], Handler]:
        """Register the decorated function as ``presales <name>``."""

        def register(handler: Handler) -> Handler:
            self.commands.append(Command(name, help, arguments, handler))
            return handler

        return register

    def group(self, name: str, help: str, *, metavar: str = "ACTION") -> Command:
        """A command made of actions; add them with ``@<group>.action(...)``."""
        command = Command(name, help, metavar=metavar)
        self.commands.append(command)
        return command

    def rows(self) -> list[tuple[str, str]]:
        """(usage name, help) of every command and action, as ``presales --help`` lists them."""
        rows: list[tuple[str, str]] = []
        for command in self.commands:
            if command.actions:
                rows.extend((f"{command.name} {a.name}", a.help) for a in command.actions)
            else:
                rows.append((command.name, command.help))
        return rows


def listing(groups: Sequence[CommandGroup]) -> str:
    """The commands under one heading per group, for the end of ``presales --help``."""
    width = max((len(name) for g in groups for name, _ in g.rows()), default=0) + 2
    lines: list[str] = []
    for group in groups:
        lines.append(f"{group.title}:")
        lines.extend(f"  {name:<{width}}{help}" for name, help in group.rows())
        lines.append("")
    return "\n".join(lines).rstrip()


def progress_callback(bar: Progress) -> Callable[[str, int, int], None]:
    """A service's progress(step, done, total) drawn as one bar per step."""
    tasks: dict[str, TaskID] = {}

    def progress(step: str, done: int, total: int) -> None:
        if step not in tasks:
            tasks[step] = bar.add_task(step, total=total)
        bar.update(tasks[step], completed=done, total=total)

    return progress


def can_write(args: argparse.Namespace) -> bool:
    """False, with the error printed, when a PDF would go to a terminal."""
    if args.format == "pdf" and not args.output and out.is_terminal:
        console.print("[red]A PDF is binary: write it with --output FILE.[/]")
        return False
    return True


def emit(data: bytes, output: str, what: str) -> int:
    """Write ``data`` to the file ``output``, or to stdout when it is empty."""
    if output:
        Path(output).write_bytes(data)
        console.print(f"Wrote {what} to {output}.")
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return 0


def week(text: str) -> date | Literal[False] | None:
    """The date of ``--week`` (None when empty); False, with the error printed, when invalid."""
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        console.print(f"[red]--week {text!r} is not a date (YYYY-MM-DD).[/]")
        return False
