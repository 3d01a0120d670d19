"""How much of other teams' deal work each SE can reach through a shared account.

Counts, for every SE in the database under ``PRESALES_HOME`` (or ``PRESALES_DATABASE_URL``),
the objects tied to a deal the SE may not see that the access rules still let them see (and
so change): activities (and the deals they belong to), debriefs, meeting plans, notes and
commitments. Meetings the SE took part in are counted apart: participants see those by rule.
Prints the SE who reaches the most and the totals over all SEs, as JSON.

    presales demo --no-serve --scale 1          # with PRESALES_HOME set to a fresh folder
    python benchmarks/leak.py

Run it once with the code before a change and once after, on the same database.
"""

from __future__ import annotations

import json
import os
from typing import Any


def _foreign(se: Any, seen_deals: Any, model: type[Any], deal: str) -> int:
    """Rows of ``model`` the SE sees whose deal (reached through ``deal``) they do not."""
    from presales.core import access

    rows = access.visible(se, model).filter(**{f"{deal}__isnull": False})
    return int(rows.exclude(**{f"{deal}__in": seen_deals}).count())


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "presales.settings")
    import django

    django.setup()
    from presales.activities.models import Activity
    from presales.core import access
    from presales.deals.access import opportunities_for
    from presales.meetings.models import Commitment, Debrief, MeetingPlan
    from presales.notes.models import Note
    from presales.people.models import Role, User

    rows: list[dict[str, Any]] = []
    for se in User.objects.filter(role=Role.SE, is_active=True).order_by("pk"):
        seen_deals = opportunities_for(se).values("pk")
        attended = Activity.participants.through.objects.filter(user_id=se.pk)
        reached = (
            access.visible(se, Activity)
            .filter(opportunity__isnull=False)
            .exclude(opportunity__in=seen_deals)
        )
        outside = reached.exclude(pk__in=attended.values("activity_id"))

        rows.append(
            {
                "se": se.username,
                "activities": outside.count(),
                "deals": outside.values("opportunity_id").distinct().count(),
                "attended_activities": reached.count() - outside.count(),
                "debriefs": _foreign(se, seen_deals, Debrief, "activity__opportunity"),
                "plans": _foreign(se, seen_deals, MeetingPlan, "activity__opportunity"),
                "notes": _foreign(se, seen_deals, Note, "opportunity"),
                "commitments": _foreign(se, seen_deals, Commitment, "opportunity"),
            }
        )
    worst = max(rows, key=lambda r: r["activities"], default=None)
    keys = ("activities", "attended_activities", "debriefs", "plans", "notes", "commitments")
    totals = {k: sum(r[k] for r in rows) for k in keys}
    print(json.dumps({"ses": len(rows), "worst_se": worst, "all_ses": totals}, indent=2))


if __name__ == "__main__":
    main()
