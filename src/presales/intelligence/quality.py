"""Data quality: contact flags (suggested by rules, confirmed by a person), the account score
with its reasons, and corrections anyone suggests and the account's team accepts.

A confirmed flag that means the person cannot be reached (left, deceased, retired,
do-not-contact, bounced) sets the contact's status, which keeps them out of meeting plans,
stakeholder lists and exports that reach customers, with the reason shown."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from presales.accounts.access import accounts_for
from presales.accounts.models import Account, AccountDomain, Contact
from presales.activities.models import Activity
from presales.core import access
from presales.core.signals import bulk_change
from presales.intelligence import normalise as norm
from presales.intelligence.access import is_steward
from presales.intelligence.models import ContactFlag, Correction, DuplicatePair

NO_TOUCH_MONTHS = 12
# A confirmed flag sets the contact's status to this.
STATUS_FOR = {
    ContactFlag.Reason.LEFT: Contact.Status.LEFT_COMPANY,
    ContactFlag.Reason.RETIRED: Contact.Status.LEFT_COMPANY,
    ContactFlag.Reason.DECEASED: Contact.Status.DECEASED,
    ContactFlag.Reason.DO_NOT_CONTACT: Contact.Status.DO_NOT_CONTACT,
    ContactFlag.Reason.BOUNCED: Contact.Status.DO_NOT_CONTACT,
}
_IMPORTED = {
    Contact.Status.LEFT_COMPANY: ContactFlag.Reason.LEFT,
    Contact.Status.DECEASED: ContactFlag.Reason.DECEASED,
    Contact.Status.DO_NOT_CONTACT: ContactFlag.Reason.DO_NOT_CONTACT,
}
_TITLE_WORDS = {"retired": ContactFlag.Reason.RETIRED, "former": ContactFlag.Reason.LEFT}


def suggest_flags(*, today: date | None = None, months: int = NO_TOUCH_MONTHS) -> int:
    """Run the rules over every contact; returns the number of new suggestions. A flag already
    there (suggested, confirmed or dismissed) is not suggested again."""
    today = today or timezone.localdate()
    known = set(ContactFlag.objects.values_list("contact_id", "reason"))
    domains: dict[int, set[str]] = {}
    for account_id, domain in AccountDomain.objects.values_list("account_id", "domain"):
        domains.setdefault(account_id, set()).add(domain)
    touched = dict(
        Activity.objects.filter(contacts__isnull=False)
        .values("contacts")
        .annotate(last=Max("starts_at"))
        .values_list("contacts", "last")
    )
    quiet_since = today - timedelta(days=30 * months)
    new: list[ContactFlag] = []

    def add(contact: Contact, reason: str, source: str, detail: str) -> None:
        if (contact.pk, reason) not in known:
            known.add((contact.pk, reason))
            new.append(
                ContactFlag(contact=contact, reason=reason, source=source, detail=detail[:255])
            )

    for contact in Contact.objects.all().iterator(chunk_size=2000):
        imported = _IMPORTED.get(contact.status)  # type: ignore[call-overload]
        if imported:
            add(contact, imported, f"import: {contact.source}", "Marked so in the source system")
        mail_domain = norm.company_domain(contact.email)
        own = domains.get(contact.account_id, set())
        if (
            mail_domain
            and own
            and not any(mail_domain == d or mail_domain.endswith("." + d) for d in own)
        ):
            add(
                contact,
                ContactFlag.Reason.LEFT,
                "rule: e-mail domain",
                f"E-mail at {mail_domain}, not the account's {', '.join(sorted(own))}",
            )
        lowered = contact.title.lower()
        for word, reason in _TITLE_WORDS.items():
            if word in lowered:
                add(contact, reason, "rule: title", f"Title reads “{contact.title}”")
        last = touched.get(contact.pk) or contact.created_at
        if contact.status == Contact.Status.ACTIVE and last.date() < quiet_since:
            add(
                contact,
                ContactFlag.Reason.NO_TOUCH,
                "rule: no touch",
                f"No meeting since {last:%Y-%m-%d} ({months} months or more)",
            )
    ContactFlag.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def may_decide(user: Any, account: Account) -> bool:
    """The account's own team (not a team that only shares it through a deal) or a steward."""
    if is_steward(user):
        return True
    person = access.signed_in(user)
    if person is None or account.team_id is None:
        return False
    return account.team_id in access.team_ids(person) and access.can_change(person, account)


@transaction.atomic
def decide_flag(flag: ContactFlag, *, user: Any, confirm: bool) -> ContactFlag:
    access.require(
        may_decide(user, flag.contact.account), "Only the account's team or a data steward decides."
    )
    flag.status = ContactFlag.Status.CONFIRMED if confirm else ContactFlag.Status.DISMISSED
    flag.decided_by = user
    flag.decided_at = timezone.now()
    flag.save(update_fields=["status", "decided_by", "decided_at"])
    status = STATUS_FOR.get(flag.reason)  # type: ignore[call-overload]
    if confirm and status and flag.contact.status == Contact.Status.ACTIVE:
        Contact.objects.filter(pk=flag.contact_id).update(status=status)
    return flag


