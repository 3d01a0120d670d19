"""Large loads on SQLite: secondary indexes set aside while many new rows go in and built again
at the end of the file, with the same rows and the same indexes as a row-by-row load."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from presales.accounts.models import Account, Contact
from presales.activities.models import Activity
from presales.deals.models import Opportunity
from presales.imports.models import ImportedRecord, ImportRun, PendingReference
from presales.imports.services import bulk
from tests.conftest import Cast, make_product
from tests.test_imports import salesforce, state


def indexes() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                "ORDER BY name"
            )
        else:
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                "ORDER BY indexname"
            )
        return list(cursor.fetchall())


def forget_imports() -> None:
    for model in (Activity, Contact, Opportunity, Account, ImportedRecord, PendingReference):
        model.objects.all().delete()


@pytest.fixture
def every_load_is_large(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Deferral from the first row on; returns the index names each drop set aside."""
    monkeypatch.setattr(bulk, "MIN_ROWS", 1)
    drops: list[list[str]] = []
    real_drop = bulk.IndexDeferral._drop

    def recording_drop(self: bulk.IndexDeferral) -> None:
        real_drop(self)
        drops.append([name for name, _sql in self.dropped])

    monkeypatch.setattr(bulk.IndexDeferral, "_drop", recording_drop)
    return drops


def test_a_large_load_ends_with_the_rows_and_indexes_of_a_row_by_row_load(
    cast: Cast, every_load_is_large: list[list[str]]
) -> None:
    make_product("GTX Pro")
    before = indexes()
    bulk.MIN_ROWS = 10**9  # row by row first (the fixture restores the real value)
    salesforce()
    expected = state()
    forget_imports()
    bulk.MIN_ROWS = 1
    again: Any = salesforce()
    assert state() == expected
    assert again.counts["activity"]["created"] == 4
    assert indexes() == before
    if connection.vendor == "sqlite":
        dropped = {name for names in every_load_is_large for name in names}
        # The activity table's own indexes and its participant links' went aside; the unique
        # index that identifies an imported record never does.
        assert "activities__kind_87ac86_idx" in dropped
        assert "activities_activity_participants_user_id_5531b56d" in dropped
        assert "activity_source_external_id" not in dropped
    else:
        assert every_load_is_large == []


def test_a_dry_run_or_a_strict_rollback_of_a_large_load_keeps_every_index(
    cast: Cast, every_load_is_large: list[list[str]]
) -> None:
    make_product("GTX Pro")
    before = indexes()
    salesforce(dry_run=True)
    assert Activity.objects.count() == 0
    assert indexes() == before
    result = salesforce("Account", "Contact", "Event", strict=True)
    assert result.counts["contact"]["rejected"] == 1
    assert Contact.objects.count() == 0
    assert Account.objects.count() == 2
    assert indexes() == before


