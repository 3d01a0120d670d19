"""Calendars (ICS files from Outlook, Google, Apple and others) become activities.

Recurring events are expanded within a window with their exceptions (EXDATE, moved or changed
instances) in their own time zones, Windows zone names included; each instance is keyed on its
UID and RECURRENCE-ID, so a re-import creates no duplicates. Attendees' e-mail domains are
matched to account domains: a meeting with someone from an account is customer-facing and
belongs to that account; a meeting among colleagues is internal. Cancelled events are kept and
marked cancelled. Rows in the report are the event's position in the file (1 = first VEVENT).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
from django.conf import settings
from django.db.models.functions import Lower
from django.utils import timezone

from presales.accounts.models import AccountDomain, Contact
from presales.activities.models import Activity, Kind
from presales.imports.services.engine import Record, Target, chunks, digest_of
from presales.imports.services.profiles import FilePlan, Item, Profile
from presales.imports.services.report import Issue
from presales.imports.services.sources import UnusableInput
from presales.imports.services.values import domain_of
from presales.people.models import User

SOURCE = "ics"
PAST_DAYS = 730
FUTURE_DAYS = 365

ICS_ACTIVITY = Target(
    "activity",
    Activity,
    columns=(
        "kind",
        "subject",
        "description",
        "starts_at",
        "ends_at",
        "status",
        "customer_facing",
        "account_id",
    ),
)


def window_around(today: date) -> tuple[datetime, datetime]:
    start = datetime.combine(today - timedelta(days=PAST_DAYS), time.min, tzinfo=UTC)
    return start, datetime.combine(today + timedelta(days=FUTURE_DAYS), time.min, tzinfo=UTC)


def instance_key(uid: str, recurrence: datetime | date | None) -> str:
    """The external id of an event instance: its UID, plus its RECURRENCE-ID for instances of
    a series; long (Outlook) UIDs are shortened to a digest so the id fits its column."""
    key = uid
    if recurrence is not None:
        key += "/" + _utc(recurrence).strftime("%Y%m%dT%H%M%SZ")
    if len(key) <= 64:
        return key
    return "sha:" + digest_of([key])


def _utc(value: datetime | date) -> datetime:
    if not isinstance(value, datetime):
        return datetime.combine(value, time.min, tzinfo=UTC)
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(settings.TIME_ZONE))
    return value.astimezone(UTC)


def _emails(component: Any) -> list[str]:
    found = []
    attendees = component.get("ATTENDEE", [])
    if not isinstance(attendees, list):
        attendees = [attendees]
    for person in [component.get("ORGANIZER"), *attendees]:
        if person is None:
            continue
        text = str(person)
        if text.lower().startswith("mailto:"):
            text = text[7:]
        text = text.strip().lower()
        if "@" in text:
            found.append(text)
    return list(dict.fromkeys(found))


class CalendarFile:
    """One calendar file, which may hold several ``VCALENDAR`` blocks (some clients write one
    per calendar into one file). A file that cannot be read, or a calendar whose events cannot
    be expanded, is reported with the reason and the rest goes on."""

    def __init__(self, path: Path, window: tuple[datetime, datetime]) -> None:
        if not path.is_file():
            raise UnusableInput(f"{path}: no such file")
        self.path = path
        self.window = window
        self.calendars: list[Any] = []
        self.unreadable = ""
        try:
            found = icalendar.Calendar.from_ical(path.read_bytes(), multiple=True)
        except Exception as exc:  # the parser raises several types for broken input
            self.unreadable = f"not an iCalendar file ({exc})"
        else:
            self.calendars = [c for c in found if c.name == "VCALENDAR"]
            if not self.calendars:
                self.unreadable = "not an iCalendar file (no VCALENDAR)"
        self.domains = dict(AccountDomain.objects.values_list("domain", "account_id"))
        self._done = 0

    def items(self) -> Iterator[Item]:
        if self.unreadable:
            yield Item(0, None, [self._issue(0, "", self.unreadable)])
            self._done = self.path.stat().st_size
            return
        offset = 0
        for number, calendar in enumerate(self.calendars, start=1):
            events = _lift_nested_events(calendar)
            yield from self._calendar_items(calendar, events, offset, number)
            offset += len(events)
        self._done = self.path.stat().st_size

    def _calendar_items(
        self, calendar: Any, events: list[Any], offset: int, number: int
    ) -> Iterator[Item]:
        position = {id(e): n for n, e in enumerate(events, start=offset + 1)}
        by_uid: dict[str, int] = {}
        series: set[str] = set()
        for event in events:
            uid = str(event.get("UID", "")).strip()
            problem = self._problem(event, uid)
            if problem:
                column, reason = problem
                yield Item(
                    position[id(event)], None, [self._issue(position[id(event)], column, reason)]
                )
                calendar.subcomponents.remove(event)
                continue
            by_uid.setdefault(uid, position[id(event)])
            if event.get("RRULE") or event.get("RDATE") or event.get("RECURRENCE-ID"):
                series.add(uid)
        start, end = self.window
        try:
            occurrences = recurring_ical_events.of(calendar, skip_bad_series=True).between(
                start, end
            )
        except Exception as exc:  # the library raises several types for broken rules
            where = f"calendar {number}: " if len(self.calendars) > 1 else ""
            yield Item(0, None, [self._issue(0, "", f"{where}cannot expand its events ({exc})")])
            return
        for occurrence in occurrences:
            uid = str(occurrence.get("UID")).strip()
            line = by_uid.get(uid, 0)
            try:
                record = self._record(occurrence, uid, uid in series)
            except Exception as exc:  # one odd event must not cost the others
                yield Item(line, None, [self._issue(line, "DTSTART", _reason(exc))])
                continue
            record.file, record.line = self.path.name, line
            yield Item(line, record)

    def _problem(self, event: Any, uid: str) -> tuple[str, str] | None:
        if not uid:
            return "UID", "is missing: an event needs a UID to be imported again without duplicates"
        if event.get("DTSTART") is None:
            return "DTSTART", "is missing: an event needs a start"
        return None

    def _issue(self, line: int, column: str, reason: str) -> Issue:
        return Issue(self.path.name, line, column, reason, kind="activity")

    def _record(self, event: Any, uid: str, recurring: bool) -> Record:
        starts = _utc(event["DTSTART"].dt)
        if event.get("DTEND") is not None:
            ends = _utc(event["DTEND"].dt)
        elif event.get("DURATION") is not None:
            ends = starts + event["DURATION"].dt
        else:
            ends = starts
        if ends < starts:
            raise ValueError("the event ends before it starts")
        recurrence = event.get("RECURRENCE-ID")
        key = instance_key(uid, recurrence.dt if (recurring and recurrence) else None)
        emails = _emails(event)
        accounts = Counter(
            self.domains[d] for d in (domain_of(e) for e in emails) if d in self.domains
        )
        account = accounts.most_common(1)[0][0] if accounts else None
        customer_facing = account is not None
        cancelled = str(event.get("STATUS", "")).upper() == "CANCELLED"
        if cancelled:
            status = Activity.Status.CANCELLED
        else:
            status = Activity.Status.HELD if ends <= timezone.now() else Activity.Status.PLANNED
        subject = str(event.get("SUMMARY", "")).strip() or "(no title)"
        description = str(event.get("DESCRIPTION", "")).strip()
        values = (
            Kind.MEETING if customer_facing else Kind.INTERNAL,
            subject[:255],
            description,
            starts,
            ends,
            status,
            customer_facing,
            account,
        )
        digest = digest_of(
            [key, subject, description, starts.isoformat(), ends.isoformat(), status, str(account)]
        )
        digest = digest_of([digest, *emails])
        return Record("activity", key, values, digest=digest, extra=tuple(emails))

    def plan(self) -> FilePlan:
        return FilePlan(
            name=self.path.name,
            kind="activity",
            label="calendar",
            items=self.items,
            size=lambda: self.path.stat().st_size,
            done=lambda: self._done,
        )


def _reason(exc: Exception) -> str:
    return str(exc) if isinstance(exc, ValueError) else f"cannot be read ({exc})"


def _lift_nested_events(calendar: Any) -> list[Any]:
    """The calendar's events in file order. An event written inside another component (some
    exporters nest them) is moved up beside the others, so it is imported like them and can be
    dropped from the calendar when it is unusable."""
    events: list[Any] = []

    def visit(component: Any, top: bool) -> None:
        for child in list(component.subcomponents):
            if child.name == "VEVENT":
                if not top:
                    component.subcomponents.remove(child)
                    calendar.subcomponents.append(child)
                events.append(child)
            visit(child, False)

    visit(calendar, True)
    return events


def link_people(written: list[tuple[int, Record]]) -> None:
    """Attendees who are Presales users become participants; attendees who are contacts are
    linked as contacts. Both lists are replaced, since the invitation is the truth."""
    if not written:
        return
    emails = sorted({e for _, r in written for e in r.extra})
    users: dict[str, int] = {}
    contacts: dict[str, int] = {}
    for part in chunks(emails):
        for pk, email in (
            User.objects.annotate(address=Lower("email")).filter(address__in=part)
        ).values_list("pk", "address"):
            users.setdefault(email, pk)
        for pk, email in (
            Contact.objects.annotate(address=Lower("email")).filter(address__in=part)
        ).values_list("pk", "address"):
            contacts.setdefault(email, pk)
    ids = [pk for pk, _ in written]
    for relation, known in (("participants", users), ("contacts", contacts)):
        through = Activity._meta.get_field(relation).remote_field.through  # type: ignore[union-attr]
        other = "user_id" if relation == "participants" else "contact_id"
        for part in chunks(ids):
            through.objects.filter(activity_id__in=part).delete()
        links = {
            (pk, known[email]) for pk, record in written for email in record.extra if email in known
        }
        through.objects.bulk_create(
            [through(activity_id=a, **{other: b}) for a, b in sorted(links)]
        )


def plan_for(window: tuple[datetime, datetime]) -> Any:
    def plan(paths: list[Path]) -> list[FilePlan]:
        files = [CalendarFile(path, window) for path in paths]
        if all(f.unreadable for f in files):
            # Nothing to import at all: the input is unusable, not a file among good ones.
            raise UnusableInput("; ".join(f"{f.path.name}: {f.unreadable}" for f in files))
        return [f.plan() for f in files]

    return plan


def profile(window: tuple[datetime, datetime] | None = None) -> Profile:
    chosen = window or window_around(timezone.localdate())
    return Profile(
        source=SOURCE,
        plan=plan_for(chosen),
        targets={"activity": ICS_ACTIVITY},
        writers={},
        hooks={"activity": [link_people]},
    )
