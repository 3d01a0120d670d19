"""Calendar files as real clients write them: several calendars in one file, events nested in
other components, files that are not calendars at all in the same folder."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from presales.activities.models import Activity
from presales.imports.services import run_import
from tests.conftest import Cast

FIXTURES = Path(__file__).parent / "fixtures" / "imports"
WINDOW = (datetime(2024, 1, 1, tzinfo=UTC), datetime(2025, 1, 1, tzinfo=UTC))


def events_in(path: Path) -> list[str]:
    """The SUMMARY of every VEVENT written in the file, as a reader of the text sees them."""
    return re.findall(r"^SUMMARY:(.*?)\r?$", path.read_text(), flags=re.MULTILINE)


def test_every_calendar_of_a_file_with_two_vcalendar_blocks_is_imported(cast: Cast) -> None:
    path = FIXTURES / "ics_multi" / "two_calendars.ics"
    assert path.read_text().count("BEGIN:VCALENDAR") == 2

    result = run_import(kind="ics", paths=[path], window=WINDOW)

    assert result.rejected == 0
    subjects = sorted(Activity.objects.values_list("subject", flat=True))
    # Every event of both calendars, the weekly sync three times.
    assert subjects == sorted([s for s in events_in(path) if s != "Team sync"] + ["Team sync"] * 3)
    visit = Activity.objects.get(subject="Fabrikam site visit")
    assert visit.starts_at == datetime(2024, 3, 12, 13, 0, tzinfo=UTC)  # 14:00 in Paris
    again = run_import(kind="ics", paths=[path], window=WINDOW)
    assert again.totals["unchanged"] == 5 and again.totals["created"] == 0


def test_a_broken_file_is_reported_and_the_rest_of_the_folder_imports(cast: Cast) -> None:
    folder = FIXTURES / "ics_mixed"

    result = run_import(kind="ics", paths=[folder], window=WINDOW)

    assert result.exit_code == 1 and not result.unusable
    reasons = {(i.file, i.row, i.column): i.reason for i in result.issues}
    assert reasons[("broken.ics", 0, "")].startswith("not an iCalendar file")
    # The nested event without a UID used to end the import with "list.remove(x)"; now it is
    # reported and its neighbours, nested or not, are imported.
    assert reasons[("nested.ics", 2, "UID")].startswith("is missing")
    assert sorted(Activity.objects.values_list("subject", flat=True)) == [
        "Nested follow-up",
        "Pipeline review",
        "Quarterly review",
    ]
    assert result.rejected == 2


def test_odd_recurrence_combinations_do_not_end_the_import(cast: Cast, tmp_path: Path) -> None:
    odd = tmp_path / "odd.ics"
    odd.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n"
        # The same EXDATE twice, an exception for an excluded instance, and an exception
        # carrying its own rule.
        "BEGIN:VEVENT\r\nUID:s@t\r\nDTSTART;TZID=Europe/Berlin:20240108T100000\r\n"
        "DTEND;TZID=Europe/Berlin:20240108T110000\r\nRRULE:FREQ=WEEKLY;COUNT=4\r\n"
        "EXDATE;TZID=Europe/Berlin:20240115T100000\r\n"
        "EXDATE;TZID=Europe/Berlin:20240115T100000\r\nSUMMARY:Weekly\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:s@t\r\nRECURRENCE-ID;TZID=Europe/Berlin:20240115T100000\r\n"
        "DTSTART;TZID=Europe/Berlin:20240116T100000\r\n"
        "DTEND;TZID=Europe/Berlin:20240116T110000\r\nSUMMARY:Moved\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:s@t\r\nRECURRENCE-ID;TZID=Europe/Berlin:20240122T100000\r\n"
        "RRULE:FREQ=DAILY;COUNT=2\r\nDTSTART;TZID=Europe/Berlin:20240122T120000\r\n"
        "SUMMARY:Own rule\r\nEND:VEVENT\r\n"
        # An end before the start and a date-only start with a timed end.
        "BEGIN:VEVENT\r\nUID:back@t\r\nDTSTART:20240301T100000Z\r\nDTEND:20240301T090000Z\r\n"
        "SUMMARY:Backwards\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:mixed@t\r\nDTSTART;VALUE=DATE:20240302\r\n"
        "DTEND:20240302T120000Z\r\nSUMMARY:Mixed\r\nEND:VEVENT\r\n"
        "END:VCALENDAR\r\n",
        newline="",
    )

    result = run_import(kind="ics", paths=[odd], window=WINDOW)

    assert not result.unusable
    assert result.rejected == 0
    subjects = sorted(Activity.objects.values_list("subject", flat=True))
    # Four weeks: one excluded (its exception stays excluded), one replaced by the exception
    # with its own rule; and the two odd single events.
    assert subjects == ["Backwards", "Mixed", "Own rule", "Weekly", "Weekly"]
    backwards = Activity.objects.get(subject="Backwards")
    assert backwards.starts_at < backwards.ends_at
