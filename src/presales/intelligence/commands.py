"""``presales dedupe``, ``merge``, ``unmerge``, ``quality`` and ``upsell``."""

from __future__ import annotations

import argparse
import json

from rich.progress import BarColumn, Progress, TextColumn

from presales.core.commandline import CommandGroup, arg, console, out, progress_callback

commands = CommandGroup("Customer intelligence")
KINDS = {"accounts": "account", "contacts": "contact"}


@commands.command(
    "dedupe",
    "Find likely duplicate accounts or contacts by probability and keep them for review",
    arg("kind", choices=sorted(KINDS)),
    arg("--threshold", type=float, default=0.9, help="Cluster pairs at or above P (0.9)"),
    arg("--json", action="store_true", help="Print the clusters as JSON"),
    arg("--dry-run", action="store_true", help="Do not keep the pairs for the review queue"),
)
def dedupe(args: argparse.Namespace) -> int:
    from presales.intelligence.dedupe import clusters_json, find_duplicates

    if not 0 < args.threshold < 1:
        console.print("[red]--threshold is a probability between 0 and 1, such as 0.9.[/]")
        return 2
    kind = KINDS[args.kind]
    with Progress(
        TextColumn("{task.description}"), BarColumn(), console=console, transient=True
    ) as bar:
        outcome = find_duplicates(
            kind, threshold=args.threshold, progress=progress_callback(bar), store=not args.dry_run
        )
    data = clusters_json(kind, outcome.result)
    if args.json:
        out.print_json(json.dumps(data))
        return 0
    run = outcome.run
    out.print(
        f"{run.records:,} {args.kind}: {run.pairs:,} pairs at {args.threshold} or above, "
        f"{len(data['clusters']):,} clusters."
    )
    for cluster in data["clusters"][:50]:
        names = "; ".join(f"{m['id']} {m['name']} ({m['source']})" for m in cluster["members"])
        out.print(f"  {cluster['probability']:.3f}  {names}")
    return 0


@commands.command(
    "merge",
    "Merge records into the first (the survivor); every link moves and it can be undone",
    arg("kind", choices=sorted(KINDS)),
    arg("survivor_id", type=int),
    arg("other_ids", type=int, nargs="+", metavar="OTHER_ID"),
    arg("--user", default="", help="Merge as this user (default: first admin)"),
)
def merge_command(args: argparse.Namespace) -> int:
    from presales.core.access import PermissionDenied
    from presales.intelligence.merging import MergeError, merge
    from presales.people.commands import acting_user

    user = acting_user(args.user)
    if user is None:
        console.print(f"[red]No active user named {args.user!r}.[/]")
        return 2
    try:
        record = merge(KINDS[args.kind], args.survivor_id, args.other_ids, user=user)
    except (MergeError, PermissionDenied) as exc:
        console.print(f"[red]{exc}[/]")
        return 2
    out.print(
        f"Merge {record.pk}: kept {record.survivor_name}; {len(record.moved)} links moved. "
        f"Undo with: presales unmerge {record.pk}"
    )
    for decision in record.lost:
        out.print(
            f"  {decision['label']}: kept {decision['value']!r}, set aside {decision['lost']}"
        )
    return 0


@commands.command(
    "unmerge",
    "Undo a merge: the merged-away records and their links come back exactly",
    arg("merge_id", type=int),
    arg("--user", default="", help="As this user (default: first admin)"),
)
def unmerge_command(args: argparse.Namespace) -> int:
    from presales.core.access import PermissionDenied
    from presales.intelligence.merging import MergeError, unmerge
    from presales.people.commands import acting_user

    user = acting_user(args.user)
    if user is None:
        console.print(f"[red]No active user named {args.user!r}.[/]")
        return 2
    try:
        record = unmerge(args.merge_id, user=user)
    except (MergeError, PermissionDenied) as exc:
        console.print(f"[red]{exc}[/]")
        return 2
    out.print(f"Merge {record.pk} undone: {len(record.merged_rows)} record(s) restored.")
    return 0


@commands.command(
    "quality",
    "Data quality: suggest contact flags, then list accounts worst first with reasons",
    arg("--json", action="store_true"),
    arg("--user", default="", help="As this user sees it (default: first admin)"),
    arg("--limit", type=int, default=50),
)
def quality_command(args: argparse.Namespace) -> int:
    from presales.intelligence.quality import account_scores, suggest_flags
    from presales.people.commands import acting_user

    user = acting_user(args.user)
    if user is None:
        console.print(f"[red]No active user named {args.user!r}.[/]")
        return 2
    found = suggest_flags()
    scores = account_scores(user)[: args.limit]
    if args.json:
        data = {
            "flags_suggested": found,
            "accounts": [
                {"id": s.account.pk, "name": s.account.name, "score": s.score, "reasons": s.reasons}
                for s in scores
            ],
        }
        out.print_json(json.dumps(data))
        return 0
    out.print(f"{found} new contact flag(s) suggested; decide them on the Data quality page.")
    for s in scores:
        out.print(f"{s.score:>4}  {s.account.name}: {'; '.join(s.reasons) or 'clean'}")
    return 0


@commands.command(
    "upsell",
    "What an account owns and what comparable customers own that it does not",
    arg("account_id", type=int),
    arg("--json", action="store_true"),
)
def upsell_command(args: argparse.Namespace) -> int:
    from presales.accounts.models import Account
    from presales.intelligence.installbase import upsell

    account = Account.objects.filter(pk=args.account_id).first()
    if account is None:
        console.print(f"[red]No account with id {args.account_id}.[/]")
        return 2
    owned, suggestions = upsell(account)
    if args.json:
        data = {
            "account": {"id": account.pk, "name": account.name},
            "owns": [
                {
                    "product": o.product,
                    "quantity": str(o.quantity) if o.quantity is not None else None,
                    "starts_on": o.starts_on.isoformat() if o.starts_on else None,
                    "renews_on": o.renews_on.isoformat() if o.renews_on else None,
                    "from": o.origin,
                }
                for o in owned
            ],
            "suggestions": [s.as_dict() for s in suggestions],
        }
        out.print_json(json.dumps(data))
        return 0
    out.print(f"{account.name} owns: {', '.join(o.product for o in owned) or 'nothing yet'}")
    for s in suggestions:
        if s.too_few:
            out.print(f"  {s.product.name}: too few to tell ({s.owners} of {s.peers})")
        else:
            out.print(
                f"  {s.product.name}: {s.owners} of {s.peers} comparable customers "
                f"(95% {s.low:.2f}–{s.high:.2f}); {s.open_deals} open deal(s)"
            )
    return 0
