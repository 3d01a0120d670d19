"""The SE team: capacity thresholds, SE profiles and skills, requests for SE help and where
they are routed, and the recurring out-of-band problems handed to an owner."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone


class CapacityPolicy(models.Model):
    """The thresholds a manager sets for one team: weekly recorded hours and open deals at which
    an SE counts as stretched, and at capacity."""

    team = models.OneToOneField("people.Team", on_delete=models.CASCADE, related_name="capacity")
    stretched_hours = models.PositiveSmallIntegerField(
        default=28, help_text="Recorded hours per week from which an SE is stretched"
    )
    capacity_hours = models.PositiveSmallIntegerField(
        default=36, help_text="Recorded hours per week from which an SE is at capacity"
    )
    stretched_deals = models.PositiveSmallIntegerField(
        default=8, help_text="Open deals supported from which an SE is stretched"
    )
    capacity_deals = models.PositiveSmallIntegerField(
        default=12, help_text="Open deals supported from which an SE is at capacity"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "capacity policies"

    def __str__(self) -> str:
        return f"Capacity thresholds of {self.team}"

    def clean(self) -> None:
        errors = {}
        if self.capacity_hours <= self.stretched_hours:
            errors["capacity_hours"] = "At capacity must be above the stretched threshold."
        if self.capacity_deals <= self.stretched_deals:
            errors["capacity_deals"] = "At capacity must be above the stretched threshold."
        if errors:
            raise ValidationError(errors)


def validate_time_zone(value: str) -> None:
    if value and value not in available_timezones():
        raise ValidationError(f"{value!r} is not a time zone name such as Europe/Paris.")


class Profile(models.Model):
    """Where an SE works from (their time zone), for routing and the team week."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_profile"
    )
    time_zone = models.CharField(
        max_length=64, blank=True, validators=[validate_time_zone], help_text="e.g. Europe/Paris"
    )

    def __str__(self) -> str:
        return f"{self.user} ({self.time_zone or 'time zone unknown'})"


class Skill(models.Model):
    class Category(models.TextChoices):
        PRODUCT = "product", "Product"
        DOMAIN = "domain", "Technical domain"
        INDUSTRY = "industry", "Industry"
        LANGUAGE = "language", "Language"
        PRESENTING = "presenting", "Presenting and storytelling"

    name = models.CharField(max_length=80, unique=True)
    category = models.CharField(max_length=20, choices=Category.choices)

    class Meta:
        ordering = ["category", "name"]

    def __str__(self) -> str:
        return self.name


class SkillLevel(models.Model):
    """One SE's level in one skill (1 aware .. 4 expert), as they and their manager see it."""

    LEVELS = [(1, "1 aware"), (2, "2 practised"), (3, "3 proficient"), (4, "4 expert")]
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="skill_levels"
    )
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="levels")
    self_level = models.PositiveSmallIntegerField(choices=LEVELS, null=True, blank=True)
    manager_level = models.PositiveSmallIntegerField(choices=LEVELS, null=True, blank=True)
    evidence = models.TextField(blank=True, help_text="Certifications, trainings, demos, POCs")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "skill"], name="skill_level_user_skill")
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.skill}"

    @property
    def level(self) -> int:
        """The manager's assessment when there is one: people misjudge their own level."""
        return self.manager_level or self.self_level or 0


class RequestKind(models.TextChoices):
    DISCOVERY = "discovery", "Discovery"
    DEMO = "demo", "Demo"
    POC = "poc", "Proof of concept"
    RFP = "rfp", "RFP or security questionnaire"
    WORKSHOP = "workshop", "Workshop"
    ARCHITECTURE = "architecture", "Architecture review"


class Urgency(models.TextChoices):
    LOW = "low", "Low"
    NORMAL = "normal", "Normal"
    HIGH = "high", "High"


# Hours to a first answer (approval or acceptance) by urgency, then days to fulfil it.
RESPONSE_TARGET_HOURS: dict[str, int] = {Urgency.HIGH: 4, Urgency.NORMAL: 24, Urgency.LOW: 72}


