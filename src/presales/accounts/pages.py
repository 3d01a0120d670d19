"""Writing accounts and contacts in the browser, through the services the API uses."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
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
from presales.core.forms import service_errors_to_form
from presales.core.pages import current_user, visible_or_404


def account_new(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    form = AccountForm(request.POST or None, user=user, initial={"team": user.team_id})
    if request.method == "POST" and form.is_valid():
        try:
            account = services.create_account(actor=user, fields=form.service_fields())
        except (ValidationError, access.PermissionDenied) as exc:
            service_errors_to_form(form, exc, ACCOUNT_ALIASES)
        else:
            messages.success(request, "Account created.")
            return redirect("account_detail", account_id=account.pk)
    return render(
        request,
        "accounts/account_form.html",
        {"form": form, "account": None},
        status=422 if form.is_bound else 200,
    )


def account_edit(request: HttpRequest, account_id: int) -> HttpResponse:
    user = current_user(request)
    account: Account = visible_or_404(request, Account, account_id)
    access.require(access.can_change(user, account), "You may not change this account.")
    form = AccountForm(
        request.POST or None, user=user, account=account, initial=account_initial(account)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_account(actor=user, account=account, changes=form.service_fields())
        except (ValidationError, access.PermissionDenied) as exc:
            account.refresh_from_db()
            service_errors_to_form(form, exc, ACCOUNT_ALIASES)
        else:
            messages.success(request, "Account saved.")
            return redirect("account_detail", account_id=account.pk)
    return render(
        request,
        "accounts/account_form.html",
        {"form": form, "account": account},
        status=422 if form.is_bound else 200,
    )


def contact_new(request: HttpRequest, account_id: int) -> HttpResponse:
    user = current_user(request)
    account: Account = visible_or_404(request, Account, account_id)
    access.require(access.can_change(user, account), "You may not change this account.")
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_contact(
                actor=user, fields={**form.service_fields(), "account_id": account.pk}
            )
        except (ValidationError, access.PermissionDenied) as exc:
            service_errors_to_form(form, exc, CONTACT_ALIASES)
        else:
            messages.success(request, "Contact added.")
            return redirect("account_detail", account_id=account.pk)
    return render(
        request,
        "accounts/contact_form.html",
        {"form": form, "account": account, "contact": None},
        status=422 if form.is_bound else 200,
    )


def contact_edit(request: HttpRequest, contact_id: int) -> HttpResponse:
    user = current_user(request)
    contact: Contact = visible_or_404(request, Contact, contact_id)
    account = contact.account
    access.require(access.can_change(user, account), "You may not change this contact.")
    form = ContactForm(request.POST or None, initial=contact_initial(contact))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_contact(actor=user, contact=contact, changes=form.service_fields())
        except (ValidationError, access.PermissionDenied) as exc:
            contact.refresh_from_db()
            service_errors_to_form(form, exc, CONTACT_ALIASES)
        else:
            messages.success(request, "Contact saved.")
            return redirect("account_detail", account_id=account.pk)
    return render(
        request,
        "accounts/contact_form.html",
        {"form": form, "account": account, "contact": contact},
        status=422 if form.is_bound else 200,
    )
