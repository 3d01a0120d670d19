"""Salesforce events and tasks: both become activities. Events carry start and end; tasks a due
date and, for calls, a duration. The Type picklist is data (``ValueMapping``): a type Presales
does not know is a meeting until an administrator says what it is."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from presales.activities.models import CUSTOMER_FACING_KINDS, Activity, Kind
from presales.imports.models import Picklist
from presales.imports.services.engine import Record, digest_of
from presales.imports.services.picklists import Meaning, Origin, SourceValues
from presales.imports.services.profiles import CsvMapper
from presales.imports.services.sources import CsvFile
from presales.imports.services.values import (
    CellError,
    parse_bool,
    parse_date,
    parse_datetime,
    parse_int,
    salesforce_id,
    salesforce_id_of,
)

SOURCE = "salesforce"

ACTIVITY_TYPES = {
    "": Kind.MEETING,
    "meeting": Kind.MEETING,
    "call": Kind.MEETING,
    "email": Kind.MEETING,
    "other": Kind.MEETING,
    "demo": Kind.DEMO,
    "presentation": Kind.DEMO,
    "poc": Kind.POC,
    "proof of concept": Kind.POC,
    "pilot": Kind.POC,
    "workshop": Kind.WORKSHOP,
    "training": Kind.WORKSHOP,
    "internal": Kind.INTERNAL,
    "out of band": Kind.OUT_OF_BAND,
}
TASK_DONE = {"completed", "complete", "done"}
TASK_CANCELLED = {"deferred", "cancelled", "canceled"}
# The first three characters of a Salesforce id name its object.
PREFIX_KIND = {"001": "account", "003": "contact", "005": "user", "006": "opportunity"}


def sf_id(raw: str, column: str) -> str:
    try:
        return salesforce_id(raw)
    except CellError as exc:
        exc.column = column
        raise


class ActivityMapper(CsvMapper):
    """Events and tasks both become activities. Events carry start and end; tasks a due date
    (``ActivityDate``) and, for calls, a duration in seconds."""

    kind = "activity"
    required = ("Id", "Subject")
    used = (
        "Subject",
        "Type",
        "Description",
        "StartDateTime",
        "EndDateTime",
        "ActivityDateTime",
        "DurationInMinutes",
        "IsAllDayEvent",
        "ActivityDate",
        "Status",
        "CallDurationInSeconds",
        "AccountId",
        "WhatId",
        "WhoId",
        "OwnerId",
    )

    def __init__(self, source: CsvFile, *, task: bool) -> None:
        super().__init__(source)
        self.task = task
        self.label = "Task" if task else "Event"
        self.now = datetime.now(UTC)
        at = self.col.get
        self._at = {name: at(name) for name in self.used}
        self._id = self.col["Id"]
        self._subject = self.col["Subject"]
        # 15/18-character conversions of the reference columns, which name the same few
        # accounts, deals, contacts and people over and over.
        self._refs: dict[str, str] = {}
        self.types = SourceValues(
            source=SOURCE, picklist=Picklist.ACTIVITY_TYPE, defaults=ACTIVITY_TYPES
        )
        self._kinds: dict[str, tuple[str, bool]] = {}
        self._guessed: dict[str, bool] = {}
        self._all_day = self._at["IsAllDayEvent"] is not None
        times = (
            ("ActivityDate", "CallDurationInSeconds")
            if task
            else (
                "IsAllDayEvent",
                "ActivityDate",
                "StartDateTime",
                "ActivityDateTime",
                "EndDateTime",
                "DurationInMinutes",
            )
        )
        self._time_cells = [self._at[name] for name in times]
        self._spans: dict[tuple[str, ...], tuple[datetime, datetime]] = {}

    def _get(self, cells: list[str], name: str) -> str:
        at = self._at[name]
        return cells[at] if at is not None else ""

    def _ref(self, cells: list[str], name: str) -> str:
        at = self._at[name]
        if at is None:
            return ""
        raw = cells[at]
        known = self._refs.get(raw)
        if known is None:
            if len(self._refs) > 1 << 18:
                self._refs.clear()
            known = self._refs[raw] = sf_id(raw, name)
        return known

    def build(self, cells: list[str], line: int) -> Record:
        get, ref = self._get, self._ref
        try:
            external = salesforce_id_of(cells[self._id])
        except CellError as exc:
            exc.column = "Id"
            raise
        kind, mapped = self._kind(get(cells, "Type"))
        starts, ends = self._times(cells)
        status = self._status(cells, ends)
        account = ref(cells, "AccountId")
        opportunity = ""
        what = ref(cells, "WhatId")
        if what:
            what_kind = PREFIX_KIND.get(what[:3])
            if what_kind == "opportunity":
                opportunity = what
            elif what_kind == "account" and not account:
                account = what
        who = ref(cells, "WhoId")
        owner = ref(cells, "OwnerId")
        subject = cells[self._subject].strip() or "(no subject)"
        return Record(
            "activity",
            external,
            (
                kind,
                subject if len(subject) <= 255 else subject[:254] + "…",
                get(cells, "Description"),
                starts,
                ends,
                status,
                kind in CUSTOMER_FACING_KINDS,
            ),
            refs=(account, opportunity),
            m2m=(
                (owner,) if owner else (),
                (who,) if who and who.startswith("003") else (),
            ),
            # A type read through an administrator's mapping counts as content, so a re-import
            # after the mapping changed updates the activity.
            digest=digest_of([self.digest(cells), kind]) if mapped else self.digest(cells),
        )

    def _kind(self, raw: str) -> tuple[str, bool]:
        """The activity kind of a Type cell and whether it came from a recorded mapping rather
        than a name Presales knows."""
        known = self._kinds.get(raw)
        if known is None:
            meaning = self.types.meaning(raw, lambda: Meaning(Kind.MEETING, Origin.GUESS, {}))
            known = self._kinds[raw] = (meaning.value, meaning.origin != Origin.DEFAULT)
            self._guessed[raw] = meaning.guessed
        if self._guessed[raw]:
            self.warn(
                "Type",
                f"unknown Type {raw.strip()!r}; recorded as a {known[0]} until an administrator "
                "maps it on the Imports page",
            )
        return known

    def _times(self, cells: list[str]) -> tuple[datetime, datetime]:
        """Start and end, read once per distinct pair of cells: exports repeat them (meetings
        on the hour, tasks on a day), and the same objects then cost the writer nothing."""
        key = tuple([cells[at] if at is not None else "" for at in self._time_cells])
        known = self._spans.get(key)
        if known is None:
            known = self._read_times(cells)
            if len(self._spans) >= 1 << 16:
                self._spans.clear()
            self._spans[key] = known
        return known

    def _read_times(self, cells: list[str]) -> tuple[datetime, datetime]:
        get = self._get
        if not self.task:
            if self._all_day and parse_bool(get(cells, "IsAllDayEvent") or "false"):
                day = self.parse(cells, "ActivityDate", parse_date)
                if day is None:
                    raise CellError("is empty on an all-day event", "ActivityDate")
                start = datetime(day.year, day.month, day.day, tzinfo=UTC)
                return start, start + timedelta(days=1)
            column = (
                "StartDateTime" if self._at["StartDateTime"] is not None else "ActivityDateTime"
            )
            start = self.parse(cells, column, parse_datetime)
            if start is None:
                raise CellError("is empty: an event needs a start", column)
            end = self.parse(cells, "EndDateTime", parse_datetime)
            if end is None:
                minutes = self.parse(cells, "DurationInMinutes", parse_int) or 0
                end = start + timedelta(minutes=minutes)
            if end < start:
                raise CellError("is before StartDateTime", "EndDateTime")
            return start, end
        day = self.parse(cells, "ActivityDate", parse_date)
        if day is None:
            raise CellError("is empty: a task needs a date", "ActivityDate")
        start = datetime(day.year, day.month, day.day, tzinfo=UTC)
        seconds = self.parse(cells, "CallDurationInSeconds", parse_int) or 0
        return start, start + timedelta(seconds=max(seconds, 0))

    def _status(self, cells: list[str], ends: datetime) -> str:
        if self.task:
            state = self._get(cells, "Status").strip().lower()
            if state in TASK_DONE:
                return Activity.Status.HELD
            if state in TASK_CANCELLED:
                return Activity.Status.CANCELLED
            return Activity.Status.PLANNED
        return Activity.Status.HELD if ends <= self.now else Activity.Status.PLANNED