class RoutingRule(models.Model):
    """Send requests matching a region and/or a kind to a team; the most specific rule wins."""

    region = models.ForeignKey(
        "people.Region", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=RequestKind.choices, blank=True)
    team = models.ForeignKey("people.Team", on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return (
            f"{self.region or 'any region'} / {self.get_kind_display() or 'any kind'} → {self.team}"
        )


class SERequest(models.Model):
    """A request for SE help on a deal or an account."""

    class Status(models.TextChoices):
        OPEN = "open", "Waiting for an SE"
        ASSIGNED = "assigned", "Assigned"
        ACCEPTED = "accepted", "Accepted"
        FULFILLED = "fulfilled", "Fulfilled"
        DECLINED = "declined", "Declined"
        CANCELLED = "cancelled", "Cancelled"

    kind = models.CharField(max_length=20, choices=RequestKind.choices)
    summary = models.CharField(max_length=200, help_text="What the customer needs, in a line")
    details = models.TextField(blank=True)
    account = models.ForeignKey(
        "accounts.Account", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    opportunity = models.ForeignKey(
        "deals.Opportunity",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="se_requests",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    team = models.ForeignKey(
        "people.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    skills = models.ManyToManyField(Skill, blank=True, related_name="+")
    customer_time_zone = models.CharField(
        max_length=64, blank=True, validators=[validate_time_zone]
    )
    starts_on = models.DateField()
    ends_on = models.DateField()
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="se_requests",
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    responded_at = models.DateTimeField(null=True, blank=True)
    fulfilled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "team"]),
            models.Index(fields=["assignee", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="se_request_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.summary}"

    @property
    def response_target(self) -> timedelta:
        return timedelta(hours=RESPONSE_TARGET_HOURS.get(self.urgency, 24))

    @property
    def response_time(self) -> timedelta | None:
        return self.responded_at - self.created_at if self.responded_at else None

    @property
    def answered_on_time(self) -> bool | None:
        if self.responded_at is None:
            return None
        return self.response_time is not None and self.response_time <= self.response_target

    @property
    def fulfilled_on_time(self) -> bool | None:
        if self.fulfilled_at is None:
            return None
        return timezone.localdate(self.fulfilled_at) <= self.ends_on

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.OPEN, self.Status.ASSIGNED, self.Status.ACCEPTED)


class OutOfBandSource(models.Model):
    """Who asked for an out-of-band activity: the requesting department."""

    activity = models.OneToOneField(
        "activities.Activity", on_delete=models.CASCADE, related_name="out_of_band_source"
    )
    department = models.CharField(max_length=80)

    def __str__(self) -> str:
        return self.department


class ProblemOwner(models.Model):
    """A recurring out-of-band problem handed to a czar or task force, with its scoreboard."""

    team = models.ForeignKey("people.Team", on_delete=models.CASCADE, related_name="+")
    problem = models.CharField(max_length=200, help_text="The problem, as the requests word it")
    keywords = models.CharField(
        max_length=200, help_text="Words that mark a request as this problem, comma-separated"
    )
    czar = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    handed_over_on = models.DateField(default=timezone.localdate)
    goal = models.CharField(max_length=200, blank=True, help_text="What done looks like")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-handed_over_on", "-id"]

    def __str__(self) -> str:
        return f"{self.problem} → {self.czar}"

    @property
    def keyword_list(self) -> list[str]:
        return [w.strip() for w in self.keywords.split(",") if w.strip()]


class SkillEvidence(models.Model):
    """A certification earned or a training attended, backing one SE's level in one skill."""

    class Kind(models.TextChoices):
        CERTIFICATION = "certification", "Certification"
        TRAINING = "training", "Training attended"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="skill_evidence"
    )
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200, help_text="e.g. Certified Kubernetes Administrator")
    earned_on = models.DateField(help_text="When it was earned or attended")
    expires_on = models.DateField(null=True, blank=True, help_text="Empty if it does not expire")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-earned_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_on__isnull=True)
                | models.Q(expires_on__gte=models.F("earned_on")),
                name="skill_evidence_expires_after_earned",
                violation_error_message="It cannot expire before it was earned.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_kind_display()})"

    def clean(self) -> None:
        if self.earned_on and self.earned_on > timezone.localdate():
            raise ValidationError({"earned_on": "It cannot have been earned in the future."})
        if self.expires_on and self.earned_on and self.expires_on < self.earned_on:
            raise ValidationError({"expires_on": "It cannot expire before it was earned."})

    @property
    def expired(self) -> bool:
        return self.expires_on is not None and self.expires_on < timezone.localdate()


