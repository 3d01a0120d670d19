from __future__ import annotations

from typing import Any

from django import template

from presales.core import access
from presales.demos.models import DemoShown

register = template.Library()


@register.inclusion_tag("demos/_shown.html", takes_context=True)
def demos_shown(context: Any, activity: Any) -> dict[str, Any]:
    """The demos a meeting showed, with the link to record them (for who may change it)."""
    user = context["request"].user
    rows = (
        DemoShown.objects.filter(activity=activity)
        .exclude(status=DemoShown.Status.REJECTED)
        .select_related("demo")
        .order_by("demo__title")
    )
    return {
        "activity": activity,
        "shown": [row.demo for row in rows if row.status == DemoShown.Status.SHOWN],
        "to_confirm": [row.demo for row in rows if row.status == DemoShown.Status.TO_CONFIRM],
        "can_record": activity.status != "cancelled" and access.can_change(user, activity),
    }


@register.inclusion_tag("demos/_suggested.html", takes_context=True)
def demos_suggested(context: Any, activity: Any, text: str) -> dict[str, Any]:
    """After a quick log: the demos its note seems to describe, to confirm on the meeting's
    demos page (nothing is recorded until the user ticks them there)."""
    from django.core.exceptions import ValidationError

    from presales.demos.matching import suggest_demos

    user = context["request"].user
    text = " ".join((text or "").split())[:500]
    demos: list[Any] = []
    if activity is not None and len(text) >= 3 and access.can_change(user, activity):
        try:
            demos = suggest_demos(actor=user, text=text, limit=3).demos
        except ValidationError:
            demos = []
    return {"activity": activity, "demos": demos, "about": text}
