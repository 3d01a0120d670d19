"""The demo's SE team layer: skills for every SE, two years of requests, out-of-band work with
its departments and piled on a few people."""

from __future__ import annotations

from django.db.models import Count, F

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
