"""Time out of the field: an SE asks, the manager decides, the quarter's plan is computed by
hand on a fixture, and the team week shows it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from presales.people.models import Role
from presales.team.models import OutOfFieldPlan, TimeOutOfField
from presales.team.outoffield import plan_json, quarter_plan
from presales.team.skill_services import quarter_end, quarter_start
from tests.conftest import PASSWORD, Cast, make_user

pytestmark = pytest.mark.django_db
Status = TimeOutOfField.Status


def _client(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def _entry(user: object, starts: date, hours: int, status: str, **extra: object) -> None:
    TimeOutOfField.objects.create(
        user=user,
        kind=extra.pop("kind", TimeOutOfField.Kind.TRAINING),
        title=extra.pop("title", "Kubernetes training"),
        starts_on=starts,
        ends_on=starts + timedelta(days=1),
        hours=hours,
        status=status,
        **extra,
    )


def test_quarters() -> None:
    assert quarter_start(date(2026, 11, 30)) == date(2026, 10, 1)
    assert quarter_end(date(2026, 11, 30)) == date(2026, 12, 31)
    assert quarter_end(date(2026, 2, 10)) == date(2026, 3, 31)
    assert quarter_end(date(2026, 5, 1)) == date(2026, 6, 30)


def test_the_quarter_plan_by_hand(cast: Cast) -> None:
    sam = make_user("sam", Role.SE, team=cast.north)
    OutOfFieldPlan.objects.create(team=cast.north, quarter_start=date(2026, 10, 1), hours_per_se=30)
    today = date(2026, 11, 15)
    _entry(cast.alice, date(2026, 10, 5), 16, Status.APPROVED)  # spent
    _entry(cast.alice, date(2026, 12, 1), 8, Status.APPROVED, kind="lab")  # ahead
    _entry(cast.alice, date(2026, 12, 10), 12, Status.REQUESTED)  # waiting
    _entry(cast.alice, date(2026, 11, 2), 20, Status.DECLINED)  # not counted
    _entry(cast.alice, date(2026, 11, 3), 5, Status.CANCELLED)  # not counted
    _entry(cast.alice, date(2026, 9, 29), 40, Status.APPROVED)  # the quarter before
    _entry(sam, date(2026, 11, 20), 36, Status.APPROVED, kind="trade_show")  # over the plan
    _entry(cast.carol, date(2026, 11, 20), 10, Status.APPROVED)  # another team

    plan = quarter_plan(cast.north, today=today)
    assert (plan.start, plan.end, plan.hours_per_se) == (date(2026, 10, 1), date(2026, 12, 31), 30)
    alice, sam_row = plan.rows
    assert (alice.spent, alice.ahead, alice.waiting, alice.left) == (16, 8, 12, 6)
    assert (sam_row.approved, sam_row.left, sam_row.over) == (36, -6, True)
    assert plan.totals == {"planned": 60, "approved": 60, "waiting": 12}
    assert len(plan.entries) == 6  # this quarter's, of the team, whatever their status
    data = plan_json(plan)
    assert data["ses"][0] == {
        "user": "alice",
        "planned": 30,
        "spent": 16,
        "ahead": 8,
        "waiting": 12,
        "left": 6,
    }


def test_an_se_asks_and_the_manager_decides_on_the_page(cast: Cast) -> None:
    today = timezone.localdate()
    alice = _client("alice")
    values = {
        "kind": "training",
        "title": "Kubernetes administrator course",
        "starts_on": str(today + timedelta(days=2)),
        "ends_on": str(today + timedelta(days=1)),
        "hours": "16",
    }
    bad = alice.post("/team/time-out/new/", values)
    assert bad.status_code == 422
    assert "before the first" in bad.content.decode()
    assert "Kubernetes administrator course" in bad.content.decode()  # kept
    values["ends_on"] = str(today + timedelta(days=3))
    values["hours"] = "100"
    too_much = alice.post("/team/time-out/new/", values)
    assert too_much.status_code == 422 and "12 hours a day" in too_much.content.decode()
    values["hours"] = "16"
    assert alice.post("/team/time-out/new/", values).status_code == 302
    entry = TimeOutOfField.objects.get()
    assert (entry.user, entry.status) == (cast.alice, Status.REQUESTED)

    # Only her manager decides: not Alice, not Bob of her team.
    for who in ("alice", "bob"):
        answer = _client(who).post(
            "/team/time-out/decide/", {"entry": entry.pk, "action": "approve"}
        )
        assert answer.status_code == 403
    assert (
        _client("carol")
        .post("/team/time-out/decide/", {"entry": entry.pk, "action": "approve"})
        .status_code
        == 404
    )
    dave = _client("dave")
    page = dave.get(f"/team/time-out/?team={cast.north.pk}").content.decode()
    waiting = page[page.index('id="waiting"') : page.index('id="quarter-plan"')]
    assert "Kubernetes administrator course" in waiting
    done = dave.post(
        "/team/time-out/decide/", {"entry": entry.pk, "action": "approve", "note": "Go for it"}
    )
    assert done.status_code == 302
    entry.refresh_from_db()
    assert (entry.status, entry.decided_by, entry.decision_note) == (
        Status.APPROVED,
        cast.dave,
        "Go for it",
    )
    # The team week and the SE's own week show it.
    assert "Kubernetes administrator course" in dave.get("/?view=team").content.decode()
    assert "Kubernetes administrator course" in alice.get("/").content.decode()
    # The plan: the manager sets 24 h; it shows 16 h approved and 8 h left (if still this
    # quarter, which it is unless today is within three days of the quarter's end).
    assert (
        dave.post(f"/team/time-out/{cast.north.pk}/plan/", {"hours_per_se": "24"}).status_code
        == 302
    )
    assert OutOfFieldPlan.objects.get(team=cast.north).hours_per_se == 24
    assert (
        alice.post(f"/team/time-out/{cast.north.pk}/plan/", {"hours_per_se": "80"}).status_code
        == 403
    )
    if quarter_start(today + timedelta(days=2)) == quarter_start(today):
        row = quarter_plan(cast.north).rows[0]
        assert (row.ahead, row.left) == (16, 8)
    # Alice cancels; it is no longer counted.
    assert (
        alice.post("/team/time-out/decide/", {"entry": entry.pk, "action": "cancel"}).status_code
        == 302
    )
    assert TimeOutOfField.objects.get().status == Status.CANCELLED
