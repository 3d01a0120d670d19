from __future__ import annotations

from typing import Any

from django import forms

from presales.accounts.models import Contact
from presales.deals.models import Opportunity
from presales.demos.models import Demo
from presales.lab.models import Environment
from presales.people.models import User

DAY = {"type": "date"}


class EvaluationForm(forms.Form):
    demo = forms.ModelChoiceField(
        queryset=Demo.objects.none(), help_text="The demo whose script the customer follows"
    )
    environment = forms.ModelChoiceField(
        queryset=Environment.objects.filter(active=True).select_related("lab"),
        required=False,
        help_text="The lab environment the customer gets",
    )
    deal = forms.ModelChoiceField(
        queryset=Opportunity.objects.none(),
        required=False,
        help_text="The deal it belongs to (a deal or a contact is needed)",
    )
    contact = forms.ModelChoiceField(
        queryset=Contact.objects.none(),
        required=False,
        help_text="The customer who works through it",
    )
    steps_total = forms.IntegerField(
        label="Steps in the script", min_value=1, max_value=500, initial=5
    )
    registered_on = forms.DateField(
        label="Registered on",
        required=False,
        widget=forms.DateInput(attrs=DAY),
        help_text="Empty: today",
    )
    notes = forms.CharField(
        required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, demos: Any, deals: Any, contacts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["demo"].queryset = demos  # type: ignore[attr-defined]
        self.fields["deal"].queryset = deals  # type: ignore[attr-defined]
        self.fields["contact"].queryset = contacts  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("deal") and not data.get("contact") and not self.errors:
            raise forms.ValidationError("Choose the deal or the customer contact it belongs to.")
        return data


class ProgressForm(forms.Form):
    steps_done = forms.IntegerField(label="Steps done", min_value=0, max_value=500)
    started_on = forms.DateField(required=False, widget=forms.DateInput(attrs=DAY))
    completed_on = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs=DAY),
        help_text="Only when every step is done",
    )
    notes = forms.CharField(
        label="Outcome notes",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class TrainingForm(forms.Form):
    name = forms.CharField(max_length=200)
    held_on = forms.DateField(label="Held on", widget=forms.DateInput(attrs=DAY))
    environment = forms.ModelChoiceField(
        queryset=Environment.objects.filter(active=True).select_related("lab"), required=False
    )
    description = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    attendees = forms.ModelMultipleChoiceField(
        queryset=User.objects.filter(is_active=True).order_by("last_name", "username"),
        required=False,
        help_text="New hires and others who take part (more can be added later)",
    )


class AttendeesForm(forms.Form):
    attendees = forms.ModelMultipleChoiceField(
        queryset=User.objects.filter(is_active=True).order_by("last_name", "username")
    )


class CompletionForm(forms.Form):
    completed_on = forms.DateField(
        required=False, widget=forms.DateInput(attrs=DAY), help_text="Empty: not completed"
    )
