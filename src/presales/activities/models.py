from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from presales.core.models import Sourced, Timestamped


class Kind(models.TextChoices):
    MEETING = "meeting", "Meeting"
    DEMO = "demo", "Demo"
    POC = "poc", "Proof of concept"
    WORKSHOP = "workshop", "Workshop"
    INTERNAL = "internal", "Internal"
    OUT_OF_BAND = "out_of_band", "Out-of-band request"
    EMAIL = "email", "Email"


CUSTOMER_FACING_KINDS = frozenset({Kind.MEETING, Kind.DEMO, Kind.POC, Kind.WORKSHOP})


class Activity(Sourced, Timestamped):
    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        HELD = "held", "Held"
        CANCELLED = "cancelled", "Cancelled"

    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.MEETING)
    subject = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    location = models.CharField(
        max_length=500, blank=True, help_text="Where it happens: a room, an address or a call link"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    account = models.ForeignKey(
        "accounts.Account",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
        # The index on (this key, starts_at) below serves look-ups by this key too.
        db_index=False,
    )
    opportunity = models.ForeignKey(
        "deals.Opportunity",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
        # The index on (this key, starts_at) below serves look-ups by this key too.
        db_index=False,
    )
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="activities"
    )
    contacts = models.ManyToManyField("accounts.Contact", blank=True, related_name="activities")
    customer_facing = models.BooleanField(default=True)

    class Meta:
        ordering = ["-starts_at"]
        verbose_name_plural = "activities"
        # Each index costs every import row a write; none repeats the start of another (the
        # covering window index serves look-ups and ordering by start time).
        indexes = [
            models.Index(fields=["account", "starts_at"]),
            models.Index(fields=["opportunity", "starts_at"]),
            models.Index(fields=["kind", "starts_at"]),
            # Covers the team capacity page: a window of activities read from the index alone.
            models.Index(
                fields=[
                    "starts_at",
                    "ends_at",
                    "status",
                    "customer_facing",
                    "kind",
                    "account",
                    "opportunity",
                    "subject",
                ],
                name="activity_window_covering",
            ),
        ]
        constraints = [
            Sourced.source_constraint("activity_source_external_id"),
            models.CheckConstraint(
                condition=Q(ends_at__gte=F("starts_at")), name="activity_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def duration(self) -> timedelta:
        return self.ends_at - self.starts_at

    @property
    def duration_minutes(self) -> int:
        return int(self.duration.total_seconds() // 60)
