"""Users and API tokens from the terminal, and the user lookups other apps' commands share."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import TYPE_CHECKING, Literal

from presales.core.commandline import CommandGroup, arg, console, out

if TYPE_CHECKING:
    from presales.people.models import User

commands = CommandGroup("Users and API tokens")


def viewer(name: str) -> User | Literal[False] | None:
    """The active user named ``name`` (None when no name is given); False, with the error
    printed, when there is no such user."""
    from presales.people.models import User

    if not name:
        return None
    user = User.objects.filter(username=name, is_active=True).first()
    if user is None:
        console.print(f"[red]No active user named {name!r}.[/]")
        return False
    return user


def acting_user(name: str) -> User | None:
    """The user NAME, or the first administrator when no name is given."""
    from presales.people.models import User

    users = User.objects.filter(is_active=True)
    if name:
        return users.filter(username=name).first()
    return users.filter(is_superuser=True).order_by("pk").first()


@commands.command(
    "createuser",
    "Create a user; the password is read from stdin",
    arg("name"),
    arg(
        "--role", required=True, help="se, rep, se_manager, sales_manager, product_manager or admin"
    ),
    arg("--team", default="", help="Name of the user's team"),
    arg("--first-name", default=""),
    arg("--last-name", default=""),
    arg("--email", default=""),
)
def createuser(args: argparse.Namespace) -> int:
    from django.core.exceptions import ValidationError

    from presales.people.models import Team
    from presales.people.services import create_user

    if sys.stdin.isatty():
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            console.print("[red]The passwords differ.[/]")
            return 2
    else:
        password = sys.stdin.readline().rstrip("\n")
    team = None
    if args.team:
        team = Team.objects.filter(name=args.team).first()
        if team is None:
            console.print(f"[red]No team named {args.team!r}.[/]")
            return 2
    try:
        user = create_user(
            username=args.name,
            role=args.role,
            password=password,
            first_name=args.first_name,
            last_name=args.last_name,
            email=args.email,
            team=team,
        )
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            console.print(f"[red]{field}: {' '.join(messages)}[/]")
        return 2
    out.print(f"Created {user.username} ({user.get_role_display()}).")
    return 0


tokens = commands.group("token", "Personal API tokens")


@tokens.action(
    "create",
    "Make a token for a user and print it once",
    arg("name", help="User name the token acts for"),
    arg("--label", default="cli", help="A name to recognise the token by"),
    arg(
        "--expires-days",
        type=int,
        default=90,
        help="Days until the token is refused (default 90; 0 = never)",
    ),
)
def token_create(args: argparse.Namespace) -> int:
    from presales.people.commands_tokens import cmd_token_create

    return cmd_token_create(args)


@tokens.action(
    "list",
    "List tokens with last use and status",
    arg("--user", default="", help="Only this user's tokens"),
    arg("--all", action="store_true", help="Include revoked and expired ones"),
    arg("--json", action="store_true", help="Print JSON"),
)
def token_list(args: argparse.Namespace) -> int:
    from presales.people.commands_tokens import cmd_token_list

    return cmd_token_list(args)


@tokens.action(
    "revoke",
    "Refuse a token from now on",
    arg("token", help="The token's id or the characters it starts with (psk_…)"),
)
def token_revoke(args: argparse.Namespace) -> int:
    from presales.people.commands_tokens import cmd_token_revoke

    return cmd_token_revoke(args)
