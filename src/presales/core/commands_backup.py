"""``presales backup PATH`` and ``presales restore PATH``: thin handlers over core.backup.

Each takes the parsed argparse namespace and returns the exit code (0 done, 2 refused); their
arguments are declared in core/commands.py.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

console = Console(stderr=True)
out = Console()


def cmd_backup(args: argparse.Namespace) -> int:
    from presales.core.backup import BackupError, backup

    try:
        result = backup(destination=Path(args.path))
    except BackupError as exc:
        console.print(f"[red]{exc}[/]")
        return 2
    out.print(
        f"Backed up the {result.engine} database ({result.migrations} migrations applied) and "
        f"{result.files} files to {result.path} ({result.size:,} bytes)."
    )
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from presales.core.backup import BackupError, restore

    try:
        result = restore(source=Path(args.path), replace=args.replace)
    except BackupError as exc:
        console.print(f"[red]{exc}[/]")
        return 2
    migrated = f"; migrated forward: {', '.join(result.migrated)}" if result.migrated else ""
    out.print(f"Restored the {result.engine} database and {result.files} files{migrated}.")
    return 0
