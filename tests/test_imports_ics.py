"""Calendar imports from files as Outlook and Google write them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from presales.accounts.models import AccountDomain
from presales.activities.models import Activity
from presales.imports.services import run_import
from presales.imports.services.ics import instance_key
from tests.conftest import Cast, make_account, make_contact

ICS = Path(__file__).parent / "fixtures" / "imports" / "ics"
WINDOW = (datetime(2024, 1, 1, tzinfo=UTC), datetime(2025, 1, 1, tzinfo=UTC))


def calendars(*names: str, window: tuple[datetime, datetime] = WINDOW) -> object:
    paths = [ICS / f"{n}.ics" for n in names] if names else [ICS]
    return run_import(kind="ics", paths=paths, window=window)


def setup_people(cast: Cast) -> tuple[object, object]:
    acme = make_account(cast.north, "Acme Corporation")
    globex = make_account(cast.south, "Globex")
    AccountDomain.objects.create(account=acme, domain="acme.com")
    AccountDomain.objects.create(account=globex, domain="globex.de")
    make_contact(acme, "Whitfield", email="john.whitfield@acme.com")
    for user, email in ((cast.alice, "alice@vendor.example"), (cast.bob, "Bob@Vendor.example")):
        user.email = email
        user.save()
    return acme, globex


def test_a_recurring_outlook_meeting_expands_with_its_exceptions_in_its_time_zone(
    cast: Cast,
) -> None:
    acme, _ = setup_people(cast)
    result = calendars("outlook")
    assert result.counts["activity"]["created"] == 5  # type: ignore[attr-defined]
    weekly = Activity.objects.filter(subject__startswith="Acme SSO weekly").order_by("starts_at")
    # Five Tuesdays from 12 March; the 19th is an EXDATE, the 26th moved to 14:00.
    assert [a.starts_at for a in weekly] == [
        datetime(2024, 3, 12, 9, 0, tzinfo=UTC),  # 10:00 in Berlin, winter time
        datetime(2024, 3, 26, 13, 0, tzinfo=UTC),
        datetime(2024, 4, 2, 8, 0, tzinfo=UTC),  # 10:00 in Berlin, summer time
        datetime(2024, 4, 9, 8, 0, tzinfo=UTC),
    ]
    moved = weekly[1]
    assert moved.subject == "Acme SSO weekly (with CISO)"
    assert moved.duration_minutes == 60
    first = weekly[0]
    assert (first.account, first.customer_facing, first.kind) == (acme, True, "meeting")
    assert sorted(u.username for u in first.participants.all()) == ["alice", "bob"]
    assert [c.last_name for c in first.contacts.all()] == ["Whitfield"]
    standup = Activity.objects.get(subject="Team stand-up")
    assert (standup.account, standup.customer_facing, standup.kind) == (None, False, "internal")


def test_google_calendar_events_keep_time_zone_cancellation_and_all_day(cast: Cast) -> None:
    _, globex = setup_people(cast)
    result = calendars("google")
    kickoff = Activity.objects.get(subject="Globex pilot kickoff")
    assert kickoff.starts_at == datetime(2024, 3, 8, 16, 0, tzinfo=UTC)  # 11:00 EST
    assert (kickoff.account, kickoff.customer_facing) == (globex, True)
    review = Activity.objects.get(subject="Globex architecture review")
    assert review.starts_at == datetime(2024, 3, 11, 13, 0, tzinfo=UTC)  # 09:00 EDT
    assert review.status == "cancelled"
    offsite = Activity.objects.get(subject="SE offsite")
    assert offsite.duration_minutes == 24 * 60
    issues = [(i.row, i.column) for i in result.issues]  # type: ignore[attr-defined]
    assert issues == [(4, "DTSTART")]
    assert result.exit_code == 1  # type: ignore[attr-defined]


def test_reimporting_a_calendar_creates_no_duplicates(cast: Cast) -> None:
    setup_people(cast)
    calendars()
    count = Activity.objects.count()
    again = calendars()
    assert again.summary() == "created 0, updated 0, unchanged 8, rejected 1"  # type: ignore[attr-defined]
    assert Activity.objects.count() == count == 8


def test_instances_are_keyed_on_uid_and_recurrence_id_within_the_id_column() -> None:
    when = datetime(2024, 3, 12, 9, 0, tzinfo=UTC)
    assert instance_key("abc@google.com", when) == "abc@google.com/20240312T090000Z"
    assert instance_key("abc@google.com", None) == "abc@google.com"
    long = instance_key("0400000082" * 12, when)
    assert long.startswith("sha:") and len(long) == 36
    assert long == instance_key("0400000082" * 12, when)


def test_a_file_that_is_not_a_calendar_is_unusable(cast: Cast, tmp_path: Path) -> None:
    bogus = tmp_path / "meetings.ics"
    bogus.write_text("this is not a calendar\n")
    result = run_import(kind="ics", paths=[bogus])
    assert result.exit_code == 2
    assert "not an iCalendar file" in result.unusable
