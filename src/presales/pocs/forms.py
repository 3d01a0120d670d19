"""The forms of the POC settings: an item of the prerequisite checklist, and a team's limit of
POCs running at a time per SE."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from presales.people.models import Team
from presales.pocs.models import DEFAULT_RUNNING_PER_SE, Prerequisite

MAX_RUNNING_PER_SE = 20


class PrerequisiteForm(forms.ModelForm):
    class Meta:
        model = Prerequisite
        fields = ["name", "help_text", "position", "active"]
        labels = {
            "help_text": "Explanation",
            "position": "Order",
            "active": "On new POCs",
        }
        help_texts = {
            "name": "What must be true before a POC starts, e.g. “NDA signed”.",
            "help_text": "Shown beside the item on each POC's checklist.",
            "position": "Lower numbers come first.",
            "active": "Turn off to stop adding it to new POCs; POCs that have it keep it.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["position"].required = False

    def clean_name(self) -> str:
        name = " ".join((self.cleaned_data.get("name") or "").split())
        if not name:
            raise ValidationError("Give the item a name.")
        clash = Prerequisite.objects.filter(name__iexact=name).exclude(pk=self.instance.pk).first()
        if clash is not None:
            raise ValidationError(f"“{clash.name}” is already on the checklist.")
        return name

    def clean_position(self) -> int:
        position = self.cleaned_data.get("position")
        return 0 if position is None else position


class LimitForm(forms.Form):
    team: forms.ModelChoiceField[Team] = forms.ModelChoiceField(
        queryset=Team.objects.none(), help_text="A team you manage"
    )
    running_per_se = forms.IntegerField(
        label="POCs running at a time per SE",
        min_value=1,
        max_value=MAX_RUNNING_PER_SE,
        help_text=(
            f"Starting one more is refused; teams without a limit of their own allow "
            f"{DEFAULT_RUNNING_PER_SE}."
        ),
    )

    def __init__(self, *args: Any, teams: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]
