from __future__ import annotations

from django import forms

from presales.demos.models import Demo
from presales.products.models import Product


class DemoForm(forms.ModelForm):
    products = forms.ModelMultipleChoiceField(
        queryset=Product.objects.filter(active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The products it shows",
    )
    change_note = forms.CharField(
        max_length=300, required=False, help_text="What changed (kept in the version history)"
    )

    class Meta:
        model = Demo
        fields = [
            "title",
            "summary",
            "products",
            "personas",
            "industry",
            "format",
            "duration_minutes",
            "script",
            "prerequisites",
            "environment_needed",
            "links",
        ]
        labels = {"duration_minutes": "Duration (minutes)", "environment_needed": "Lab environment"}
        widgets = {
            "script": forms.Textarea(attrs={"rows": 8}),
            "prerequisites": forms.Textarea(attrs={"rows": 3}),
            "links": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_duration_minutes(self) -> int:
        value: int = self.cleaned_data["duration_minutes"]
        if not 1 <= value <= 8 * 60:
            raise forms.ValidationError("A demo lasts between 1 minute and 8 hours.")
        return value

    def clean_links(self) -> str:
        links: str = self.cleaned_data["links"]
        validate = forms.URLField(assume_scheme="https").clean
        for line in links.splitlines():
            if line.strip():
                try:
                    validate(line.strip())
                except forms.ValidationError:
                    raise forms.ValidationError(
                        f"“{line.strip()[:80]}” is not a link (https://…); one link per line."
                    ) from None
        return links
