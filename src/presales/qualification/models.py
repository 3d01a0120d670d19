"""What the SE knows about a deal: qualification evidence against a framework, the three
circles, the stakeholders' stance and the customer's business issues.

Frameworks are data: "4½ things", MEDDICC and BANT are rows seeded by a migration, and a team
may copy one and edit its criteria, weights and stage gates without a code change.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from presales.accounts.models import Contact
from presales.deals.models import OPEN_STAGES, Stage

# The order in which a deal moves forward; lost is no step forward and is never gated.
STAGE_ORDER: dict[str, int] = {stage: i for i, stage in enumerate((*OPEN_STAGES, Stage.WON))}


class Framework(models.Model):
    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    team = models.ForeignKey(
        "people.Team",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="own_frameworks",
        help_text="The team that edits this copy; empty for the frameworks shipped to everyone",
    )
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies"
    )

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def total_weight(self) -> Decimal:
        return sum((c.weight for c in self.criteria.all()), Decimal(0))


class Criterion(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="criteria")
    key = models.SlugField(max_length=40, help_text="Stable name within the framework")
    name = models.CharField(max_length=120)
    guidance = models.TextField(blank=True, help_text="What good evidence looks like")
    weight = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        default=Decimal(1),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal(10))],
        help_text="Share of the score; the ½ of '4½ things' weighs 0.5",
    )
    required_from_stage = models.CharField(
        max_length=20,
        choices=Stage.choices,
        blank=True,
        help_text="Moving a deal to this stage or later without evidence asks for confirmation",
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["framework", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "key"], name="criterion_key_unique")
        ]
        verbose_name_plural = "criteria"

    def __str__(self) -> str:
        return self.name


class TeamFramework(models.Model):
    """The framework a team qualifies its deals with (the shipped "4½ things" when none)."""

    team = models.OneToOneField(
        "people.Team", on_delete=models.CASCADE, related_name="qualification_choice"
    )
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="teams")
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    chosen_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.team} → {self.framework}"


class Evidence(models.Model):
    """One piece of evidence for (or against) a criterion; the latest one decides."""

    opportunity = models.ForeignKey(
        "deals.Opportunity", on_delete=models.CASCADE, related_name="evidence"
    )
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="evidence")
    text = models.TextField(help_text="What we saw or heard, in a sentence or two")
    supports = models.BooleanField(
        default=True, help_text="False records evidence that the criterion is NOT met"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["opportunity", "criterion", "recorded_at"])]
        verbose_name_plural = "evidence"

    def __str__(self) -> str:
        return self.text[:60]


class GateOverride(models.Model):
    """A stage move made although required criteria had no evidence, confirmed by a person."""

    opportunity = models.ForeignKey(
        "deals.Opportunity", on_delete=models.CASCADE, related_name="gate_overrides"
    )
    from_stage = models.CharField(max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=20, choices=Stage.choices)
    missing = models.JSONField(default=list, help_text="Names of the criteria without evidence")
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    confirmed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-confirmed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.from_stage} → {self.to_stage} without {', '.join(self.missing)}"


class CirclesRating(models.Model):
    """The three circles at a point in time: the prospect's view of what they do, of what we do
    and of what is possible, beside our own view, and how far the circles overlap."""

    class Overlap(models.IntegerChoices):
        DISCONNECTED = 1, "1 · complete disconnect"
        SLIGHT = 2, "2 · slight overlap"
        PARTIAL = 3, "3 · partial overlap"
        LARGE = 4, "4 · large overlap"
        ALIGNED = 5, "5 · the circles coincide"

    opportunity = models.ForeignKey(
        "deals.Opportunity", on_delete=models.CASCADE, related_name="circles"
    )
    they_do = models.TextField(blank=True, help_text="What the prospect thinks they do")
    they_think_we_do = models.TextField(blank=True, help_text="What they think we do")
    they_think_possible = models.TextField(blank=True, help_text="What they think is possible")
    our_view = models.TextField(blank=True, help_text="What we think we do for them")
    overlap = models.PositiveSmallIntegerField(
        choices=Overlap.choices, null=True, blank=True, help_text="Empty while nobody rated it"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["recorded_at", "id"]
        indexes = [models.Index(fields=["opportunity", "recorded_at"])]

    def __str__(self) -> str:
        return f"overlap {self.overlap}"


class Sentiment(models.TextChoices):
    CHAMPIONS = "champions", "Champions us"
    SUPPORTIVE = "supportive", "Supportive"
    NEUTRAL = "neutral", "Neutral"
    SKEPTICAL = "skeptical", "Skeptical"
    OPPOSED = "opposed", "Opposed"
    UNKNOWN = "unknown", "Unknown"


class Stakeholder(models.Model):
    """A contact's place in one deal: their stance, and a role that may differ per deal."""

    opportunity = models.ForeignKey(
        "deals.Opportunity", on_delete=models.CASCADE, related_name="stakeholders"
    )
    contact = models.ForeignKey(
        "accounts.Contact", on_delete=models.CASCADE, related_name="stakeholder_roles"
    )
    deal_role = models.CharField(
        max_length=30,
        choices=Contact.DealRole.choices,
        blank=True,
        help_text="Role in this deal when it differs from the contact's usual role",
    )
    sentiment = models.CharField(max_length=20, choices=Sentiment.choices, default="unknown")
    comment = models.TextField(blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["opportunity", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity", "contact"], name="stakeholder_once_per_deal"
            )
        ]

    def __str__(self) -> str:
        return f"{self.contact} ({self.sentiment})"


class BusinessIssue(models.Model):
    """The customer's business issue in their words, our paraphrase, and their confirmation."""

    opportunity = models.ForeignKey(
        "deals.Opportunity", on_delete=models.CASCADE, related_name="business_issues"
    )
    customer_words = models.TextField(help_text="What the customer said, as they said it")
    paraphrase = models.TextField(blank=True, help_text="Our paraphrase, read back to them")
    confirmed_on = models.DateField(
        null=True, blank=True, help_text="When the customer confirmed the paraphrase"
    )
    confirmed_by = models.ForeignKey(
        "accounts.Contact",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="confirmed_issues",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.customer_words[:60]

    @property
    def confirmed(self) -> bool:
        return self.confirmed_on is not None
