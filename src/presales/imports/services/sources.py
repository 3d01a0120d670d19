"""Reading exported files as they come: any of the usual encodings, CRLF, quoted fields that
span lines, a comma, semicolon or tab delimiter. Rows stream; a file is never loaded whole."""

from __future__ import annotations

import codecs
import csv
import io
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import charset_normalizer

# What one cell may hold: a longer one makes the file unreadable (refused, saying so).
MAX_CELL = 64 * 1024 * 1024
csv.field_size_limit(min(sys.maxsize, MAX_CELL))
# What the header line may hold: real exports name a few hundred columns in a few kilobytes;
# reading an unbounded first line (a file that is not an export) would take all the memory.
MAX_HEADER_LINE = 1024 * 1024


class UnusableInput(Exception):
    """The input cannot be imported at all (missing file, not a CSV, unknown columns...)."""


_PROBE = 1 << 20


def detect_encoding(path: Path) -> str:
    """The encoding a file is written in: a BOM decides; otherwise UTF-8 if every byte decodes
    as UTF-8 (checked in chunks so memory stays flat); otherwise charset-normalizer reads the
    first megabyte."""
    with path.open("rb") as handle:
        head = handle.read(4)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        if len(head) >= 4 and head[1] == 0 and head[3] == 0 and head[0] != 0:
            return "utf-16-le"
        if len(head) >= 4 and head[0] == 0 and head[2] == 0 and head[1] != 0:
            return "utf-16-be"
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := handle.read(_PROBE):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            handle.seek(0)
            return _single_byte_encoding(handle.read(_PROBE))
    return "utf-8"


def _single_byte_encoding(sample: bytes) -> str:
    """A text that is not UTF-8, as charset-normalizer reads it. A short Western text decodes
    the same under a dozen code pages, among which the detector's first pick is arbitrary
    (``Bélanger`` comes out as cp1250 or even Mac Latin-2); among the matches as clean as the
    best one, the Windows-1252 that Excel writes wins."""
    matches = charset_normalizer.from_bytes(sample)
    best = matches.best()
    if best is None:
        return "cp1252"
    for match in matches:
        if match.chaos <= best.chaos + 0.05 and "cp1252" in match.could_be_from_charset:
            return "cp1252"
    return codecs.lookup(best.encoding).name


@dataclass
class CsvFile:
    """One CSV file: its header (trimmed) and a stream of ``(row number, cells)``.

    Row numbers count like a spreadsheet: the header is row 1, the first record row 2, and a
    quoted value spanning several lines is still one row.
    """

    path: Path
    delimiter: str | None = None
    encoding: str = ""
    header: list[str] = field(default_factory=list)
    sections: dict[str, dict[str, int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.path.is_file():
            raise UnusableInput(f"{self.path}: no such file")
        self.encoding = self.encoding or detect_encoding(self.path)
        errors = "replace" if self.encoding == "cp1252" else "strict"
        with self.path.open(encoding=self.encoding, errors=errors, newline="") as handle:
            try:
                first = handle.readline(MAX_HEADER_LINE + 1)
            except UnicodeDecodeError as exc:
                raise UnusableInput(f"{self.path.name}: not {self.encoding} text ({exc})") from None
            if not first.strip():
                raise UnusableInput(f"{self.path.name}: the file is empty")
            if len(first) > MAX_HEADER_LINE:
                raise UnusableInput(
                    f"{self.path.name}: the first line (the column names) is longer than "
                    f"{MAX_HEADER_LINE // 1024**2} MB; an export's header is a few kilobytes, "
                    "so this is not a CSV export (or its header lacks line ends)"
                )
            if self.delimiter is None:
                self.delimiter = max(",;\t", key=first.count)
            handle.seek(0)
            try:
                header = next(csv.reader(handle, delimiter=self.delimiter))
            except csv.Error as exc:
                raise UnusableInput(f"{self.path.name}: not a readable CSV file ({exc})") from None
        self.header = [name.strip().lstrip("\ufeff") for name in header]
        self.sections = sections_of(self.header)
        doubles = sorted({n for n in self.header if n and self.header.count(n) > 1})
        placed = sum(len(columns) for columns in self.sections.values())
        if doubles and placed < len([n for n in self.header if n]):
            # Only a combined export's sections tell repeated names apart.
            raise UnusableInput(f"{self.path.name}: columns appear twice: {', '.join(doubles)}")

    @property
    def name(self) -> str:
        return self.path.name

    def _open(self, counter: _Counting | None = None) -> io.TextIOWrapper:
        # cp1252 leaves five bytes undefined; show them rather than refuse the file.
        errors = "replace" if self.encoding == "cp1252" else "strict"
        raw = counter or _Counting(self.path.open("rb"))
        return io.TextIOWrapper(
            io.BufferedReader(raw, 1 << 16), encoding=self.encoding, errors=errors, newline=""
        )

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """``(row number, cells)`` per record; ``bytes_read`` follows for progress bars."""
        width = len(self.header)
        self._counter = _Counting(self.path.open("rb"))
        with self._open(self._counter) as handle:
            reader = csv.reader(handle, delimiter=self.delimiter or ",", strict=True)
            number = 1
            try:
                next(reader)
                for cells in reader:
                    number += 1
                    if not cells or (len(cells) == 1 and not cells[0].strip()):
                        continue
                    if len(cells) < width:
                        cells.extend([""] * (width - len(cells)))
                    yield number, cells
            except csv.Error as exc:
                raise UnusableInput(
                    f"{self.name}: unreadable CSV after row {number} ({exc})"
                ) from None
            except UnicodeDecodeError as exc:
                raise UnusableInput(f"{self.name}: not {self.encoding} text ({exc})") from None

    def size(self) -> int:
        return self.path.stat().st_size

    @property
    def bytes_read(self) -> int:
        counter = getattr(self, "_counter", None)
        return counter.done if counter is not None else 0


def sections_of(header: list[str]) -> dict[str, dict[str, int]]:
    """The objects of a combined export and the position of each one's columns.

    HubSpot's export of contacts "with associated company" writes ``Record ID - Contact`` and
    the contact's columns, then ``Record ID - Company`` and the company's, so a name such as
    ``Create Date`` appears once per object; the marker before a column says whose it is. Each
    section maps its own column names (its marker as ``Record ID``) to positions; empty when
    the header has no such markers.
    """
    sections: dict[str, dict[str, int]] = {}
    current: dict[str, int] | None = None
    for at, name in enumerate(header):
        head, dash, tail = name.rpartition(" - ")
        if dash and head.strip().lower() == "record id" and tail.strip():
            current = sections.setdefault(tail.strip().lower(), {})
            current["Record ID"] = at
            continue
        if current is not None and name and name not in current:
            current[name] = at
    return sections


class _Counting(io.RawIOBase):
    """A binary file that counts the bytes read through it."""

    def __init__(self, handle: io.BufferedReader) -> None:
        self.handle = handle
        self.done = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        count = self.handle.readinto(buffer)
        self.done += count or 0
        return count or 0

    def close(self) -> None:
        self.handle.close()
        super().close()
