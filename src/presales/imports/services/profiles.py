"""What every import profile shares: a file plan (which object type a file holds and how its
rows become records), CSV column mappers, and the order files go in."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from hashlib import blake2b
from operator import itemgetter
from pathlib import Path
from typing import Any

from presales.imports.services.engine import Record, Target
from presales.imports.services.report import Issue
from presales.imports.services.sources import CsvFile, UnusableInput
from presales.imports.services.targets import CORE_TARGETS, WRITERS
from presales.imports.services.values import CellError
from presales.imports.services.writer import Writer

Hook = Callable[[list[tuple[int, Record]]], None]


@dataclass
class Item:
    """What one row of a file gave: a record to write, or issues (and maybe a record too,
    when the issues are only warnings)."""

    line: int
    record: Record | None
    issues: list[Issue] = field(default_factory=list)


@dataclass
class FilePlan:
    name: str
    kind: str
    label: str
    items: Callable[[], Iterator[Item]]
    size: Callable[[], int]
    done: Callable[[], int]
    order: int = 50


@dataclass
class Profile:
    """One source system's way of exporting: its name (the ``source`` of what it makes), the
    object types it writes and how to turn its files into plans."""

    source: str
    plan: Callable[[list[Path]], list[FilePlan]]
    targets: dict[str, Target] = field(default_factory=lambda: dict(CORE_TARGETS))
    writers: dict[str, type[Writer]] = field(default_factory=lambda: dict(WRITERS))
    hooks: dict[str, list[Hook]] = field(default_factory=dict)


class CsvMapper:
    """Turns the cells of one CSV file into records of one object type.

    Subclasses name their ``kind``, the ``required`` and ``used`` columns and write ``build``;
    the digest covers the used columns only, so a column the import ignores changing
    (Salesforce's SystemModstamp) does not count as a change.
    """

    kind = ""
    label = ""
    required: tuple[str, ...] = ()
    used: tuple[str, ...] = ()
    # Columns read when present that do not count as the record's content.
    optional: tuple[str, ...] = ()
    salt = "1"

    def __init__(self, source: CsvFile) -> None:
        self.file = source
        self.col = self.columns(source)
        lowered = {name.lower(): i for name, i in self.col.items()}
        for name in (*self.required, *self.used, *self.optional):
            if name not in self.col and name.lower() in lowered:
                self.col[name] = lowered[name.lower()]
        missing = [c for c in self.required if c not in self.col]
        if missing:
            raise UnusableInput(
                f"{source.name}: missing column{'s' if len(missing) > 1 else ''} "
                f"{', '.join(missing)} for {self.label or self.kind}"
            )
        digest_at = [self.col[c] for c in self.used if c in self.col]
        # The cells the digest covers, as a tuple, in one C call per row.
        self._digest_cells: Callable[[list[str]], tuple[str, ...]] = (
            itemgetter(*digest_at)
            if len(digest_at) > 1
            else lambda cells: tuple(cells[i] for i in digest_at)
        )
        self._digest_head = self.salt + "\x1f"
        self.warnings: list[tuple[str, str]] = []

    def columns(self, source: CsvFile) -> dict[str, int]:
        """Column name → position of the columns this mapper reads."""
        return {name: i for i, name in enumerate(source.header)}

    def cell(self, cells: list[str], name: str) -> str:
        at = self.col.get(name)
        return cells[at].strip() if at is not None else ""

    def parse(self, cells: list[str], name: str, parser: Callable[[str], Any]) -> Any:
        try:
            return parser(self.cell(cells, name))
        except CellError as exc:
            exc.column = exc.column or name
            raise

    def warn(self, column: str, reason: str) -> None:
        self.warnings.append((column, reason))

    def digest(self, cells: list[str]) -> str:
        # The same value as ``digest_of(used cells, salt)``, without a generator per row.
        text = self._digest_head + "\x1f".join(self._digest_cells(cells))
        return blake2b(text.encode(), digest_size=16).hexdigest()

    def build(self, cells: list[str], line: int) -> Record:
        raise NotImplementedError

    def items(self) -> Iterator[Item]:
        name = self.file.name
        cuts: list[tuple[int, int]] = []
        for line, cells in self.file.rows():
            self.warnings = []
            cuts.clear()
            token = _cuts.set(cuts)
            try:
                record = self.build(cells, line)
            except CellError as exc:
                yield Item(line, None, [Issue(name, line, exc.column, exc.reason, kind=self.kind)])
                continue
            finally:
                _cuts.reset(token)
            for original, kept in cuts:
                self.warn(self._column_of_length(cells, original), _cut_reason(original, kept))
            record.file, record.line = name, line
            issues = [
                Issue(name, line, col, why, severity="warning", kind=self.kind)
                for col, why in self.warnings
            ]
            yield Item(line, record, issues)

    def _column_of_length(self, cells: list[str], length: int) -> str:
        for column, at in self.col.items():
            if at < len(cells) and len(cells[at].strip()) == length:
                return column
        return ""

    def plan(self, order: int) -> FilePlan:
        return FilePlan(
            name=self.file.name,
            kind=self.kind,
            label=self.label or self.kind,
            items=self.items,
            size=self.file.size,
            done=lambda: self.file.bytes_read,
            order=order,
        )


def _cut_reason(original: int, kept: int) -> str:
    return f"is {original:,} characters long; kept the first {kept} (the field holds {kept})"


def required_text(value: str, column: str) -> str:
    if not value:
        raise CellError("is empty but required", column)
    return value


# Cuts ``fit`` made while the current row was built: (original length, kept length). The
# mapper turns each into a warning on the row's column, so no cut goes unreported.
_cuts: ContextVar[list[tuple[int, int]] | None] = ContextVar("import_cuts", default=None)


def fit(value: str, length: int) -> str:
    """Cut text to a column's length (names longer than the schema allows are rare and the
    start is what people recognise); the row gets a warning saying so."""
    if len(value) <= length:
        return value
    cuts = _cuts.get()
    if cuts is not None:
        cuts.append((len(value), length))
    return value[: length - 1] + "…"
