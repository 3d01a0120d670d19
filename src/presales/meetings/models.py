"""Around a customer meeting: the plan before it, the debrief after it, the commitments made
in it, the topic map the team prepares answers in, and the win/loss and trip reports."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class MeetingPlan(models.Model):
    """What an upcoming meeting must obtain; the rest of the plan is computed when read."""

    activity = models.OneToOneField(
        "activities.Activity", on_delete=models.CASCADE, related_name="plan"
    )
    outcomes = models.TextField(
        blank=True, help_text="One outcome per line: what the call must obtain"
    )
    agenda = models.TextField(blank=True, help_text="Optional running order")
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Plan for {self.activity}"

    @property
    def outcome_list(self) -> list[str]:
        return [line.strip(" -•\t") for line in self.outcomes.splitlines() if line.strip(" -•\t")]

    @property
    def agenda_list(self) -> list[str]:
        """The running order, one item per line, as written (list markers dropped)."""
        return [line.strip(" -•\t") for line in self.agenda.splitlines() if line.strip(" -•\t")]


class Debrief(models.Model):
    """Five minutes right after a meeting, written by one attendee for the whole team."""

    class SamePage(models.TextChoices):
        # Unanswered comes first so that a form offers it by default: a debrief records only
        # what was said, and an untouched question must never read as "yes".
        UNANSWERED = "", "Unanswered"
        YES = "yes", "Yes, we heard the same thing"
        PARTLY = "partly", "Partly"
        NO = "no", "No, we heard different things"

    activity = models.OneToOneField(
        "activities.Activity", on_delete=models.CASCADE, related_name="debrief"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="debriefs",
    )
    went_right = models.TextField(blank=True)
    went_wrong = models.TextField(blank=True)
    next_steps = models.TextField(blank=True)
    same_page = models.CharField(
        max_length=10,
        choices=SamePage.choices,
        blank=True,
        help_text="Did the rep and the SE hear the same thing?",
    )
    same_page_detail = models.TextField(blank=True, help_text="Where the two accounts differ")
    feedback_rep_to_se = models.TextField(blank=True, help_text="The rep's feedback to the SE")
    feedback_se_to_rep = models.TextField(blank=True, help_text="The SE's feedback to the rep")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Debrief of {self.activity}"


class RaisedGap(models.Model):
    """A product gap the customer raised, kept as text until the product-gap app takes it over.

    ``converted_to`` records what the gap became there (e.g. ``gaps.ProductGap:42``), so a
    conversion can run again without making a second gap.
    """

    debrief = models.ForeignKey(Debrief, on_delete=models.CASCADE, related_name="gaps")
    text = models.TextField(help_text="What the customer asked for, in their words")
    account = models.ForeignKey(
        "accounts.Account", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    opportunity = models.ForeignKey(
        "deals.Opportunity", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(default=timezone.now)
    converted_to = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["account", "created_at"])]

    def __str__(self) -> str:
        return self.text[:60]


class Commitment(models.Model):
    """Who promised what to whom by when, and whether it was kept."""

    class Direction(models.TextChoices):
        OURS = "ours", "We promised the customer"
        THEIRS = "theirs", "The customer promised us"
        INTERNAL = "internal", "Between rep and SE"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        KEPT = "kept", "Kept"
        BROKEN = "broken", "Broken"

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="commitments"
    )
    opportunity = models.ForeignKey(
        "deals.Opportunity",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="commitments",
    )
    activity = models.ForeignKey(
        "activities.Activity",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="commitments",
        help_text="The meeting where the promise was made",
    )
    direction = models.CharField(max_length=10, choices=Direction.choices, default="ours")
    what = models.TextField()
    promised_by = models.CharField(max_length=120, help_text="Who promised (a name)")
    promised_to = models.CharField(max_length=120, blank=True, help_text="To whom (a name)")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="commitments",
        help_text="Who on our side keeps it or chases it",
    )
    due_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default="open")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["account", "status", "due_on"]),
            models.Index(fields=["owner", "status", "due_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open") | Q(resolved_at__isnull=False),
                name="commitment_resolved_has_time",
            )
        ]

    def __str__(self) -> str:
        return f"{self.promised_by}: {self.what[:50]}"

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.OPEN and self.due_on < timezone.localdate()


class Topic(models.Model):
    """A node of the team's topic map: what tends to come up, and the answer we prepared.

    ``leads_to`` holds the story beats: a talk about security leads to audit, compliance, CVEs
    and access control, so the SE prepares those answers too.
    """

    team = models.ForeignKey(
        "people.Team",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="topics",
        help_text="Empty for topics shared by every team",
    )
    name = models.CharField(max_length=80)
    keywords = models.CharField(
        max_length=300, blank=True, help_text="Comma-separated words that bring the topic up"
    )
    answer = models.TextField(blank=True, help_text="The prepared answer, in a few lines")
    leads_to = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="led_from"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["team", "name"], name="topic_name_unique_per_team")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def keyword_list(self) -> list[str]:
        words = [w.strip().lower() for w in self.keywords.split(",") if w.strip()]
        return [self.name.lower(), *words]


class Report(models.Model):
    """A win/loss report on a closed deal or a trip report on customer visits."""

    class Kind(models.TextChoices):
        WIN_LOSS = "win_loss", "Win/loss report"
        TRIP = "trip", "Trip report"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    title = models.CharField(max_length=200)
    account = models.ForeignKey(
        "accounts.Account", null=True, blank=True, on_delete=models.CASCADE, related_name="reports"
    )
    opportunity = models.ForeignKey(
        "deals.Opportunity",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reports",
    )
    activities = models.ManyToManyField(
        "activities.Activity", blank=True, related_name="reports", help_text="The visits"
    )
    summary = models.TextField()
    what_worked = models.TextField(blank=True)
    what_did_not = models.TextField(blank=True)
    lessons = models.TextField(blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="authored_reports",
    )
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(
        null=True, blank=True, help_text="Empty while a draft only its author sees"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["published_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def published(self) -> bool:
        return self.published_at is not None