class OutOfFieldPlan(models.Model):
    """The hours out of the field a manager plans per SE for one quarter of one team."""

    team = models.ForeignKey("people.Team", on_delete=models.CASCADE, related_name="+")
    quarter_start = models.DateField(help_text="The first day of the quarter")
    hours_per_se = models.PositiveSmallIntegerField(
        default=40, help_text="Hours of training, lab time, trade shows and preparation per SE"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["team", "quarter_start"], name="out_of_field_plan_team_quarter"
            )
        ]

    def __str__(self) -> str:
        return f"{self.team}, quarter from {self.quarter_start}: {self.hours_per_se} h per SE"


class TimeOutOfField(models.Model):
    """Time an SE asks to spend away from customers; the team's manager approves or declines."""

    class Kind(models.TextChoices):
        TRAINING = "training", "Training"
        LAB = "lab", "Lab time"
        TRADE_SHOW = "trade_show", "Trade show"
        PREPARATION = "preparation", "Preparation"

    class Status(models.TextChoices):
        REQUESTED = "requested", "Waiting for the manager"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"
        CANCELLED = "cancelled", "Cancelled"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="time_out_of_field"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200, help_text="What it is, e.g. Kubernetes training")
    starts_on = models.DateField()
    ends_on = models.DateField()
    hours = models.PositiveSmallIntegerField(help_text="Hours away from customers in all")
    reason = models.TextField(blank=True, max_length=2000, help_text="What it is for")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.REQUESTED)
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name_plural = "time out of the field"
        indexes = [models.Index(fields=["user", "starts_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="time_out_of_field_ends_after_start",
                violation_error_message="The last day cannot be before the first.",
            ),
            models.CheckConstraint(
                condition=models.Q(hours__gte=1),
                name="time_out_of_field_some_hours",
                violation_error_message="Give at least one hour.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"


class WeeklyLoad(models.Model):
    """One SE's recorded time of one kind in one week (Monday, in ``PRESALES_TIME_ZONE``):
    whole seconds and the number of activities. Kept up to date as activities are written
    (``team.weekly``), so the capacity page reads a few hundred rows instead of the activities;
    ``presales team rebuild-totals`` computes the table again from the activities."""

    class Category(models.TextChoices):
        FACING = "facing", "Customer-facing"
        PREP = "prep", "Preparation"
        TRAVEL = "travel", "Travel"
        OOB = "oob", "Out-of-band"
        OTHER = "other", "Other"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    week = models.DateField()
    category = models.CharField(max_length=10, choices=Category.choices)
    seconds = models.BigIntegerField(default=0)
    activities = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "week", "category"], name="team_weeklyload_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.week} {self.category}: {self.seconds} s"


class OneToOneCadence(models.Model):
    """How often a person's manager means to meet them alone. The meetings themselves are not
    typed in: an internal meeting with no account or deal and exactly the two of them on it
    (from the calendar or the meeting form) is a one-to-one (``team.remote``)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="one_to_one_cadence"
    )
    every_days = models.PositiveSmallIntegerField(
        help_text="Days between one-to-ones (1 to 92)",
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(every_days__gte=1) & models.Q(every_days__lte=92),
                name="one_to_one_cadence_range",
                violation_error_message="A cadence is between 1 and 92 days.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user}: every {self.every_days} days"
