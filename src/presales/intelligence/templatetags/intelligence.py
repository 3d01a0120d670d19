"""What the customer owns and who is left out, for the account page and the meeting planner:
``{% load intelligence %}{% customer_owns account %}`` and ``{% left_out activity %}``."""

from __future__ import annotations

from typing import Any

from django import template

from presales.intelligence import installbase, quality

register = template.Library()


@register.inclusion_tag("intelligence/_owns.html")
def customer_owns(account: Any) -> dict[str, Any]:
    if account is None:
        return {"account": None, "owned": [], "suggestions": []}
    owned, suggestions = installbase.upsell(account)
    ranked = [s for s in suggestions if not s.too_few][:3]
    return {"account": account, "owned": owned, "suggestions": ranked}


@register.inclusion_tag("intelligence/_left_out.html")
def left_out(activity: Any) -> dict[str, Any]:
    """The meeting's contacts, and the deal's stakeholders, who can no longer be reached."""
    contacts = list(activity.contacts.all())
    if activity.opportunity_id:
        from presales.accounts.models import Contact

        contacts += list(
            Contact.objects.filter(stakeholder_roles__opportunity_id=activity.opportunity_id)
        )
    unique = {c.pk: c for c in contacts}
    reasons = quality.why_unreachable(list(unique.values()))
    return {"rows": [(unique[pk], why) for pk, why in reasons.items()]}
