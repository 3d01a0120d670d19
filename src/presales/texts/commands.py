"""``presales index``, ``presales search`` and ``presales eval-text``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from presales.core.commandline import CommandGroup, arg, console, out, progress_callback
from presales.people.commands import acting_user

commands = CommandGroup("Search and text")


@commands.command(
    "index",
    "Index notes and activities for search (incremental, resumable)",
    arg("--batch-size", type=int, default=1024, help="Texts encoded and committed per batch"),
)
def index(args: argparse.Namespace) -> int:
    from presales.texts.services import index_texts

    with Progress(
        TextColumn("[bold]{task.description:<14}"),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,}"),
        TimeElapsedColumn(),
        console=console,
        disable=not console.is_terminal,
    ) as bar:
        progress = progress_callback(bar)
        try:
            report = index_texts(batch_size=args.batch_size, progress=progress)
        except KeyboardInterrupt:
            console.print("[yellow]Interrupted; finished batches are kept. Run it again.[/]")
            return 130
    how = f"vectors by {report.model}" if report.meaning else "words only (no meaning model)"
    out.print(
        f"{report.texts:,} texts indexed ({how}): {report.added:,} new, {report.changed:,} "
        f"changed, {report.removed:,} removed, {report.encoded:,} encoded, "
        f"{report.labelled:,} labelled in {report.seconds:.1f} s."
    )
    return 0


@commands.command(
    "search",
    "Search what the team wrote, by meaning and words",
    arg("query"),
    arg("--json", action="store_true", help="Print JSON"),
    arg("--limit", type=int, default=10, help="Results to show (1-200)"),
    arg("--kind", default=None, help="Only this kind of text: note, activity"),
    arg("--user", default="", help="Search as this user (default: the first administrator)"),
)
def search(args: argparse.Namespace) -> int:
    import json

    from django.core.exceptions import ValidationError

    from presales.texts.services import search_texts

    user = acting_user(args.user)
    if user is None:
        console.print(
            f"[red]No active user named {args.user!r}.[/]"
            if args.user
            else "[red]No administrator; pass --user NAME.[/]"
        )
        return 2
    try:
        result = search_texts(actor=user, query=args.query, limit=args.limit, kind=args.kind)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            console.print(f"[red]{field}: {' '.join(messages)}[/]")
        return 2
    if args.json:
        rows = [
            {
                "text_id": h.text.pk,
                "kind": h.text.kind,
                "object_id": h.text.object_id,
                "score": round(h.score, 6),
                "meaning_rank": h.meaning_rank,
                "words_rank": h.words_rank,
                "written_at": h.text.written_at.isoformat(),
                "body": h.text.body,
            }
            for h in result.hits
        ]
        payload = {"query": result.query, "mode": result.mode, "total": result.total, "hits": rows}
        out.print_json(json.dumps(payload))
        return 0
    if result.notice:
        from rich.markup import escape

        console.print(f"[yellow]{escape(result.notice)}[/]")
    if not result.hits:
        out.print(f"Nothing matches {result.query!r}.")
    for rank, hit in enumerate(result.hits, start=1):
        t = hit.text
        out.print(f"[bold]{rank}.[/] {t.kind} {t.object_id} · {t.written_at:%Y-%m-%d}")
        out.print(f"   {' '.join(t.body.split())[:200]}", highlight=False)
    return 0


@commands.command(
    "eval-text",
    "Precision and recall of text labels",
    arg("--file", default="", help="A labelled JSONL set (default: shipped)"),
    arg("--json", action="store_true", help="Print JSON"),
)
def eval_text(args: argparse.Namespace) -> int:
    import json

    from django.core.exceptions import ValidationError
    from rich.table import Table

    from presales.texts.services import evaluate_labels, evaluate_planted

    path = Path(args.file) if args.file else None
    try:
        runs = [evaluate_labels(path=path), evaluate_labels(path=path, part="held-out")]
        planted = evaluate_planted()
    except (ValidationError, OSError) as exc:
        console.print(f"[red]{exc}[/]")
        return 2
    if args.json:
        out.print_json(json.dumps([*(run.as_dict() for run in runs), planted.as_dict()]))
        return 0
    for run in runs:
        if not run.texts:
            continue
        table = Table(title=f"{run.part or 'all'} texts: {run.texts}")
        for column in ("label", "precision", "recall", "support", "predicted"):
            table.add_column(column, justify="left" if column == "label" else "right")
        for s in run.scores:
            table.add_row(
                s.label,
                "—" if s.precision is None else f"{s.precision:.2f}",
                "—" if s.recall is None else f"{s.recall:.2f}",
                str(s.support),
                str(s.predicted),
            )
        out.print(table)
        out.print(
            f"Commitment due dates right: {run.due_dates_right} of {run.due_dates_checked} found."
        )
    _print_planted(planted)
    return 0


def _print_planted(planted: Any) -> None:
    from rich.table import Table

    if planted.skipped:
        out.print(f"Planted paraphrases: not measured ({planted.skipped}).")
        return
    n = len(planted.pairs)
    table = Table(title=f"planted paraphrases: {n} notes among {planted.among:,} texts")
    for column in ("query", "search", "meaning alone", "rank fusion (former)"):
        table.add_column(column, justify="left" if column == "query" else "right")
    for p in planted.pairs:
        table.add_row(
            p.query,
            *(str(r or "—") for r in (p.fused_rank, p.meaning_rank, p.rank_fusion_rank)),
        )
    out.print(table)
    out.print(
        f"In the top 3: search {planted.found('fused')} of {n}, meaning alone "
        f"{planted.found('meaning')} of {n}, former rank fusion "
        f"{planted.found('rank_fusion')} of {n} (ranks past 50 show as —)."
    )
