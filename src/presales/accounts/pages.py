"""Writing accounts and contacts in the browser, through the services the API uses."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from presales.accounts import services
from presales.accounts.forms import (
    ACCOUNT_ALIASES,
    CONTACT_ALIASES,
    AccountForm,
    ContactForm,
    account_initial,
    contact_initial,
)
from presales.accounts.models import Account, Contact
from presales.core import access
from presales.core.forms import save_posted
from presales.core.pages import current_user, visible_or_404


def account_new(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    form = AccountForm(request.POST or None, user=user, initial={"team": user.team_id})

    def save() -> HttpResponse:
        account = services.create_account(actor=user, fields=form.service_fields())
        messages.success(request, "Account created.")
        return redirect("account_detail", account_id=account.pk)

    done = save_posted(request, form, save, aliases=ACCOUNT_ALIASES)
    return done or _form(request, "accounts/account_form.html", form, account=None)


def account_edit(request: HttpRequest, account_id: int) -> HttpResponse:
    user = current_user(request)
    account: Account = visible_or_404(request, Account, account_id)
    access.require(access.can_change(user, account), "You may not change this account.")
    form = AccountForm(
        request.POST or None, user=user, account=account, initial=account_initial(account)
    )

    def save() -> HttpResponse:
        services.update_account(actor=user, account=account, changes=form.service_fields())
        messages.success(request, "Account saved.")
        return redirect("account_detail", account_id=account.pk)

    done = save_posted(request, form, save, aliases=ACCOUNT_ALIASES, stale=account)
    return done or _form(request, "accounts/account_form.html", form, account=account)


def contact_new(request: HttpRequest, account_id: int) -> HttpResponse:
    user = current_user(request)
    account: Account = visible_or_404(request, Account, account_id)
    access.require(access.can_change(user, account), "You may not change this account.")
    form = ContactForm(request.POST or None)

    def save() -> HttpResponse:
        services.create_contact(
            actor=user, fields={**form.service_fields(), "account_id": account.pk}
        )
        messages.success(request, "Contact added.")
        return redirect("account_detail", account_id=account.pk)

    done = save_posted(request, form, save, aliases=CONTACT_ALIASES)
    return done or _form(request, "accounts/contact_form.html", form, account=account, contact=None)


def contact_edit(request: HttpRequest, contact_id: int) -> HttpResponse:
    user = current_user(request)
    contact: Contact = visible_or_404(request, Contact, contact_id)
    account = contact.account
    access.require(access.can_change(user, account), "You may not change this contact.")
    form = ContactForm(request.POST or None, initial=contact_initial(contact))

    def save() -> HttpResponse:
        services.update_contact(actor=user, contact=contact, changes=form.service_fields())
        messages.success(request, "Contact saved.")
        return redirect("account_detail", account_id=account.pk)

    done = save_posted(request, form, save, aliases=CONTACT_ALIASES, stale=contact)
    return done or _form(
        request, "accounts/contact_form.html", form, account=account, contact=contact
    )


def _form(request: HttpRequest, template: str, form: Any, **context: Any) -> HttpResponse:
    """The form page: 422 when it comes back with errors."""
    return render(
        request, template, {"form": form, **context}, status=422 if form.is_bound else 200
    )
