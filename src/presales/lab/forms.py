from __future__ import annotations

from typing import Any

from django import forms

from presales.deals.models import Opportunity
from presales.demos.models import Demo
from presales.lab.models import Environment, Lab, Reservation

LOCAL = {"type": "datetime-local"}


class ReservationForm(forms.Form):
    environment = forms.ModelChoiceField(queryset=Environment.objects.filter(active=True))
    purpose = forms.ChoiceField(choices=Reservation.Purpose.choices)
    deal = forms.ModelChoiceField(
        queryset=Opportunity.objects.none(), required=False, help_text="For a deal or a POC"
    )
    demo = forms.ModelChoiceField(
        queryset=Demo.objects.none(), required=False, help_text="For a demo"
    )
    training = forms.CharField(max_length=200, required=False, help_text="For a training")
    starts_at = forms.DateTimeField(label="From", widget=forms.DateTimeInput(attrs=LOCAL))
    ends_at = forms.DateTimeField(label="Until", widget=forms.DateTimeInput(attrs=LOCAL))

    def __init__(self, *args: Any, deals: Any, demos: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["deal"].queryset = deals  # type: ignore[attr-defined]
        self.fields["demo"].queryset = demos  # type: ignore[attr-defined]


class LabForm(forms.ModelForm):
    class Meta:
        model = Lab
        fields = ["name", "kind", "region", "description"]


class EnvironmentForm(forms.ModelForm):
    access_link = forms.URLField(
        required=False, assume_scheme="https", help_text="The remote-access link"
    )

    class Meta:
        model = Environment
        fields = ["lab", "name", "runs", "capacity", "access_link", "idle_hours"]
        widgets = {"runs": forms.Textarea(attrs={"rows": 2})}
