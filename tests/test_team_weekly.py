"""The weekly totals capacity reads: kept up to date write by write, they equal a full rebuild
from the activities after creates, edits, deletes, reassignments and imports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from presales.activities.models import Activity, Kind
from presales.cli import main
from presales.imports.services import run_import
from presales.team.models import WeeklyLoad
from presales.team.weekly import compute_all, rebuild, stored_totals, week_of
from tests.conftest import Cast, make_account, make_activity

WINDOW = (datetime(2024, 1, 1, tzinfo=UTC), datetime(2025, 1, 1, tzinfo=UTC))


def assert_matches_rebuild() -> None:
    kept = stored_totals()
    assert kept == compute_all(Activity, WeeklyLoad)
    rebuild()
    assert stored_totals() == kept


def _event(uid: str, start: str, minutes: int, summary: str, attendees: list[str]) -> str:
    begin = datetime.strptime(start, "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
    end = (begin + timedelta(minutes=minutes)).strftime("%Y%m%dT%H%M%SZ")
    people = "".join(f"ATTENDEE;CN=X:mailto:{a}\r\n" for a in attendees)
    return (
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:{start}Z\r\n"
        f"DTEND:{end}\r\nSUMMARY:{summary}\r\n"
        "ORGANIZER:mailto:alice@vendor.example\r\n"
        f"{people}END:VEVENT\r\n"
    )


def _calendar(path: Path, *events: str) -> Path:
    path.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
        + "".join(events)
        + "END:VCALENDAR\r\n",
        encoding="utf-8",
    )
    return path


def test_totals_follow_creates_edits_deletes_and_reassignments(cast: Cast) -> None:
    acme = make_account(cast.north, "Acme")
    monday = timezone.now() - timedelta(days=timezone.now().weekday() + 7)
    demo = make_activity(
        account=acme, participants=[cast.alice], starts_at=monday, minutes=90, kind=Kind.DEMO
    )
    prep = make_activity(
        account=acme,
        participants=[cast.alice, cast.bob],
        starts_at=monday + timedelta(days=1),
        minutes=60,
        kind=Kind.INTERNAL,
        subject="Prepare the demo",
        customer_facing=False,
    )
    week = week_of(monday)
    assert stored_totals() == {
        (cast.alice.pk, week, "facing"): [5400, 1],
        (cast.alice.pk, week, "prep"): [3600, 1],
        (cast.bob.pk, week, "prep"): [3600, 1],
    }
    assert_matches_rebuild()

    # Edits: a longer demo moved a week on; the preparation becomes a flight.
    demo.starts_at += timedelta(days=7)
    demo.ends_at = demo.starts_at + timedelta(minutes=120)
    demo.save()
    prep.subject = "Flight to Berlin"
    prep.save()
    later = week_of(demo.starts_at)
    assert stored_totals() == {
        (cast.alice.pk, later, "facing"): [7200, 1],
        (cast.alice.pk, week, "travel"): [3600, 1],
        (cast.bob.pk, week, "travel"): [3600, 1],
    }
    assert_matches_rebuild()

    # Reassignments, from both sides of the relation.
    demo.participants.add(cast.carol)
    demo.participants.remove(cast.alice)
    cast.dave.activities.add(prep, demo)
    cast.bob.activities.remove(prep)
    prep.participants.add(cast.erin)
    assert_matches_rebuild()
    assert stored_totals()[(cast.dave.pk, later, "facing")] == [7200, 1]
    assert (cast.alice.pk, later, "facing") not in stored_totals()
    prep.participants.clear()
    cast.carol.activities.clear()
    assert_matches_rebuild()
    assert set(stored_totals()) == {(cast.dave.pk, later, "facing")}

    # Cancelled counts nothing; deleted, one by one or by a query, neither.
    prep.participants.set([cast.alice])
    demo.status = Activity.Status.CANCELLED
    demo.save()
    assert set(stored_totals()) == {(cast.alice.pk, week, "travel")}
    demo.status = Activity.Status.HELD
    demo.save()
    assert_matches_rebuild()
    demo.delete()
    assert_matches_rebuild()
    Activity.objects.filter(pk=prep.pk).delete()
    assert stored_totals() == {}
    assert_matches_rebuild()


def test_an_import_and_its_second_run_keep_the_totals_equal_to_a_rebuild(
    cast: Cast, tmp_path: Path
) -> None:
    for user, email in ((cast.alice, "alice@vendor.example"), (cast.bob, "bob@vendor.example")):
        user.email = email
        user.save()
    make_activity(participants=[cast.alice], starts_at=datetime(2024, 3, 4, 9, tzinfo=UTC))
    first = _calendar(
        tmp_path / "team.ics",
        _event("a@t", "20240305T090000", 60, "Acme demo", ["bob@vendor.example"]),
        _event("b@t", "20240312T090000", 30, "Flight to Lyon", ["bob@vendor.example"]),
        _event("c@t", "20240320T090000", 45, "Globex call", []),
    )
    run_import(kind="ics", paths=[first], window=WINDOW)
    assert Activity.objects.count() == 4
    # Vendor-only invitations are internal time; the organiser takes part too.
    march = week_of(datetime(2024, 3, 5, 9, tzinfo=UTC))
    assert stored_totals()[(cast.bob.pk, march, "other")] == [3600, 1]
    assert stored_totals()[(cast.alice.pk, march, "other")] == [3600, 1]
    assert_matches_rebuild()

    # The same calendar changed: an event moved and lost an attendee, one longer, one gone.
    second = _calendar(
        tmp_path / "team.ics",
        _event("a@t", "20240402T090000", 60, "Acme demo", ["alice@vendor.example"]),
        _event("b@t", "20240312T090000", 90, "Flight to Lyon", ["bob@vendor.example"]),
    )
    run_import(kind="ics", paths=[second], window=WINDOW)
    totals = stored_totals()
    assert (cast.bob.pk, march, "other") not in totals
    assert totals[(cast.alice.pk, week_of(datetime(2024, 4, 2, tzinfo=UTC)), "other")] == [
        3600,
        1,
    ]
    assert totals[(cast.bob.pk, week_of(datetime(2024, 3, 12, tzinfo=UTC)), "travel")] == [
        5400,
        1,
    ]
    assert_matches_rebuild()


def test_rebuild_command_puts_back_totals_a_raw_write_left_behind(
    cast: Cast, capsys: pytest.CaptureFixture[str]
) -> None:
    activity = make_activity(participants=[cast.alice], minutes=30)
    Activity.objects.filter(pk=activity.pk).update(ends_at=activity.starts_at + timedelta(hours=2))
    key = (cast.alice.pk, week_of(activity.starts_at), "facing")
    assert stored_totals()[key] == [1800, 1]  # the update went around every signal
    assert main(["team", "rebuild-totals"]) == 0
    assert stored_totals()[key] == [7200, 1]
    assert "Weekly totals rebuilt: 1 rows" in capsys.readouterr().out
