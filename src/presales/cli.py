"""The ``presales`` command, assembled from the commands of every app.

Each app keeps its commands in its own ``commands`` module (a ``CommandGroup`` named
``commands``, see ``presales.core.commandline``); this module only finds and assembles them.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from presales.core.commandline import CommandGroup, listing

# Packages with commands that are not Django apps of their own.
EXTRA_COMMAND_PACKAGES = ("presales.demo",)


def command_modules() -> list[str]:
    """The ``commands`` modules of the demo and of the presales apps in INSTALLED_APPS."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "presales.settings")
    from django.conf import settings

    apps = [app for app in settings.INSTALLED_APPS if app.startswith("presales.")]
    names = [f"{package}.commands" for package in (*EXTRA_COMMAND_PACKAGES, *apps)]
    return [name for name in names if importlib.util.find_spec(name) is not None]


def command_groups() -> list[CommandGroup]:
    groups = []
    for name in command_modules():
        group = getattr(importlib.import_module(name), "commands", None)
        if not isinstance(group, CommandGroup):
            raise TypeError(f"{name} must define `commands = CommandGroup(...)`")
        groups.append(group)
    return groups


def build_parser() -> argparse.ArgumentParser:
    groups = command_groups()
    parser = argparse.ArgumentParser(
        prog="presales",
        description="Presales from the terminal: one command per service, grouped by concept.",
        epilog=listing(groups),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("-v", "--verbose", action="store_true")
    subparsers = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", help="one of the commands below"
    )
    for group in groups:
        for command in group.commands:
            command.add_to(subparsers, top=True)
    return parser


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "presales.settings")
    import django
    from django.conf import settings

    django.setup()
    database = settings.DATABASES["default"]
    if str(database["ENGINE"]).endswith("sqlite3"):
        Path(str(database["NAME"])).parent.mkdir(parents=True, exist_ok=True)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _setup()
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
