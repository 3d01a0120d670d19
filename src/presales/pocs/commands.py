"""``presales poc list``."""

from __future__ import annotations

import argparse
import json

from presales.core.commandline import CommandGroup, arg, out
from presales.demos.commands import as_user

commands = CommandGroup("Proofs of concept")
poc = commands.group("poc", "Proofs of concept: list them with their figures")


@poc.action(
    "list",
    "POCs with status, result, criteria met and sign-off; the POC figures",
    arg("--json", action="store_true", help="Print JSON"),
    arg("--status", default="", help="planned, running, completed or cancelled"),
    arg("--user", default="", help="As this user sees it (default: the first administrator)"),
)
def poc_list(args: argparse.Namespace) -> int:
    from rich.table import Table

    from presales.core import access
    from presales.pocs.analytics import figures_json, poc_figures
    from presales.pocs.models import Poc
    from presales.pocs.services import poc_json

    user = as_user(args.user)
    if user is None:
        return 2
    if args.status and args.status not in Poc.Status.values:
        out.print(f"Status must be one of {', '.join(Poc.Status.values)}.")
        return 2
    rows = access.visible(user, Poc).select_related("opportunity", "se").order_by("-created_at")
    if args.status:
        rows = rows.filter(status=args.status)
    pocs = list(rows)
    figures = figures_json(poc_figures(actor=user))
    if args.json:
        out.print_json(json.dumps({"pocs": [poc_json(p) for p in pocs], "figures": figures}))
        return 0
    table = Table(title=f"{len(pocs)} proofs of concept")
    for name in ("POC", "Deal", "SE", "Status", "Result", "Signed off"):
        table.add_column(name)
    for p in pocs:
        table.add_row(
            p.title,
            str(p.opportunity),
            str(p.se or "–"),
            p.status,
            p.result,
            "yes" if p.signed_off else "no",
        )
    out.print(table)
    win = figures["win_rate"]
    out.print(f"Win rate of closed deals that ran a POC: {win['n']} of {win['N']}")
    return 0
