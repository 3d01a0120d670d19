"""Labs, their environments, and reservations of an environment for a deal, a POC, a demo or a
training."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone


class Lab(models.Model):
    class Kind(models.TextChoices):
        CENTRAL = "central", "Central"
        REGIONAL = "regional", "Regional"

    name = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.CENTRAL)
    region = models.ForeignKey(
        "people.Region", null=True, blank=True, on_delete=models.SET_NULL, related_name="labs"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    description = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class Environment(models.Model):
    lab = models.ForeignKey(Lab, on_delete=models.CASCADE, related_name="environments")
    name = models.CharField(max_length=120)
    runs = models.TextField(
        blank=True, max_length=2000, help_text="What runs there: products, versions, data"
    )
    capacity = models.PositiveIntegerField(
        default=1, help_text="How many reservations it holds at the same time"
    )
    access_link = models.URLField(blank=True, help_text="The remote-access link")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    idle_hours = models.PositiveIntegerField(
        default=48, help_text="A reservation unused this long is reclaimed"
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["lab__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["lab", "name"], name="lab_environment_name"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="environment_capacity"),
        ]

    def __str__(self) -> str:
        return f"{self.lab.name} · {self.name}"


class Reservation(models.Model):
    class Purpose(models.TextChoices):
        DEAL = "deal", "A deal"
        POC = "poc", "A proof of concept"
        DEMO = "demo", "A demo"
        TRAINING = "training", "A training"

    class Status(models.TextChoices):
        ACTIVE = "active", "Reserved"
        RELEASED = "released", "Released"
        RECLAIMED = "reclaimed", "Reclaimed (idle)"

    environment = models.ForeignKey(
        Environment, on_delete=models.CASCADE, related_name="reservations"
    )
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    opportunity = models.ForeignKey(
        "deals.Opportunity",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="lab_reservations",
    )
    demo = models.ForeignKey(
        "demos.Demo", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    training = models.CharField(max_length=200, blank=True, help_text="The training's name")
    reserved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    team = models.ForeignKey(
        "people.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    last_used_at = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["environment", "status", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="reservation_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.environment} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def subject(self) -> str:
        if self.purpose == self.Purpose.TRAINING:
            return f"Training: {self.training}"
        if self.purpose == self.Purpose.DEMO and self.demo_id:
            return f"Demo: {self.demo}"
        if self.opportunity_id:
            return f"{self.get_purpose_display()}: {self.opportunity}"
        return self.get_purpose_display()

    def expired(self, now: datetime | None = None) -> bool:
        return self.ends_at <= (now or timezone.now())


class Evaluation(models.Model):
    """A self-guided evaluation: a customer works through a demo's script on a lab environment
    without an SE. It belongs to a deal (and follows the deal's rule) or, before there is a
    deal, to a customer contact (and follows the contact's account)."""

    demo = models.ForeignKey(
        "demos.Demo",
        on_delete=models.PROTECT,
        related_name="evaluations",
        help_text="The script the customer follows",
    )
    environment = models.ForeignKey(
        Environment, null=True, blank=True, on_delete=models.SET_NULL, related_name="evaluations"
    )
    opportunity = models.ForeignKey(
        "deals.Opportunity",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="evaluations",
    )
    contact = models.ForeignKey(
        "accounts.Contact",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="evaluations",
        help_text="The customer who works through it",
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    registered_on = models.DateField(default=timezone.localdate)
    started_on = models.DateField(null=True, blank=True)
    completed_on = models.DateField(null=True, blank=True)
    steps_total = models.PositiveIntegerField(default=1)
    steps_done = models.PositiveIntegerField(default=0)
    notes = models.TextField(blank=True, max_length=4000, help_text="What came out of it")

    class Meta:
        ordering = ["-registered_on", "-id"]
        indexes = [models.Index(fields=["demo", "completed_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(opportunity__isnull=False) | Q(contact__isnull=False),
                name="evaluation_deal_or_contact",
            ),
            models.CheckConstraint(
                condition=Q(steps_total__gte=1) & Q(steps_done__lte=F("steps_total")),
                name="evaluation_steps",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.demo} · {self.opportunity or self.contact}"

    @property
    def status(self) -> str:
        if self.completed_on:
            return "Completed"
        return "Started" if self.started_on else "Registered"


class Training(models.Model):
    """A training lab: people (new hires, SEs) work through an environment together on a day."""

    name = models.CharField(max_length=200)
    environment = models.ForeignKey(
        Environment, null=True, blank=True, on_delete=models.SET_NULL, related_name="trainings"
    )
    held_on = models.DateField(help_text="The day it is held")
    description = models.TextField(blank=True, max_length=2000, help_text="What it covers")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    attendees: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Attendance", related_name="trainings"
    )

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.held_on:%Y-%m-%d})"


class Attendance(models.Model):
    training = models.ForeignKey(Training, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attendance"
    )
    completed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["user__last_name", "user__username"]
        constraints = [models.UniqueConstraint(fields=["training", "user"], name="attendance_once")]

    def __str__(self) -> str:
        return f"{self.user} · {self.training}"
