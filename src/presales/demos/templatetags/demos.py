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
        DemoShown.objects.filter(activity=activity).select_related("demo").order_by("demo__title")
    )
    return {
        "activity": activity,
        "shown": [row.demo for row in rows],
        "can_record": activity.status != "cancelled" and access.can_change(user, activity),
    }
