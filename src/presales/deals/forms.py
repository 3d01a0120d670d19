"""Deal forms: they parse; deals.services validates (the same rules as the API) and saves."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Q

from presales.accounts.access import accounts_for
from presales.accounts.models import Account
from presales.core import access
from presales.core.forms import DateInput
from presales.deals.models import Flavor, Opportunity
from presales.people.models import Role, User
from presales.products.models import Competitor, Product

ALIASES = {
    "account_id": "account",
    "owner_id": "owner",
    "sales_engineer_ids": "sales_engineers",
    "product_ids": "products",
    "competitor_ids": "competitors",
}


class OpportunityForm(forms.Form):
    name = forms.CharField(max_length=200, label="Deal name")
    account = forms.ModelChoiceField(
        queryset=Account.objects.none(),
        required=False,
        empty_label="— no account yet —",
        help_text="An early deal may have no account yet.",
    )
    owner = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        label="Owner (rep)",
        empty_label="— nobody yet —",
        help_text="The owner moves the stage; others propose a change.",
    )
    sales_engineers = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    flavor = forms.ChoiceField(choices=Flavor.choices, initial=Flavor.UNKNOWN)
    amount = forms.DecimalField(
        required=False,
        min_value=Decimal("0"),
        max_digits=14,
        decimal_places=2,
        label="Amount (USD)",
    )
    engage_date = forms.DateField(required=False, label="Engaged on", widget=DateInput())
    close_date = forms.DateField(required=False, label="Expected close", widget=DateInput())
    products = forms.ModelMultipleChoiceField(
        queryset=Product.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    competitors = forms.ModelMultipleChoiceField(
        queryset=Competitor.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, user: User, deal: Opportunity | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        keep_account = Q(pk=deal.account_id) if deal and deal.account_id else Q(pk__in=[])
        self.fields["account"].queryset = Account.objects.filter(  # type: ignore[attr-defined]
            Q(pk__in=accounts_for(user).values("pk")) | keep_account
        ).order_by("name")
        people = User.objects.filter(is_active=True)
        if not access.sees_everything(user):
            people = people.filter(Q(team_id__in=access.team_ids(user)) | Q(pk=user.pk))
        current = [deal.owner_id] if deal and deal.owner_id else []
        se_now = list(deal.sales_engineers.values_list("pk", flat=True)) if deal else []
        self.fields["owner"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            Q(pk__in=people.filter(role__in=[Role.REP, Role.SALES_MANAGER]).values("pk"))
            | Q(pk__in=current)
        ).order_by("first_name", "last_name")
        self.fields["sales_engineers"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            Q(pk__in=people.filter(role__in=[Role.SE, Role.SE_MANAGER]).values("pk"))
            | Q(pk__in=se_now)
        ).order_by("first_name", "last_name")

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"].strip(),
            "account_id": data["account"].pk if data["account"] else None,
            "owner_id": data["owner"].pk if data["owner"] else None,
            "sales_engineer_ids": [u.pk for u in data["sales_engineers"]],
            "flavor": data["flavor"],
            "amount": data["amount"],
            "engage_date": data["engage_date"],
            "close_date": data["close_date"],
            "product_ids": [p.pk for p in data["products"]],
            "competitor_ids": [c.pk for c in data["competitors"]],
        }


def initial_for(deal: Opportunity) -> dict[str, Any]:
    return {
        "name": deal.name,
        "account": deal.account_id,
        "owner": deal.owner_id,
        "sales_engineers": list(deal.sales_engineers.values_list("pk", flat=True)),
        "flavor": deal.flavor,
        "amount": deal.amount,
        "engage_date": deal.engage_date,
        "close_date": deal.close_date,
        "products": list(deal.products.values_list("pk", flat=True)),
        "competitors": list(deal.competitors.values_list("pk", flat=True)),
    }
