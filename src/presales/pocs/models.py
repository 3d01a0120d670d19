"""Proofs of concept: on a deal, with prerequisites checked before the start, success criteria
graded with evidence, tasks, and the customer's sign-off."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Prerequisite(models.Model):
    """One item of the checklist every POC must pass before it starts (configurable)."""

    name = models.CharField(max_length=120, unique=True)
    help_text = models.CharField(max_length=300, blank=True)
    position = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class PocLimit(models.Model):
    """How many POCs one SE of a team runs at a time."""

    team = models.OneToOneField("people.Team", on_delete=models.CASCADE, related_name="poc_limit")
    running_per_se = models.PositiveIntegerField(default=2)

    def __str__(self) -> str:
        return f"{self.team}: {self.running_per_se}"


DEFAULT_RUNNING_PER_SE = 2


class Poc(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        RUNNING = "running", "Running"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    class Result(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCESS = "success", "Success"
        FAILURE = "failure", "Failure"

    opportunity = models.ForeignKey(
        "deals.Opportunity", on_delete=models.CASCADE, related_name="pocs"
    )
    title = models.CharField(max_length=200)
    se = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pocs",
        help_text="The SE who runs it",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    result = models.CharField(max_length=20, choices=Result.choices, default=Result.PENDING)
    planned_start = models.DateField(null=True, blank=True)
    planned_end = models.DateField(null=True, blank=True)
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    environment = models.ForeignKey(
        "lab.Environment", null=True, blank=True, on_delete=models.SET_NULL, related_name="pocs"
    )
    champion = models.ForeignKey(
        "accounts.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    champion_signed_at = models.DateTimeField(null=True, blank=True)
    economic_buyer = models.ForeignKey(
        "accounts.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    economic_buyer_signed_at = models.DateTimeField(null=True, blank=True)
    summary = models.TextField(blank=True, max_length=4000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "proof of concept"
        verbose_name_plural = "proofs of concept"
        indexes = [models.Index(fields=["status", "se"])]

    def __str__(self) -> str:
        return self.title

    @property
    def signed_off(self) -> bool:
        return bool(self.champion_signed_at and self.economic_buyer_signed_at)

    @property
    def duration_days(self) -> int | None:
        if self.started_on is None:
            return None
        end = self.ended_on or timezone.localdate()
        return (end - self.started_on).days


class PrerequisiteCheck(models.Model):
    poc = models.ForeignKey(Poc, on_delete=models.CASCADE, related_name="checks")
    prerequisite = models.ForeignKey(Prerequisite, on_delete=models.CASCADE, related_name="+")
    done = models.BooleanField(default=False)
    note = models.CharField(max_length=300, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["prerequisite__position", "prerequisite__name"]
        constraints = [
            models.UniqueConstraint(fields=["poc", "prerequisite"], name="poc_prerequisite_once")
        ]

    def __str__(self) -> str:
        return f"{self.prerequisite}: {'done' if self.done else 'open'}"


class Grade(models.TextChoices):
    EXCEEDS = "exceeds", "Exceeds"
    MEETS = "meets", "Meets"
    PARTIALLY = "partially", "Partially"
    DOES_NOT_MEET = "does_not_meet", "Does not meet"


MET_GRADES = (Grade.EXCEEDS, Grade.MEETS)


class Criterion(models.Model):
    poc = models.ForeignKey(Poc, on_delete=models.CASCADE, related_name="criteria")
    text = models.CharField(max_length=500)
    business_issue = models.ForeignKey(
        "qualification.BusinessIssue",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The business issue it proves",
    )
    grade = models.CharField(max_length=20, choices=Grade.choices, blank=True)
    evidence = models.TextField(blank=True, max_length=4000)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    graded_at = models.DateTimeField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name_plural = "criteria"

    def __str__(self) -> str:
        return self.text


class Task(models.Model):
    poc = models.ForeignKey(Poc, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_on = models.DateField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["done_at", "due_on", "id"]

    def __str__(self) -> str:
        return self.title
