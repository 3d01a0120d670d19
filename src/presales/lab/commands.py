"""``presales lab reservations`` and ``presales lab reclaim``."""

from __future__ import annotations

import argparse
import json

from presales.core.commandline import CommandGroup, arg, out
from presales.demos.commands import as_user

commands = CommandGroup("Lab")
lab = commands.group("lab", "The lab: reservations of its environments, idle reclaim")


@lab.action(
    "reservations",
    "Upcoming and running reservations of every lab environment",
    arg("--json", action="store_true", help="Print JSON"),
    arg("--user", default="", help="As this user sees it (default: the first administrator)"),
)
def lab_reservations(args: argparse.Namespace) -> int:
    from django.utils import timezone
    from rich.table import Table

    from presales.lab.access import reservations_for
    from presales.lab.models import Reservation
    from presales.lab.services import reservation_json

    user = as_user(args.user)
    if user is None:
        return 2
    rows = list(
        Reservation.objects.filter(status=Reservation.Status.ACTIVE, ends_at__gt=timezone.now())
        .select_related("environment__lab", "opportunity", "demo")
        .order_by("starts_at")
    )
    seen = set(reservations_for(user).values_list("pk", flat=True))
    data = [reservation_json(r, visible=r.pk in seen) for r in rows]
    if args.json:
        out.print_json(json.dumps({"reservations": data}))
        return 0
    table = Table(title=f"{len(data)} reservations")
    for name in ("Environment", "For", "From", "Until"):
        table.add_column(name)
    for row in data:
        table.add_row(row["environment"], row["subject"], row["starts_at"], row["ends_at"])
    out.print(table)
    return 0


@lab.action(
    "reclaim",
    "Free the environments of idle running reservations now (the worker does it every 15 minutes)",
)
def lab_reclaim(args: argparse.Namespace) -> int:
    from presales.lab.services import reclaim_idle

    out.print(f"Reclaimed {reclaim_idle()} idle reservation(s).")
    return 0
