from django.db import models
from django.db.models import Q
from django.utils import timezone


class Sourced(models.Model):
    """An object that may come from another system and keeps its identity there.

    Imports upsert on ``(source, external_id)``; objects made in Presales itself have the source
    ``presales`` and an empty external id.
    """

    source = models.CharField(
        max_length=40, default="presales", help_text="System the record came from"
    )
    external_id = models.CharField(
        max_length=64, blank=True, default="", help_text="The record's id in its source system"
    )

    class Meta:
        abstract = True

    @classmethod
    def source_constraint(cls, name: str) -> models.UniqueConstraint:
        return models.UniqueConstraint(
            fields=["source", "external_id"], condition=~Q(external_id=""), name=name
        )


class Timestamped(models.Model):
    # A default rather than auto_now_add, so imports and the demo can keep the original time.
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
