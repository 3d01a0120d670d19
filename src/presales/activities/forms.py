"""The meeting form: kind, subject, when (in the user's time zone), account, deal, attendees
and where. It parses; activities.services validates and saves, for the page and the API alike."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone

from presales.accounts.access import accounts_for, contacts_for
from presales.accounts.models import Account, Contact
from presales.activities.models import Activity, Kind
from presales.core import access
from presales.core.forms import DATETIME_LOCAL, DateTimeLocalInput
from presales.deals.access import opportunities_for
from presales.deals.models import CLOSED_STAGES, Opportunity
from presales.people.models import User

ALIASES = {
    "account_id": "account",
    "opportunity_id": "opportunity",
    "participant_ids": "participants",
    "contact_ids": "contacts",
}


def _pk(raw: Any) -> int | None:
    raw = getattr(raw, "pk", raw)
    return int(raw) if str(raw or "").isdigit() else None


def colleagues_for(user: User) -> QuerySet[User]:
    """Our people a user may invite: the teams they see, and themselves."""
    people = User.objects.filter(is_active=True)
    if access.sees_everything(user):
        return people
    return people.filter(Q(team_id__in=access.team_ids(user)) | Q(pk=user.pk))


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(choices=Kind.choices, initial=Kind.MEETING)
    subject = forms.CharField(
        max_length=255, widget=forms.TextInput(attrs={"placeholder": "Security deep dive"})
    )
    starts_at = forms.DateTimeField(
        label="Starts",
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M"],
        widget=DateTimeLocalInput(),
    )
    ends_at = forms.DateTimeField(
        label="Ends", input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M"], widget=DateTimeLocalInput()
    )
    account = forms.ModelChoiceField(
        queryset=Account.objects.none(), required=False, empty_label="— no account —"
    )
    opportunity = forms.ModelChoiceField(
        queryset=Opportunity.objects.none(),
        required=False,
        label="Deal",
        empty_label="— no deal —",
        help_text="Open deals of the account (or yours, without an account).",
    )
    participants = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        required=False,
        label="Our people",
        widget=forms.CheckboxSelectMultiple,
    )
    contacts = forms.ModelMultipleChoiceField(
        queryset=Contact.objects.none(),
        required=False,
        label="The customer's people",
        widget=forms.CheckboxSelectMultiple,
    )
    location = forms.CharField(
        max_length=500,
        required=False,
        label="Location or link",
        widget=forms.TextInput(attrs={"placeholder": "Room, address or https://… call link"}),
    )
    description = forms.CharField(
        required=False,
        max_length=20000,
        label="Description",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self,
        *args: Any,
        user: User,
        activity: Activity | None = None,
        refresh_url: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.user, self.activity = user, activity
        tz = timezone.get_current_timezone_name()
        self.fields["starts_at"].help_text = f"Your time zone: {tz}."
        account_id = _pk(self.data.get("account") if self.is_bound else self.initial.get("account"))
        deal_id = _pk(
            self.data.get("opportunity") if self.is_bound else self.initial.get("opportunity")
        )
        self.fields["account"].queryset = accounts_for(user).order_by("name")  # type: ignore[attr-defined]
        deals = opportunities_for(user).exclude(stage__in=CLOSED_STAGES)
        if account_id:
            deals = deals.filter(account_id=account_id)
        else:
            deals = deals.filter(Q(owner=user) | Q(sales_engineers=user))
        keep = Q(pk=deal_id) if deal_id else Q(pk__in=[])
        self.fields["opportunity"].queryset = (  # type: ignore[attr-defined]
            opportunities_for(user).filter(Q(pk__in=deals.values("pk")) | keep).order_by("name")
        )
        invited = activity.participants.values("pk") if activity else User.objects.none()
        self.fields["participants"].queryset = (  # type: ignore[attr-defined]
            User.objects.filter(
                Q(pk__in=colleagues_for(user).values("pk")) | Q(pk__in=invited)
            ).order_by("first_name", "last_name", "username")
        )
        contacts = contacts_for(user).filter(account_id=account_id or 0)
        self.fields["contacts"].queryset = contacts.order_by("last_name", "first_name")  # type: ignore[attr-defined]
        self.fields["contacts"].empty_text = (  # type: ignore[attr-defined]
            "This account has no contacts yet."
            if account_id
            else "Choose the account: its contacts appear here."
        )
        for name in ("account", "opportunity"):
            self.fields[name].widget.attrs.update(
                {
                    "hx-get": refresh_url,
                    "hx-trigger": "change",
                    "hx-target": "#meeting-relations",
                    "hx-select": "#meeting-relations",
                    "hx-swap": "outerHTML",
                    "hx-include": "[name=account],[name=opportunity],[name=contacts]",
                    "hx-vals": '{"refresh": "1"}',
                }
            )

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "subject": data["subject"].strip(),
            "description": data["description"].strip(),
            "location": data["location"].strip(),
            "starts_at": data["starts_at"],
            "ends_at": data["ends_at"],
            "account_id": data["account"].pk if data["account"] else None,
            "opportunity_id": data["opportunity"].pk if data["opportunity"] else None,
            "participant_ids": [u.pk for u in data["participants"]],
            "contact_ids": [c.pk for c in data["contacts"]],
        }


def initial_for(activity: Activity) -> dict[str, Any]:
    return {
        "kind": activity.kind,
        "subject": activity.subject,
        "starts_at": activity.starts_at,
        "ends_at": activity.ends_at,
        "account": activity.account_id,
        "opportunity": activity.opportunity_id,
        "participants": [u.pk for u in activity.participants.all()],
        "contacts": [c.pk for c in activity.contacts.all()],
        "location": activity.location,
        "description": activity.description,
    }
