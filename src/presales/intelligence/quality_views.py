"""Pages: data quality (scores worst first, flags to decide, corrections), and one account's
intelligence (quality reasons, contacts and their flags, install base, up-sell)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from presales.accounts.models import Account, Contact
from presales.core.pages import current_user, page_of, visible_or_404
from presales.intelligence import installbase, quality
from presales.intelligence.access import is_steward
from presales.intelligence.models import ContactFlag, Correction


class _Rows(list[quality.Score]):
    """A list that paginates like a queryset."""

    def count(self) -> int:  # type: ignore[override]
        return len(self)


def quality_page(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    scores = _Rows(quality_scores(user))
    flags = ContactFlag.objects.filter(
        status=ContactFlag.Status.SUGGESTED,
        contact__in=_contacts(user),
    ).select_related("contact", "contact__account")[:50]
    corrections = Correction.objects.filter(
        status=Correction.Status.OPEN, account__in=_accounts(user)
    ).select_related("account", "contact", "suggested_by")[:50]
    return render(
        request,
        "intelligence/quality.html",
        {
            "page": page_of(request, scores),  # type: ignore[arg-type]
            "flags": flags,
            "corrections": corrections,
            "steward": is_steward(user),
        },
    )


def quality_scores(user: object) -> list[quality.Score]:
    return quality.account_scores(user)


def _accounts(user: object) -> object:
    from presales.accounts.access import accounts_for

    return accounts_for(user).values("pk")  # type: ignore[arg-type]


def _contacts(user: object) -> object:
    from presales.accounts.access import contacts_for

    return contacts_for(user).values("pk")  # type: ignore[arg-type]


@require_POST
def run_rules(request: HttpRequest) -> HttpResponse:
    current_user(request)
    found = quality.suggest_flags()
    messages.success(request, f"{found} likely flag(s) found; confirm or dismiss each below.")
    return redirect("intel_quality")


@require_POST
def flag_new(request: HttpRequest, contact_id: int) -> HttpResponse:
    user = current_user(request)
    contact: Contact = visible_or_404(request, Contact, contact_id)
    reason = request.POST.get("reason", "")
    try:
        quality.add_flag(contact, reason=reason, user=user, detail=request.POST.get("detail", ""))
    except ValueError:
        messages.error(request, "Choose a reason from the list.")
    else:
        messages.success(request, f"{contact.full_name} flagged.")
    return redirect("intel_account", account_id=contact.account_id)


@require_POST
def flag_action(request: HttpRequest, flag_id: int, action: str) -> HttpResponse:
    user = current_user(request)
    flag = ContactFlag.objects.filter(pk=flag_id, contact__in=_contacts(user)).first()
    if flag is None or action not in {"confirm", "dismiss"}:
        raise Http404("No such flag.")
    quality.decide_flag(flag, user=user, confirm=action == "confirm")
    messages.success(request, f"Flag {'confirmed' if action == 'confirm' else 'dismissed'}.")
    return redirect(request.POST.get("next") or "intel_quality")


def account(request: HttpRequest, account_id: int) -> HttpResponse:
    user = current_user(request)
    obj: Account = visible_or_404(request, Account, account_id)
    contacts = list(obj.contacts.all())
    score = next((s for s in quality.account_scores(user) if s.account.pk == obj.pk), None)
    owned, suggestions = installbase.upsell(obj)
    return render(
        request,
        "intelligence/account.html",
        {
            "account": obj,
            "score": score,
            "contacts": contacts,
            "unreachable": quality.why_unreachable(contacts),
            "flags": ContactFlag.objects.filter(contact__account=obj).select_related("contact"),
            "reasons": ContactFlag.Reason.choices,
            "corrections": obj.corrections.select_related("contact", "suggested_by")[:20],
            "fields": quality.CORRECTABLE,
            "owned": owned,
            "suggestions": suggestions,
            "may_decide": quality.may_decide(user, obj),
        },
    )


@require_POST
def correction_new(request: HttpRequest, account_id: int) -> HttpResponse:
    user = current_user(request)
    obj: Account = visible_or_404(request, Account, account_id)
    contact = None
    raw = request.POST.get("contact", "")
    if raw.isdigit():
        contact = obj.contacts.filter(pk=int(raw)).first()
    try:
        quality.suggest_correction(
            user=user,
            account=obj,
            contact=contact,
            field_name=request.POST.get("field", ""),
            value=request.POST.get("value", ""),
            note=request.POST.get("note", ""),
        )
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Correction suggested; the account's team decides.")
    return redirect("intel_account", account_id=obj.pk)


@require_POST
def correction_action(request: HttpRequest, correction_id: int, action: str) -> HttpResponse:
    user = current_user(request)
    correction = Correction.objects.filter(pk=correction_id, account__in=_accounts(user)).first()
    if correction is None or action not in {"accept", "reject"}:
        raise Http404("No such correction.")
    try:
        quality.decide_correction(correction, user=user, accept=action == "accept")
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Correction {action}ed.")
    return redirect("intel_account", account_id=correction.account_id)
