"""Account and contact forms: they parse; accounts.services validates and saves, exactly as
for the API. Imported records keep their source and id, so a later import still upserts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from presales.accounts.access import accounts_for
from presales.accounts.models import Account, Contact
from presales.core import access
from presales.people.models import Region, Team, User

ACCOUNT_ALIASES = {"region_id": "region", "team_id": "team", "parent_id": "parent"}
CONTACT_ALIASES = {"account_id": "account"}


class AccountForm(forms.Form):
    name = forms.CharField(max_length=200)
    sector = forms.CharField(max_length=80, required=False)
    employees = forms.IntegerField(required=False, min_value=0)
    annual_revenue = forms.DecimalField(
        required=False,
        min_value=Decimal("0"),
        max_digits=14,
        decimal_places=2,
        label="Annual revenue (USD millions)",
    )
    country = forms.CharField(max_length=80, required=False)
    region = forms.ModelChoiceField(queryset=Region.objects.all(), required=False)
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(),
        required=False,
        help_text="The team that works the account (yours unless you choose).",
    )
    parent = forms.ModelChoiceField(
        queryset=Account.objects.none(), required=False, label="Parent account"
    )

    def __init__(self, *args: Any, user: User, account: Account | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = access.teams_for(user).order_by("name")  # type: ignore[attr-defined]
        parents = accounts_for(user).order_by("name")
        if account is not None:
            parents = parents.exclude(pk=account.pk)
        self.fields["parent"].queryset = parents  # type: ignore[attr-defined]

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"].strip(),
            "sector": data["sector"].strip(),
            "employees": data["employees"],
            "annual_revenue": data["annual_revenue"],
            "country": data["country"].strip(),
            "region_id": data["region"].pk if data["region"] else None,
            "team_id": data["team"].pk if data["team"] else None,
            "parent_id": data["parent"].pk if data["parent"] else None,
        }


def account_initial(account: Account) -> dict[str, Any]:
    return {
        "name": account.name,
        "sector": account.sector,
        "employees": account.employees,
        "annual_revenue": account.annual_revenue,
        "country": account.country,
        "region": account.region_id,
        "team": account.team_id,
        "parent": account.parent_id,
    }


class ContactForm(forms.Form):
    first_name = forms.CharField(max_length=80, required=False)
    last_name = forms.CharField(max_length=80)
    title = forms.CharField(max_length=120, required=False)
    email = forms.EmailField(max_length=254, required=False)
    phone = forms.CharField(max_length=40, required=False)
    deal_role = forms.ChoiceField(
        choices=[("", "— not known —"), *Contact.DealRole.choices],
        required=False,
        label="Role in deals",
    )
    needs = forms.CharField(
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What this person needs from the deal.",
    )
    status = forms.ChoiceField(choices=Contact.Status.choices, initial=Contact.Status.ACTIVE)

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}


def contact_initial(contact: Contact) -> dict[str, Any]:
    return {name: getattr(contact, name) for name in ContactForm.base_fields}
