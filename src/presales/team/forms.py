from __future__ import annotations

from typing import Any

from django import forms

from presales.deals.models import Opportunity
from presales.people.models import User
from presales.team.models import (
    CapacityPolicy,
    ProblemOwner,
    RequestKind,
    Skill,
    SkillEvidence,
    TimeOutOfField,
    Urgency,
)


class CapacityPolicyForm(forms.ModelForm):
    class Meta:
        model = CapacityPolicy
        fields = ["stretched_hours", "capacity_hours", "stretched_deals", "capacity_deals"]
        labels = {
            "stretched_hours": "Stretched from (h/week)",
            "capacity_hours": "At capacity from (h/week)",
            "stretched_deals": "Stretched from (open deals + requests)",
            "capacity_deals": "At capacity from (open deals + requests)",
        }


class OutOfBandForm(forms.Form):
    department = forms.CharField(max_length=80, help_text="Who asked: support, marketing, finance…")
    problem = forms.CharField(max_length=255, help_text="What they asked for, in a line")
    minutes = forms.IntegerField(min_value=1, max_value=24 * 60, label="Minutes taken")
    day = forms.DateField(label="Day", widget=forms.DateInput(attrs={"type": "date"}))
    se = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, label="SE (if not you)"
    )

    def __init__(self, *args: Any, people: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["se"].queryset = people  # type: ignore[attr-defined]


class HandOverForm(forms.ModelForm):
    class Meta:
        model = ProblemOwner
        fields = ["problem", "keywords", "czar", "goal", "handed_over_on"]
        labels = {"czar": "Czar or task force lead", "handed_over_on": "Handed over on"}
        widgets = {"handed_over_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, people: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["czar"].queryset = people  # type: ignore[attr-defined]


class SERequestForm(forms.Form):
    kind = forms.ChoiceField(choices=RequestKind.choices)
    summary = forms.CharField(max_length=200, help_text="What the customer needs, in a line")
    opportunity = forms.IntegerField(required=False, widget=forms.HiddenInput)
    account = forms.IntegerField(required=False, widget=forms.HiddenInput)
    deal = forms.ModelChoiceField(queryset=Opportunity.objects.none(), required=False, label="Deal")
    starts_on = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))
    urgency = forms.ChoiceField(choices=Urgency.choices, initial=Urgency.NORMAL)
    skills = forms.ModelMultipleChoiceField(
        queryset=Skill.objects.all(), required=False, help_text="Hold Ctrl or ⌘ to pick several"
    )
    customer_time_zone = forms.CharField(
        max_length=64, required=False, label="Customer time zone", help_text="e.g. Europe/Berlin"
    )
    details = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, deals: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["deal"].queryset = deals  # type: ignore[attr-defined]


class EvidenceForm(forms.ModelForm):
    class Meta:
        model = SkillEvidence
        fields = ["skill", "kind", "title", "earned_on", "expires_on"]
        widgets = {
            "earned_on": forms.DateInput(attrs={"type": "date"}),
            "expires_on": forms.DateInput(attrs={"type": "date"}),
        }


class TimeOutForm(forms.ModelForm):
    class Meta:
        model = TimeOutOfField
        fields = ["kind", "title", "starts_on", "ends_on", "hours", "reason"]
        labels = {"starts_on": "First day", "ends_on": "Last day", "hours": "Hours in all"}
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
            "reason": forms.Textarea(attrs={"rows": 2}),
        }


class PlanForm(forms.Form):
    hours_per_se = forms.IntegerField(
        min_value=0, max_value=500, label="Hours out of the field per SE this quarter"
    )
