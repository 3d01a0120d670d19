"""Customer intelligence objects for the permission matrix: on each scope's account, a likely
duplicate pair of contacts, a merge of a contact (to undo), a contact flag and a correction."""

from __future__ import annotations

from typing import Any

from presales.intelligence.merging import merge
from presales.intelligence.models import ContactFlag, Correction, DedupeRun, DuplicatePair
from tests.conftest import make_contact


def intel_things(account: Any, contact: Any, admin: Any, tag: str) -> dict[str, Any]:
    twin = make_contact(account, f"Contact {tag}", first_name="Twin")
    run = DedupeRun.objects.create(kind="contact", threshold=0.9)
    pair = DuplicatePair.objects.create(
        run=run, kind="contact", left_id=contact.pk, right_id=twin.pk, probability=0.95
    )
    gone = make_contact(account, f"Copy {tag}")
    merged = merge("contact", contact.pk, [gone.pk], user=admin)
    flag = ContactFlag.objects.create(contact=contact, reason="left_company", source="matrix")
    correction = Correction.objects.create(
        account=account, field="sector", new_value="Retail", suggested_by=admin
    )
    return {"intel_pair": pair, "intel_merge": merged, "flag": flag, "correction": correction}
