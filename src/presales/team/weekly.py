"""Weekly totals per SE: recorded seconds and activities per week and kind of time.

Each activity that is not cancelled adds its length (whole seconds) and one to the week it
starts in (Monday, in ``PRESALES_TIME_ZONE``) of every participant, under one kind of time:
customer-facing, out-of-band, travel (internal entries that say so), preparation (internal time
on an account or deal) or other. The totals follow every write as a difference (what the
changed activities added before, taken away; what they add now, added), so a change costs a
few queries over the rows it touched, whatever the size of the history:

- saving, deleting an activity and changing its participants, through the models' signals;
- imports and other bulk writes, through ``core.signals.bulk_change`` around each batch;
- ``rebuild`` (``presales team rebuild-totals``) computes the whole table again from the
  activities, after writes that went around both (raw SQL, a changed time zone, an account or
  deal deleted, which leaves its preparation time counted as preparation until then).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Model, signals
from django.utils import timezone

from presales.activities.models import Activity, Kind
from presales.core.signals import rows_changed, rows_changing
from presales.team.models import WeeklyLoad

TRAVEL_WORDS = ("travel", "flight", "fly to", "train to", "drive to", "airport", "hotel")
CHUNK = 500

Key = tuple[int, date, str]  # user, week, category
Totals = dict[Key, list[int]]  # [seconds, activities]

_FACTS = (
    *("pk", "kind", "customer_facing", "subject", "account_id", "opportunity_id"),
    *("starts_at", "ends_at", "status"),
)


_TRAVEL = re.compile("|".join(re.escape(word) for word in TRAVEL_WORDS))
_FACING, _OOB, _TRAVELLING, _PREP, _OTHER = (
    str(c.value)
    for c in (
        WeeklyLoad.Category.FACING,
        WeeklyLoad.Category.OOB,
        WeeklyLoad.Category.TRAVEL,
        WeeklyLoad.Category.PREP,
        WeeklyLoad.Category.OTHER,
    )
)


def category_of(kind: str, customer_facing: bool, subject: str, linked: bool) -> str:
    """The one kind of time an activity is (the first that applies, in this order)."""
    if customer_facing:
        return _FACING
    if kind == Kind.OUT_OF_BAND:
        return _OOB
    if _TRAVEL.search(subject.lower()):
        return _TRAVELLING
    if kind == Kind.INTERNAL and linked:
        return _PREP
    return _OTHER


def week_of(moment: datetime) -> date:
    day = timezone.localtime(moment).date()
    return day - timedelta(days=day.weekday())


def _fact(
    row: Sequence[Any], weeks: dict[datetime, date] | None = None
) -> tuple[date, str, int] | None:
    _pk, kind, facing, subject, account, deal, starts, ends, status = row
    if status == Activity.Status.CANCELLED:
        return None
    seconds = round((ends - starts).total_seconds())
    if weeks is None:
        week = week_of(starts)
    else:
        found = weeks.get(starts)
        week = weeks[starts] = week_of(starts) if found is None else found
    return week, category_of(kind, facing, subject, bool(account or deal)), seconds


def _linked(
    activity_ids: Iterable[int] | None, users: Iterable[int] | None
) -> Iterator[list[tuple[Any, ...]]]:
    """``(user, *facts)`` per participant link of the given activities (or of all activities),
    in chunks. Plain SQL: the ORM's per-row conversions cost more than the totals themselves
    after an import batch of thousands of activities."""
    through: Any = Activity.participants.through
    quote = connection.ops.quote_name
    own = quote(through._meta.get_field("activity").column)
    person = quote(through._meta.get_field("user").column)
    meta = Activity._meta
    columns = [str(meta.pk.column if n == "pk" else meta.get_field(n).column) for n in _FACTS]  # type: ignore[union-attr]
    sqlite = connection.vendor == "sqlite"
    # On SQLite an expression has no declared type, so the driver hands over the stored text
    # and integers as they are instead of running Django's converter on each value.
    plain = {"customer_facing": " + 0", "starts_at": " || ''", "ends_at": " || ''"}
    facts = ", ".join(f"a.{quote(c)}{plain.get(c, '') if sqlite else ''}" for c in columns)
    sql = (
        f"SELECT l.{person}, {facts} FROM {quote(through._meta.db_table)} l "  # noqa: S608
        f"JOIN {quote(Activity._meta.db_table)} a ON a.id = l.{own} WHERE 1 = 1"
    )
    params: list[Any] = []
    if users is not None:
        people = list(users)
        if not people:
            return
        sql += f" AND l.{person} IN ({', '.join(['%s'] * len(people))})"
        params += people
    if activity_ids is None:
        chunks: list[list[int] | None] = [None]
    else:
        ids = list(dict.fromkeys(activity_ids))
        size = 10 * CHUNK
        chunks = [ids[start : start + size] for start in range(0, len(ids), size)]
        among = "IN (SELECT value FROM json_each(%s))" if sqlite else "= ANY(%s)"
        sql += f" AND l.{own} {among}"
    moments: dict[Any, datetime] = {}

    def moment(value: Any) -> datetime:
        return _moment(moments, value)

    with connection.cursor() as cursor:
        for part in chunks:
            extra = [] if part is None else [json.dumps(part) if sqlite else part]
            cursor.execute(sql, [*params, *extra])
            while rows := cursor.fetchmany(5000):
                if sqlite or rows[0][7].tzinfo is None:
                    rows = [
                        (u, pk, k, bool(f), s, a, d, moment(b), moment(e), st)
                        for u, pk, k, f, s, a, d, b, e, st in rows
                    ]
                yield rows


def contributions(
    activity_ids: Iterable[int] | None = None, users: Iterable[int] | None = None
) -> Totals:
    """What the given activities (or all the given users' activities) add to the totals now,
    read from the database: one query (links joined with their activities) per chunk. An
    import's batch brings thousands of activities on a few hundred distinct start times, so
    each activity's fact and each start's week are worked out once."""
    parts = _linked(activity_ids, users)
    facts: dict[int, tuple[date, str, int] | None] = {}
    weeks: dict[datetime, date] = {}
    totals: Totals = {}
    for rows in parts:
        for user, *row in rows:
            pk = row[0]
            if pk in facts:
                fact = facts[pk]
            else:
                fact = facts[pk] = _fact(row, weeks)
            if fact is None:
                continue
            week, category, seconds = fact
            found = totals.get((user, week, category))
            if found is None:
                totals[(user, week, category)] = [seconds, 1]
            else:
                found[0] += seconds
                found[1] += 1
    return totals


def difference(after: Totals, before: Totals) -> Totals:
    change: Totals = {k: list(v) for k, v in after.items()}
    for key, (seconds, count) in before.items():
        found = change.setdefault(key, [0, 0])
        found[0] -= seconds
        found[1] -= count
    return {k: v for k, v in change.items() if v != [0, 0]}


def apply(change: Totals) -> None:
    """Add ``change`` to the stored totals: the rows concerned are read (locked on PostgreSQL),
    updated, created or, when no activity is left in them, deleted. Retried when another
    writer created one of the same rows meanwhile."""
    if not change:
        return
    for attempt in range(3):
        try:
            with transaction.atomic():
                _apply(change)
            return
        except IntegrityError:
            if attempt == 2:
                raise


def _apply(change: Totals) -> None:
    users = sorted({k[0] for k in change})
    weeks = sorted({k[1] for k in change})
    stored: dict[Key, WeeklyLoad] = {}
    for start in range(0, len(users), CHUNK):
        query = WeeklyLoad.objects.select_for_update().filter(
            user_id__in=users[start : start + CHUNK], week__in=weeks
        )
        for each in query:
            stored[(each.user_id, each.week, each.category)] = each
    updated: list[WeeklyLoad] = []
    created: list[WeeklyLoad] = []
    emptied: list[WeeklyLoad] = []
    for key, (seconds, count) in change.items():
        row = stored.get(key)
        if row is None:
            created.append(
                WeeklyLoad(
                    user_id=key[0], week=key[1], category=key[2], seconds=seconds, activities=count
                )
            )
            continue
        row.seconds += seconds
        row.activities += count
        (emptied if row.activities <= 0 else updated).append(row)
    if emptied:
        WeeklyLoad.objects.filter(pk__in=[r.pk for r in emptied]).delete()
    if updated:
        # One statement run for every row (``bulk_update`` would build a CASE per column
        # whose compiling costs more than the import batch it follows).
        table = connection.ops.quote_name(WeeklyLoad._meta.db_table)
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET seconds = %s, activities = %s WHERE id = %s",  # noqa: S608
                [(r.seconds, r.activities, r.pk) for r in updated],
            )
    if created:
        WeeklyLoad.objects.bulk_create(created, batch_size=CHUNK)


def rebuild() -> int:
    """Compute every total again from the activities; returns the number of rows kept."""
    with transaction.atomic():
        WeeklyLoad.objects.all().delete()
        totals = compute_all(Activity, WeeklyLoad)
        write_all(WeeklyLoad, totals)
    return len(totals)


def write_all(load_model: Any, totals: Totals) -> None:
    """Insert rows straight from tuples (tens of thousands of model instances cost seconds)."""
    table = connection.ops.quote_name(load_model._meta.db_table)
    rows = [(u, w, c, s, n) for (u, w, c), (s, n) in totals.items()]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 2000):
            cursor.executemany(
                f"INSERT INTO {table} (user_id, week, category, seconds, activities) "  # noqa: S608
                "VALUES (%s, %s, %s, %s, %s)",
                rows[start : start + 2000],
            )


def compute_all(activity_model: Any, load_model: Any) -> Totals:
    """Every total from the activities, in one pass (the models may be a migration's)."""
    through = activity_model.participants.through
    facts: dict[int, tuple[date, str, int]] = {}
    rows = (
        activity_model.objects.exclude(status=Activity.Status.CANCELLED)
        .values_list(*_FACTS)
        .iterator(chunk_size=5000)
    )
    for row in rows:
        fact = _fact(row)
        if fact is not None:
            facts[row[0]] = fact
    totals: Totals = {}
    for activity, user in through.objects.values_list("activity_id", "user_id").iterator(
        chunk_size=5000
    ):
        fact = facts.get(activity)
        if fact is None:
            continue
        found = totals.setdefault((user, fact[0], fact[1]), [0, 0])
        found[0] += fact[2]
        found[1] += 1
    return totals


def stored_totals() -> Totals:
    return {
        (r.user_id, r.week, r.category): [r.seconds, r.activities] for r in WeeklyLoad.objects.all()
    }


# The models' signals -----------------------------------------------------------------------


def _before_save(sender: type[Model], instance: Activity, raw: bool = False, **_: Any) -> None:
    if raw or instance._state.adding or instance.pk is None:
        return
    instance._weekly_before = contributions([instance.pk])  # type: ignore[attr-defined]


def _after_save(
    sender: type[Model], instance: Activity, created: bool, raw: bool = False, **_: Any
) -> None:
    before = instance.__dict__.pop("_weekly_before", None)
    if raw or created or before is None:
        return  # a new activity has no participants yet: they come through m2m_changed
    apply(difference(contributions([instance.pk]), before))


def _before_delete(sender: type[Model], instance: Activity, **_: Any) -> None:
    instance._weekly_before = contributions([instance.pk])  # type: ignore[attr-defined]


def _after_delete(sender: type[Model], instance: Activity, **_: Any) -> None:
    before = instance.__dict__.pop("_weekly_before", None)
    if before:
        apply(difference({}, before))


def _links(instance: Any, reverse: bool, pk_set: set[int] | None) -> Totals:
    if reverse:  # instance is a user; pk_set the activities (None: all of them)
        return contributions(pk_set, users=[instance.pk])
    return contributions([instance.pk], users=pk_set)


def _participants(
    sender: type[Model],
    instance: Any,
    action: str,
    reverse: bool,
    pk_set: set[int] | None = None,
    **_: Any,
) -> None:
    if action == "post_add" and pk_set:
        apply(_links(instance, reverse, pk_set))
    elif action in ("pre_remove", "pre_clear"):
        instance._weekly_before = _links(instance, reverse, pk_set)
    elif action in ("post_remove", "post_clear"):
        before = instance.__dict__.pop("_weekly_before", None)
        if before:
            apply(difference({}, before))


def _changing(sender: type[Model], ids: list[int], **_: Any) -> Totals:
    return contributions(ids) if ids else {}


def _changed(
    sender: type[Model], ids: list[int], before: dict[Any, Any] | None = None, **_: Any
) -> None:
    old = (before or {}).get(_changing) or {}
    apply(difference(contributions(ids) if ids else {}, old))


def connect_signals() -> None:
    uid = "team-weekly"
    signals.pre_save.connect(_before_save, sender=Activity, dispatch_uid=f"{uid}-pre-save")
    signals.post_save.connect(_after_save, sender=Activity, dispatch_uid=f"{uid}-post-save")
    signals.pre_delete.connect(_before_delete, sender=Activity, dispatch_uid=f"{uid}-pre-del")
    signals.post_delete.connect(_after_delete, sender=Activity, dispatch_uid=f"{uid}-post-del")
    signals.m2m_changed.connect(
        _participants, sender=Activity.participants.through, dispatch_uid=f"{uid}-people"
    )
    rows_changing.connect(_changing, sender=Activity, dispatch_uid=f"{uid}-changing")
    rows_changed.connect(_changed, sender=Activity, dispatch_uid=f"{uid}-changed")


# After a large load ------------------------------------------------------------------------
# An import that brings as many activities as the table holds, or more, writes them without
# ``rows_changed`` (a difference per batch would cost it a fifth of its time) and sends
# ``rows_reloaded`` once at its end, or when its run is marked interrupted after a kill.


RELOAD_IDS = 50_000


def rebuild_from_rows() -> int:
    """Compute every total again from the activities' rows, read with plain SQL (as
    ``rebuild``, without the ORM's per-row conversions) a range of activity ids at a time, so
    that what is kept per activity and per moment stays small; returns the number of rows
    kept."""
    from django.db.models import Max, Min

    with transaction.atomic():  # read and written as of one moment
        totals = _totals_by_ranges(Activity.objects.aggregate(low=Min("pk"), high=Max("pk")))
        WeeklyLoad.objects.all().delete()
        write_all(WeeklyLoad, totals)
    return len(totals)


def _totals_by_ranges(bounds: dict[str, Any]) -> Totals:
    weeks: dict[datetime, date] = {}
    moments: dict[Any, datetime] = {}
    totals: Totals = {}
    # As ``week_of``, with the time zone looked up once rather than per start.
    zone = timezone.get_current_timezone()
    low, high = bounds["low"] or 0, bounds["high"] or -1
    for start in range(low, high + 1, RELOAD_IDS):
        for user, kind, facing, linked, subject, starts, ends, count in _grouped(
            start, min(start + RELOAD_IDS, high + 1), moments
        ):
            week = weeks.get(starts)
            if week is None:
                day = starts.astimezone(zone).date()
                week = weeks[starts] = day - timedelta(days=day.weekday())
            key = (user, week, category_of(kind, facing, subject, linked))
            seconds = round((ends - starts).total_seconds()) * count
            found = totals.get(key)
            if found is None:
                totals[key] = [seconds, count]
            else:
                found[0] += seconds
                found[1] += count
        if len(weeks) > 1 << 16:
            weeks.clear()
            moments.clear()
    return totals


def _grouped(low: int, high: int, moments: dict[Any, datetime]) -> Iterator[tuple[Any, ...]]:
    """The participant links of the activities with ids in ``[low, high)`` that are not
    cancelled, counted per person and per everything ``_fact`` reads: ``(user, kind, facing,
    linked, subject, starts, ends, count)``. The database groups them (an import brings
    thousands of activities per start time and person), so Python sees each group once; the
    subject is left out (empty) and the link to an account or deal is left false where
    ``category_of`` does not read them."""
    through: Any = Activity.participants.through
    quote = connection.ops.quote_name
    meta = Activity._meta

    def column(name: str) -> str:
        return "a." + quote(str(meta.get_field(name).column))  # type: ignore[union-attr]

    own = quote(through._meta.get_field("activity").column)
    person = quote(through._meta.get_field("user").column)
    facing, kind = column("customer_facing"), column("kind")
    subject = f"CASE WHEN {facing} OR {kind} = %s THEN '' ELSE {column('subject')} END"
    linked = (
        f"CASE WHEN {kind} = %s AND ({column('account')} IS NOT NULL "
        f"OR {column('opportunity')} IS NOT NULL) THEN 1 ELSE 0 END"
    )
    sqlite = connection.vendor == "sqlite"
    # On SQLite an expression has no declared type, so the driver hands over the stored text
    # as it is instead of running Django's converter on each value.
    times = [column("starts_at"), column("ends_at")]
    if sqlite:
        times = [f"{t} || ''" for t in times]
    keys = [f"l.{person}", kind, f"{facing}", linked, subject, *times]
    sql = (
        f"SELECT {', '.join(keys)}, count(*) FROM {quote(through._meta.db_table)} l "  # noqa: S608
        f"JOIN {quote(meta.db_table)} a ON a.id = l.{own} "
        f"WHERE l.{own} >= %s AND l.{own} < %s AND {column('status')} <> %s "
        f"GROUP BY {', '.join(str(i) for i in range(1, len(keys) + 1))}"
    )
    params: list[Any] = [Kind.INTERNAL, Kind.OUT_OF_BAND, low, high, Activity.Status.CANCELLED]

    def moment(value: Any) -> datetime:
        return _moment(moments, value)

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(5000):
            for user, k, f, li, sub, starts, ends, count in rows:
                yield user, k, bool(f), bool(li), sub, moment(starts), moment(ends), count


def _reloaded(sender: type[Model], **_: Any) -> None:
    rebuild_from_rows()


def _connect_reloaded() -> None:
    from presales.core.signals import rows_reloaded

    rows_reloaded.connect(_reloaded, sender=Activity, dispatch_uid="team-weekly-reloaded")


_connect_reloaded()


def _moment(seen: dict[Any, datetime], value: Any) -> datetime:
    """A time as the database hands it back, aware and parsed once per run: SQLite gives naive
    UTC (text, or a datetime through Django's column converters); PostgreSQL's driver gives
    aware datetimes."""
    found = seen.get(value)
    if found is None:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else value
        found = seen[value] = parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed
    return found
