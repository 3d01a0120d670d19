"""Forecast submissions (the rep's call per deal, the SE's technical confidence, the manager's
adjustment with its reason) and weekly snapshots of the open pipeline, kept so that history can
be replayed and accuracy measured against what was said at the time."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class Category(models.TextChoices):
    COMMIT = "commit", "Commit"
    BEST_CASE = "best_case", "Best case"
    PIPELINE = "pipeline", "Pipeline"
    OMITTED = "omitted", "Omitted"


def quarter_of(day: date) -> tuple[date, date]:
    """The calendar quarter holding ``day`` as (first day, last day)."""
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = date(day.year, first_month, 1)
    end = date(day.year + (first_month == 10), (first_month + 2) % 12 + 1, 1) - timedelta(days=1)
    return start, end


def quarter_label(start: date) -> str:
    return f"{start.year}-Q{(start.month - 1) // 3 + 1}"


def week_of(day: date) -> date:
    """The Monday of the week holding ``day``: snapshots and submissions are kept per week."""
    return day - timedelta(days=day.weekday())


class Submission(models.Model):
    """A rep's forecast for one period, as submitted in one week (a later submission in the
    same week replaces it; one in a later week is kept beside it, so the call can be replayed)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="forecast_submissions",
        help_text="The rep whose forecast this is",
    )
    team = models.ForeignKey(
        "people.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="forecasts"
    )
    period_start = models.DateField(help_text="First day of the forecast period (a quarter)")
    period_end = models.DateField()
    week = models.DateField(help_text="Monday of the week the forecast was submitted in")
    submitted_at = models.DateTimeField()
    commit_total = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal(0))
    best_case_total = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal(0))
    pipeline_total = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal(0))

    class Meta:
        ordering = ["-period_start", "-week", "owner_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "period_start", "week"], name="forecast_one_per_owner_week"
            )
        ]
        indexes = [
            models.Index(fields=["team", "period_start", "week"]),
            models.Index(fields=["period_start", "week"]),
        ]

    def __str__(self) -> str:
        return f"{self.owner} · {quarter_label(self.period_start)} · week of {self.week}"

    @property
    def period_label(self) -> str:
        return quarter_label(self.period_start)

    def set_totals(self, lines: list[Line]) -> None:
        """Commit, best case (commit included) and pipeline (everything not omitted)."""
        sums = {c: sum((x.amount for x in lines if x.category == c), Decimal(0)) for c in Category}
        self.commit_total = sums[Category.COMMIT]
        self.best_case_total = sums[Category.COMMIT] + sums[Category.BEST_CASE]
        self.pipeline_total = self.best_case_total + sums[Category.PIPELINE]

    @property
    def adjusted_commit(self) -> Decimal:
        """The manager's latest adjusted commit, or the rep's own when nobody adjusted it."""
        latest = self.adjustments.order_by("-created_at", "-id").first()
        return latest.commit if latest else self.commit_total


class Line(models.Model):
    """One deal in a submission: the rep's category, the amount and close date at the time, and
    the technical confidence of the deal's SE."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="lines")
    opportunity = models.ForeignKey(
        "deals.Opportunity", on_delete=models.CASCADE, related_name="forecast_lines"
    )
    category = models.CharField(max_length=12, choices=Category.choices)
    amount = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal(0))
    close_date = models.DateField(null=True, blank=True)
    stage = models.CharField(max_length=20)
    se_confidence = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text="The SE's technical confidence that the deal closes, 0-100",
    )
    se = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="forecast_confidences",
    )
    se_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["submission_id", "opportunity_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "opportunity"], name="forecast_line_once_per_deal"
            )
        ]

    def __str__(self) -> str:
        return f"{self.opportunity_id}: {self.category}"


class Adjustment(models.Model):
    """A manager's change of a submission's commit (and best case), with the reason."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="adjustments")
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    commit = models.DecimalField(
        max_digits=16, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    best_case = models.DecimalField(
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    reason = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.submission_id}: {self.commit} ({self.reason[:40]})"


class Snapshot(models.Model):
    """The open pipeline of one team as it stood in one week: taken once per week and never
    changed afterwards."""

    team = models.ForeignKey("people.Team", on_delete=models.CASCADE, related_name="snapshots")
    week = models.DateField(help_text="Monday of the week the snapshot stands for")
    taken_at = models.DateTimeField()

    class Meta:
        ordering = ["-week", "team_id"]
        constraints = [
            models.UniqueConstraint(fields=["team", "week"], name="forecast_snapshot_once_a_week")
        ]

    def __str__(self) -> str:
        return f"{self.team} · week of {self.week}"


class SnapshotLine(models.Model):
    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="lines")
    opportunity = models.ForeignKey(
        "deals.Opportunity", on_delete=models.CASCADE, related_name="snapshot_lines"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    stage = models.CharField(max_length=20)
    amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    close_date = models.DateField(null=True, blank=True)
    category = models.CharField(max_length=12, choices=Category.choices, blank=True)
    se_confidence = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["snapshot_id", "opportunity_id"]

    def __str__(self) -> str:
        return f"{self.snapshot_id}: {self.opportunity_id}"
