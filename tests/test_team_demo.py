"""The demo's SE team layer: skills for every SE, two years of requests, out-of-band work with
its departments and piled on a few people."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Count, F
from django.utils import timezone

from presales.activities.models import Activity, Kind
from presales.people.models import Role, User
from presales.team.models import OutOfBandSource, SERequest, SkillLevel
from tests.test_demo import demo  # noqa: F401 (the shared demo fixture)


def test_demo_has_skills_requests_and_concentrated_out_of_band_work(demo: object) -> None:  # noqa: F811
    ses = User.objects.filter(role=Role.SE)
    assert not ses.annotate(n=Count("skill_levels")).filter(n=0).exists()
    assert SkillLevel.objects.filter(self_level__gt=F("manager_level")).exists()
    requests = SERequest.objects.all()
    days = requests.order_by("created_at").values_list("created_at", flat=True)
    assert (days.last() - days.first()).days > 365
    assert (
        requests.filter(status="fulfilled").exists()
        and requests.exclude(status="fulfilled").exists()
    )
    oob = Activity.objects.filter(kind=Kind.OUT_OF_BAND)
    assert OutOfBandSource.objects.count() == oob.count()
    per_se = sorted(
        oob.values("participants").annotate(n=Count("id")).values_list("n", flat=True),
        reverse=True,
    )
    # The three people everyone asks carry far more than the median SE.
    assert per_se[0] > 2 * per_se[len(per_se) // 2]


def test_demo_has_evidence_and_time_out_of_the_field_true_to_its_dates(demo: object) -> None:  # noqa: F811
    from presales.team.models import OutOfFieldPlan, SkillEvidence, TimeOutOfField
    from presales.team.outoffield import quarter_plan

    result: Any = demo
    now = result.now or timezone.now()
    today = timezone.localdate(now)
    evidence = SkillEvidence.objects.all()
    assert evidence.filter(kind="certification").exists() and evidence.filter(kind="training")
    assert not evidence.filter(earned_on__gt=today).exists()  # nothing earned in the future
    entries = TimeOutOfField.objects.all()
    assert {"approved", "declined", "requested"} <= set(entries.values_list("status", flat=True))
    assert not entries.filter(created_at__gt=now).exists()
    assert not entries.filter(decided_at__gt=now).exists()
    assert not entries.filter(decided_at__lt=F("created_at")).exists()
    # Past entries were decided; only the ones still ahead may be waiting.
    assert not entries.filter(status="requested", ends_on__lt=today - timedelta(days=3)).exists()
    teams = {p.team for p in OutOfFieldPlan.objects.select_related("team")}
    plans = [quarter_plan(team, today=today) for team in teams]
    assert all(p.planned_by_manager for p in plans)
    assert any(r.approved for p in plans for r in p.rows)
