from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get(mapping: Any, key: str) -> Any:
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def slug(state: str) -> str:
    return state.replace(" ", "-")


@register.filter
def hours(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} h"


@register.filter
def share(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


@register.simple_tag
def capacity_heat_rows(report: Any) -> str:
    from presales.team.capacity_html import heat_rows

    return heat_rows(report)


@register.simple_tag
def capacity_table_rows(report: Any) -> str:
    from presales.team.capacity_html import capacity_rows

    return capacity_rows(report)


@register.inclusion_tag("team/_deal_requests.html")
def deal_requests(deal: Any, user: Any) -> dict[str, Any]:
    """The requests for SE help on a deal, as the user sees them, and the link to ask."""
    from presales.team.access import se_requests_for

    rows = se_requests_for(user).filter(opportunity=deal).select_related("assignee", "team")
    return {"deal": deal, "rows": list(rows.order_by("-created_at")[:10])}


@register.inclusion_tag("team/_week_requests.html")
def week_requests(user: Any) -> dict[str, Any]:
    """The user's requests for SE help this week; a manager also sees those waiting."""
    from presales.team.requesting import requests_for_week

    return {"rows": requests_for_week(user=user), "user": user}


@register.inclusion_tag("team/_week_time_out.html")
def week_time_out(user: Any, people: Any = None) -> dict[str, Any]:
    """Time out of the field around this week: the user's own, or that of ``people`` (the team
    week passes the people it shows)."""
    from presales.team.outoffield import week_entries

    who = [getattr(p, "person", p).pk for p in people] if people is not None else [user.pk]
    return {"rows": list(week_entries(who)[:30]), "user": user}


@register.inclusion_tag("team/_week_remote.html")
def week_remote(user: Any, people: Any) -> dict[str, Any]:
    """Where the team week's people are (time zone, travel) and whose one-to-one is overdue."""
    from presales.team.remote import remote_week

    return {"rows": remote_week(user, [getattr(p, "person", p) for p in people])}
