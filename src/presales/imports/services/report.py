"""The report of an import: every rejected row and every warning with its file, row number,
column and reason, written as CSV while the import runs (a bad file with a million bad rows
still uses little memory), plus the first few kept in memory for pages and ``--json``."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
KEPT = 200


def safe_cell(value: Any) -> str:
    """A cell that a spreadsheet shows as text: values that would start a formula get a leading
    apostrophe (the OWASP advice against CSV formula injection)."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def write_safe_row(writer: Any, cells: list[Any]) -> None:
    writer.writerow([safe_cell(c) for c in cells])


@dataclass(frozen=True)
class Issue:
    file: str
    row: int
    column: str
    reason: str
    severity: str = "rejected"
    kind: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "reason": self.reason,
            "severity": self.severity,
            "object": self.kind,
        }


HEADER = ["file", "row", "object", "column", "severity", "reason"]


class Report:
    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.kept: list[Issue] = []
        self.rejected = 0
        self.warnings = 0
        self._handle: IO[str] | None = None
        self._writer: Any = None

    def add(self, issue: Issue) -> None:
        if issue.severity == "rejected":
            self.rejected += 1
        elif issue.severity == "warning":
            self.warnings += 1
        if len(self.kept) < KEPT:
            self.kept.append(issue)
        if self.path is None:
            return
        if self._writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = self.path.open("w", encoding="utf-8", newline="")
            self._writer = csv.writer(self._handle)
            self._writer.writerow(HEADER)
        write_safe_row(
            self._writer,
            [issue.file, issue.row, issue.kind, issue.column, issue.severity, issue.reason],
        )

    def close(self) -> str:
        """The report's file name, or '' when there was nothing to report."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None
            assert self.path is not None
            return self.path.name
        return ""