def add_flag(contact: Contact, *, reason: str, user: Any, detail: str = "") -> ContactFlag:
    """A person's own report, confirmed at once when they may decide for the account."""
    if reason not in ContactFlag.Reason.values:
        raise ValueError(f"Unknown reason {reason!r}.")
    access.require(access.can_see(user, contact), "You do not see this contact.")
    flag, _ = ContactFlag.objects.get_or_create(
        contact=contact,
        reason=reason,
        defaults={"source": f"person: {user.get_username()}", "detail": detail, "created_by": user},
    )
    if may_decide(user, contact.account) and flag.status != ContactFlag.Status.CONFIRMED:
        decide_flag(flag, user=user, confirm=True)
    return flag


def why_unreachable(contacts: list[Contact]) -> dict[int, str]:
    """For contacts left out of plans and exports: the reason, with source and date."""
    flags = ContactFlag.objects.filter(
        contact__in=contacts, status=ContactFlag.Status.CONFIRMED, reason__in=ContactFlag.BLOCKING
    )
    out = {
        f.contact_id: f"{f.get_reason_display()} ({f.source}, {f.noted_on:%Y-%m-%d})" for f in flags
    }
    for c in contacts:
        if not c.reachable and c.pk not in out:
            out[c.pk] = c.get_status_display()
    return out


@dataclass
class Score:
    account: Account
    score: int
    reasons: list[str] = field(default_factory=list)


def account_scores(user: Any) -> list[Score]:
    """Every account the user sees with its data-quality score (100 is clean) and the
    reasons it loses points, worst first."""
    rows: QuerySet[Account] = accounts_for(user).annotate(
        n_contacts=Count("contacts", distinct=True),
        n_domains=Count("domains", distinct=True),
        n_unreachable=Count("contacts", filter=~Q(contacts__status="active"), distinct=True),
        n_no_email=Count("contacts", filter=Q(contacts__email=""), distinct=True),
        n_suggested=Count(
            "contacts__flags", filter=Q(contacts__flags__status="suggested"), distinct=True
        ),
    )
    pairs: dict[int, int] = {}
    for left, right in DuplicatePair.objects.filter(kind="account", status="open").values_list(
        "left_id", "right_id"
    ):
        pairs[left] = pairs.get(left, 0) + 1
        pairs[right] = pairs.get(right, 0) + 1
    out = []
    for a in rows:
        reasons: list[tuple[int, str]] = []
        if pairs.get(a.pk):
            reasons.append((20, f"{pairs[a.pk]} likely duplicate(s) waiting for review"))
        if not a.n_domains:  # type: ignore[attr-defined]
            reasons.append((10, "No web or e-mail domain"))
        if not a.sector:
            reasons.append((10, "No sector"))
        if not a.size:
            reasons.append((5, "No size band"))
        if not a.country:
            reasons.append((5, "No country"))
        if not a.n_contacts:  # type: ignore[attr-defined]
            reasons.append((15, "No contacts"))
        if a.n_suggested:  # type: ignore[attr-defined]
            n = a.n_suggested  # type: ignore[attr-defined]
            reasons.append((min(25, 5 * n), f"{n} contact flag(s) waiting for a decision"))
        if a.n_unreachable:  # type: ignore[attr-defined]
            n = a.n_unreachable  # type: ignore[attr-defined]
            reasons.append((min(15, 3 * n), f"{n} contact(s) who can no longer be reached"))
        if a.n_no_email:  # type: ignore[attr-defined]
            n = a.n_no_email  # type: ignore[attr-defined]
            reasons.append((min(15, 3 * n), f"{n} contact(s) without an e-mail address"))
        score = max(0, 100 - sum(p for p, _ in reasons))
        out.append(Score(a, score, [f"−{p} {text}" for p, text in reasons]))
    out.sort(key=lambda s: (s.score, s.account.name))
    return out


CORRECTABLE = {
    "account": ["name", "sector", "country", "employees"],
    "contact": ["first_name", "last_name", "email", "phone", "title"],
}


def suggest_correction(
    *,
    user: Any,
    account: Account,
    contact: Contact | None,
    field_name: str,
    value: str,
    note: str = "",
) -> Correction:
    target: Any = contact or account
    allowed = CORRECTABLE["contact" if contact else "account"]
    if field_name not in allowed:
        raise ValueError(f"Choose one of: {', '.join(allowed)}.")
    access.require(access.can_see(user, account), "You do not see this account.")
    value = value.strip()
    if field_name == "employees" and value and not value.isdigit():
        raise ValueError("Employees is a whole number.")
    if field_name == "email" and value and "@" not in value:
        raise ValueError("An e-mail address has an @.")
    return Correction.objects.create(
        account=account,
        contact=contact,
        field=field_name,
        old_value=str(getattr(target, field_name) or ""),
        new_value=value,
        note=note[:255],
        suggested_by=user,
    )


@transaction.atomic
def decide_correction(correction: Correction, *, user: Any, accept: bool) -> Correction:
    access.require(
        may_decide(user, correction.account), "Only the account's team or a data steward decides."
    )
    if correction.status != Correction.Status.OPEN:
        raise ValueError("This correction was already decided.")
    if accept:
        target: Any = correction.contact or correction.account
        value: Any = correction.new_value
        if correction.field == "employees":
            value = int(value) if value else None
        with bulk_change(type(target), [target.pk]):  # figures kept from it follow
            type(target).objects.filter(pk=target.pk).update(**{correction.field: value})
    correction.status = Correction.Status.ACCEPTED if accept else Correction.Status.REJECTED
    correction.decided_by = user
    correction.decided_at = timezone.now()
    correction.save(update_fields=["status", "decided_by", "decided_at"])
    return correction
