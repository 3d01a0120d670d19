"""``presales token create|list|revoke``: thin handlers over people.services.

Each takes the parsed argparse namespace and returns the exit code (0 done, 2 refused); their
arguments are declared in people/commands.py.
"""

from __future__ import annotations

import argparse
import json

from django.core.exceptions import ValidationError
from django.utils import timezone
from rich.console import Console
from rich.table import Table

console = Console(stderr=True)
out = Console()


def cmd_token_create(args: argparse.Namespace) -> int:
    from presales.people.models import User
    from presales.people.services import create_token

    user = User.objects.filter(username=args.name, is_active=True).first()
    if user is None:
        console.print(f"[red]No active user named {args.name!r}.[/]")
        return 2
    days = getattr(args, "expires_days", 90)
    try:
        token, plain = create_token(user=user, name=args.label, expires_in_days=days or None)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            console.print(f"[red]{field}: {' '.join(messages)}[/]")
        return 2
    until = f"expires {token.expires_at:%Y-%m-%d %H:%M} UTC" if token.expires_at else "no expiry"
    console.print(f"Token {token.name!r} for {user.username} ({until}); shown once, keep it safe:")
    out.print(plain, soft_wrap=True)
    return 0


def cmd_token_list(args: argparse.Namespace) -> int:
    from presales.people.models import ApiToken, User

    tokens = ApiToken.objects.select_related("user").order_by("user__username", "-created_at")
    if args.user:
        owner = User.objects.filter(username=args.user).first()
        if owner is None:
            console.print(f"[red]No user named {args.user!r}.[/]")
            return 2
        tokens = tokens.filter(user=owner)
    now = timezone.now()
    rows = [
        {
            "id": t.pk,
            "user": t.user.username,
            "name": t.name,
            "prefix": t.prefix,
            "created_at": t.created_at.isoformat(),
            "expires_at": t.expires_at.isoformat() if t.expires_at else None,
            "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
            "status": t.status_at(now),
        }
        for t in tokens
    ]
    if not args.all:
        rows = [row for row in rows if row["status"] == "active"]
    if args.json:
        out.print_json(json.dumps(rows))
        return 0
    if not rows:
        console.print("No tokens." if args.all else "No active tokens (--all shows the others).")
        return 0
    table = Table("id", "user", "name", "starts with", "expires", "last used", "status")
    for row in rows:
        table.add_row(
            str(row["id"]),
            str(row["user"]),
            str(row["name"]),
            f"{row['prefix']}…",
            str(row["expires_at"] or "never")[:16],
            str(row["last_used_at"] or "not yet")[:16],
            str(row["status"]),
        )
    out.print(table)
    return 0


def cmd_token_revoke(args: argparse.Namespace) -> int:
    from presales.people.models import ApiToken
    from presales.people.services import revoke_token

    given = args.token.strip()
    if given.isdigit():
        matches = list(ApiToken.objects.filter(pk=int(given))[:2]) if len(given) < 19 else []
    elif given:
        # The listed prefix, with or without the ellipsis, or the whole token.
        candidates = ApiToken.objects.filter(prefix=given.rstrip("…")[:10])
        matches = list(candidates[:2])
    else:
        matches = []
    if not matches:
        console.print(f"[red]No token {given!r}; `presales token list --all` shows them.[/]")
        return 2
    if len(matches) > 1:
        console.print(f"[red]{given!r} names several tokens; revoke by id.[/]")
        return 2
    token = revoke_token(token=matches[0])
    console.print(f"Revoked token {token.name!r} ({token.prefix}…) of {token.user.username}.")
    return 0
