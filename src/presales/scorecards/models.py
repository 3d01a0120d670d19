"""MBO goals, the scoreboard's visibility, bonus plans, metrics that admins declare as data and
customer survey responses. No model here stores a result: results are computed from recorded
data on request (see ``metrics``)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Pillar(models.TextChoices):
    BUSINESS = "business", "Business / financial"
    ENABLEMENT = "enablement", "Employee satisfaction / enablement"
    CUSTOMER = "customer", "Customer satisfaction"
    PROCESS = "process", "Process improvement"


class Goal(models.Model):
    """One MBO goal of a person or of a whole team for one quarter."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="goals",
        help_text="The person the goal belongs to (or leave empty for a team goal)",
    )
    team = models.ForeignKey(
        "people.Team",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="goals",
        help_text="The team, for a goal the whole team shares",
    )
    year = models.PositiveSmallIntegerField(validators=[MinValueValidator(2000)])
    quarter = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    pillar = models.CharField(max_length=20, choices=Pillar.choices)
    title = models.CharField(max_length=200, help_text="What the goal is, in a few words")
    metric = models.CharField(
        max_length=60,
        help_text="Key of the catalog metric that measures the goal (built in or declared)",
    )
    correlated_result = models.CharField(
        max_length=200,
        blank=True,
        help_text="For a qualitative aim: what the measured result stands for "
        "(e.g. 'product knowledge' measured by trainings delivered)",
    )
    target = models.DecimalField(
        max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    milestones = models.JSONField(
        default=list,
        blank=True,
        help_text="Targets at the end of months 1, 2 and 3 (empty: a straight line to the target)",
    )
    weight = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text="Share of the bonus, in percent; a person's goals should add up to 100",
    )
    why = models.TextField(blank=True, help_text="Why this matters: the spirit of the goal")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["year", "quarter", "pillar", "id"]
        indexes = [
            models.Index(fields=["owner", "year", "quarter"]),
            models.Index(fields=["team", "year", "quarter"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(owner__isnull=False, team__isnull=True)
                | Q(owner__isnull=True, team__isnull=False),
                name="goal_owner_xor_team",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.year}-Q{self.quarter})"

    @property
    def period_label(self) -> str:
        return f"{self.year}-Q{self.quarter}"


class ScoreboardSetting(models.Model):
    """Who may look at a team's scoreboard besides its managers and the administrators."""

    class Visibility(models.TextChoices):
        TEAM = "team", "Everyone on the team"
        MANAGERS = "managers", "Managers only (members see their own scorecard)"

    team = models.OneToOneField(
        "people.Team", on_delete=models.CASCADE, related_name="scoreboard_setting"
    )
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.TEAM
    )

    def __str__(self) -> str:
        return f"{self.team}: {self.get_visibility_display()}"


class BonusPlan(models.Model):
    """A person's MBO bonus for a quarter: what 100 % pays, below what nothing is paid and
    above what nothing more is paid, per goal."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bonus_plans"
    )
    year = models.PositiveSmallIntegerField(validators=[MinValueValidator(2000)])
    quarter = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    target_bonus = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Paid when every goal is met exactly",
    )
    threshold_pct = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("50"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text="A goal below this attainment (percent) pays nothing",
    )
    cap_pct = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        default=Decimal("150"),
        validators=[MinValueValidator(Decimal("100")), MaxValueValidator(Decimal("500"))],
        help_text="Attainment above this (percent) pays no more",
    )

    class Meta:
        ordering = ["-year", "-quarter", "owner_id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "year", "quarter"], name="bonus_plan_once")
        ]

    def __str__(self) -> str:
        return f"{self.owner} {self.year}-Q{self.quarter}"


class CustomMetric(models.Model):
    """A metric an administrator declares as data: a filter over activities or opportunities
    (rows of ``CustomMetricCondition`` from an allow-list) and an aggregate."""

    class Source(models.TextChoices):
        ACTIVITIES = "activities", "Activities the person took part in (by start)"
        OPPORTUNITIES = "opportunities", "Deals the person owns or supports (by close date)"

    class Aggregate(models.TextChoices):
        COUNT = "count", "Count"
        SUM = "sum", "Sum of a field"
        AVG = "avg", "Average of a field"
        RATE = "rate", "Rate: share of the filtered rows that also match the numerator rows"

    key = models.SlugField(
        max_length=60, unique=True, help_text="Used by goals; not a built-in key"
    )
    name = models.CharField(max_length=120)
    unit = models.CharField(max_length=20, default="count", help_text="e.g. count, %, days, USD")
    definition = models.TextField(help_text="What is counted, in words a person can check")
    source = models.CharField(max_length=20, choices=Source.choices)
    aggregate = models.CharField(max_length=10, choices=Aggregate.choices, default="count")
    value_field = models.CharField(
        max_length=40, blank=True, help_text="For sum and average: minutes (activities), amount"
    )
    higher_is_better = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from presales.scorecards.metrics.builtin import BUILTIN

        if self.key in BUILTIN:
            from django.core.exceptions import ValidationError

            raise ValidationError({"key": f"'{self.key}' is a built-in metric."})


class CustomMetricCondition(models.Model):
    class Part(models.TextChoices):
        FILTER = "filter", "Filter (which rows count)"
        NUMERATOR = "numerator", "Numerator (for a rate: which of them are a success)"

    metric = models.ForeignKey(CustomMetric, on_delete=models.CASCADE, related_name="conditions")
    part = models.CharField(max_length=10, choices=Part.choices, default=Part.FILTER)
    field = models.CharField(max_length=60)
    lookup = models.CharField(max_length=20, default="exact")
    value = models.CharField(max_length=200, help_text="For 'in', values separated by commas")

    class Meta:
        ordering = ["metric_id", "part", "id"]

    def __str__(self) -> str:
        return f"{self.field}__{self.lookup}={self.value}"

    def clean(self) -> None:
        # The admin saves conditions row by row: each is checked against the allow-list here.
        from presales.scorecards.metrics.declared import coerce_condition

        if self.metric_id is not None:
            coerce_condition(self.metric.source, self.field, self.lookup, self.value)


class SurveyResponse(models.Model):
    """One customer satisfaction answer, imported from a survey export."""

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="survey_responses"
    )
    contact = models.ForeignKey(
        "accounts.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    respondent = models.CharField(max_length=200, help_text="The contact as the file names them")
    respondent_key = models.CharField(max_length=200, help_text="Lower-cased, for re-imports")
    score = models.DecimalField(max_digits=6, decimal_places=2)
    scale_max = models.DecimalField(max_digits=6, decimal_places=2, default=Decimal("10"))
    responded_on = models.DateField()
    source_file = models.CharField(max_length=255, blank=True)
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-responded_on", "id"]
        indexes = [models.Index(fields=["account", "responded_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "respondent_key", "responded_on"], name="survey_response_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.responded_on}: {self.score}/{self.scale_max}"

    @property
    def percent(self) -> Decimal:
        return self.score / self.scale_max * 100