def test_a_large_load_killed_midway_leaves_every_index_and_runs_again_to_the_same_state(
    cast: Cast, every_load_is_large: list[list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from presales.imports.services import writer

    make_product("GTX Pro")
    before = indexes()
    monkeypatch.setattr(writer, "BATCH", 1)
    real_flush = writer.Writer.flush

    def dying_flush(self: writer.Writer) -> None:
        real_flush(self)
        if self.target.kind == "activity" and self.counts.created >= 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(writer.Writer, "flush", dying_flush)
    with pytest.raises(KeyboardInterrupt):
        salesforce()
    assert indexes() == before
    stopped = ImportRun.objects.latest("id")
    assert (stopped.status, stopped.deferred_indexes) == (ImportRun.Status.INTERRUPTED, [])
    monkeypatch.setattr(writer.Writer, "flush", real_flush)
    salesforce()
    resumed = state()
    forget_imports()
    salesforce()
    assert state() == resumed
    assert indexes() == before


def test_a_large_load_computes_the_weekly_totals_once_at_its_end_equal_to_a_small_loads(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    from presales.core.signals import rows_changed, rows_reloaded
    from presales.team import weekly
    from presales.team.models import WeeklyLoad
    from presales.team.weekly import compute_all, stored_totals
    from tests.conftest import make_activity

    make_product("GTX Pro")
    from datetime import UTC, datetime

    def hand_made() -> None:  # totals of its own, not imported
        at = datetime(2025, 3, 4, 10, tzinfo=UTC)
        make_activity(participants=[cast.dave], subject="Hand-made call", starts_at=at)

    hand_made()
    batches: list[int] = []
    reloads: list[Any] = []

    def on_batch(sender: Any, ids: list[int], **_: Any) -> None:
        if sender is Activity and ids:
            batches.append(len(ids))

    def on_reload(sender: Any, **_: Any) -> None:
        reloads.append(sender)

    rows_changed.connect(on_batch, dispatch_uid="test-batches")
    rows_reloaded.connect(on_reload, dispatch_uid="test-reloads")
    try:
        monkeypatch.setattr(bulk, "MIN_ROWS", 10**9)  # small: a difference per batch
        salesforce()
        small = stored_totals()
        assert batches and not reloads
        imported = Activity.objects.exclude(source="presales").filter(participants__isnull=False)
        assert imported.exists()
        assert small == compute_all(Activity, WeeklyLoad)
        assert len({user for user, _week, _category in small}) >= 2  # imported owners and Dave

        forget_imports()
        hand_made()
        batches.clear()
        monkeypatch.setattr(bulk, "MIN_ROWS", 1)  # large: set aside, computed once at the end
        monkeypatch.setattr(weekly, "RELOAD_IDS", 2)  # read back two activity ids at a time
        result = salesforce()
    finally:
        rows_changed.disconnect(dispatch_uid="test-batches")
        rows_reloaded.disconnect(dispatch_uid="test-reloads")
    assert result.counts["activity"]["created"] == 4
    # Every object type of the load was set aside and computed again once.
    assert batches == [] and Activity in reloads and len(reloads) == len(set(reloads))
    assert stored_totals() == small
    assert ImportRun.objects.latest("id").set_aside == []


def test_a_large_load_stopped_midway_leaves_the_weekly_totals_of_what_it_wrote(
    cast: Cast, every_load_is_large: list[list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from presales.imports.services import writer
    from presales.team.models import WeeklyLoad
    from presales.team.weekly import compute_all, stored_totals

    make_product("GTX Pro")
    monkeypatch.setattr(writer, "BATCH", 1)
    real_flush = writer.Writer.flush

    def dying_flush(self: writer.Writer) -> None:
        real_flush(self)
        # In the second file of activities (tasks), after the events got their people.
        if self.target.kind == "activity" and self.counts.created >= 3:
            raise KeyboardInterrupt

    monkeypatch.setattr(writer.Writer, "flush", dying_flush)
    with pytest.raises(KeyboardInterrupt):
        salesforce()
    stopped = ImportRun.objects.latest("id")
    assert (stopped.status, stopped.set_aside) == (ImportRun.Status.INTERRUPTED, [])
    assert Activity.objects.filter(participants__isnull=False).exists()
    assert stored_totals() == compute_all(Activity, WeeklyLoad) != {}


def test_totals_computed_again_after_a_large_load_equal_those_computed_activity_by_activity(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bulk rebuild lets the database count the activities per person, start, end and
    what decides their kind of time; the totals are those of the activity-by-activity sum."""
    from datetime import UTC, datetime, timedelta

    from presales.activities.models import Kind
    from presales.team import weekly
    from presales.team.models import WeeklyLoad
    from tests.conftest import make_account, make_activity

    acme = make_account(cast.north, "Acme")
    # A Sunday evening in UTC, near the start of a week in some time zones.
    sunday = datetime(2024, 3, 10, 22, 30, tzinfo=UTC)
    people = [cast.alice, cast.bob]
    for day in range(3):
        at = sunday + timedelta(days=day)
        for _ in range(2):  # the same group twice: counted twice
            make_activity(account=acme, participants=people, starts_at=at, minutes=45)
        make_activity(
            participants=[cast.alice],
            starts_at=at,
            kind=Kind.OUT_OF_BAND,
            subject="Travel desk question",
            customer_facing=False,
        )
        for subject, account in (("Flight to Oslo", None), ("Prep the POC", acme), ("Admin", None)):
            make_activity(
                account=account,
                participants=people,
                starts_at=at,
                minutes=30 + day,
                kind=Kind.INTERNAL,
                subject=subject,
                customer_facing=False,
            )
        make_activity(
            participants=[cast.bob], starts_at=at, minutes=20, status=Activity.Status.CANCELLED
        )
    odd = make_activity(participants=[cast.carol], starts_at=sunday)
    Activity.objects.filter(pk=odd.pk).update(
        ends_at=sunday + timedelta(seconds=90, microseconds=500_001)
    )
    expected = weekly.compute_all(Activity, WeeklyLoad)
    assert {category for _user, _week, category in expected} == {
        "facing",
        "oob",
        "travel",
        "prep",
        "other",
    }
    monkeypatch.setattr(weekly, "RELOAD_IDS", 3)
    WeeklyLoad.objects.all().delete()
    assert weekly.rebuild_from_rows() == len(expected)
    assert weekly.stored_totals() == expected
    assert expected[(cast.carol.pk, weekly.week_of(sunday), "facing")] == [91, 1]
