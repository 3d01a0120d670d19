from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Label(models.TextChoices):
    """The labels a user may correct; each takes one of ``LABEL_VALUES``."""

    FLAVOR = "flavor", "DSO flavor"
    PRODUCT_GAP = "product_gap", "Product gap or feature request"
    BUDGET_FREEZE = "budget_freeze", "Risk: budget freeze"
    CHAMPION_LEFT = "champion_left", "Risk: champion left"
    TIMELINE_SLIP = "timeline_slip", "Risk: timeline slip"
    SECURITY_OBJECTION = "security_objection", "Risk: security objection"


RISK_LABELS = (
    Label.BUDGET_FREEZE,
    Label.CHAMPION_LEFT,
    Label.TIMELINE_SLIP,
    Label.SECURITY_OBJECTION,
)
LABEL_VALUES: dict[str, tuple[str, ...]] = {
    Label.FLAVOR: ("problem", "opportunity", "none"),
    **{name: ("yes", "no") for name in (Label.PRODUCT_GAP, *RISK_LABELS)},
}


class Text(models.Model):
    """One piece of writing from a registered source (a note, an activity...), as indexed.

    ``kind`` and ``object_id`` point at the source object; the other fields are copied from it
    so that search can filter without joining every source table. ``predicted`` holds what the
    classifier said; ``labels`` is what users see: the prediction with their corrections.
    """

    kind = models.CharField(max_length=40, help_text="The registered source, e.g. note")
    object_id = models.BigIntegerField()
    body = models.TextField()
    content_hash = models.CharField(max_length=64)
    written_at = models.DateTimeField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    account = models.ForeignKey(
        "accounts.Account", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opportunity = models.ForeignKey(
        "deals.Opportunity", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    predicted = models.JSONField(default=dict, blank=True)
    labels = models.JSONField(default=dict, blank=True)
    labelled_hash = models.CharField(
        max_length=80, blank=True, help_text="Content hash (and mode) the labels were made for"
    )
    indexed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-written_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="text_kind_object_unique")
        ]
        indexes = [
            models.Index(fields=["written_at"]),
            models.Index(fields=["account", "written_at"]),
            models.Index(fields=["opportunity", "written_at"]),
            models.Index(fields=["author", "written_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}: {self.body[:50]}"


class TextVector(models.Model):
    """The embedding of a text by one model; a different model name means it must be redone."""

    text = models.OneToOneField(
        Text, primary_key=True, on_delete=models.CASCADE, related_name="vector"
    )
    model_name = models.CharField(max_length=120)
    content_hash = models.CharField(max_length=64)
    dimensions = models.PositiveSmallIntegerField()
    vector = models.BinaryField(help_text="float32 values, L2-normalised")
    encoded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["model_name", "encoded_at"])]

    def __str__(self) -> str:
        return f"{self.model_name} vector of text {self.text_id}"


class LabelCorrection(models.Model):
    """A user's correction of one label of one text; later predictions learn from it."""

    text = models.ForeignKey(Text, on_delete=models.CASCADE, related_name="corrections")
    label = models.CharField(max_length=40, choices=Label.choices)
    value = models.CharField(max_length=40)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    corrected_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-corrected_at"]
        constraints = [
            models.UniqueConstraint(fields=["text", "label"], name="label_correction_unique")
        ]

    def __str__(self) -> str:
        return f"{self.label}={self.value} on text {self.text_id}"
