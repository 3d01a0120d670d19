"""Product gaps: what customers asked for that the product does not do, the deals it touches,
and the answer the customer got.

A gap is never left at "maybe": its status is committed (with a release or a date), declined
(with a reason), ranked by the customer against the other planned items, or under review with a
due date. Under review past the due date *is* a maybe, and it ages
(see ``ProductGap.days_overdue``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from presales.core.models import Timestamped


class Status(models.TextChoices):
    UNDER_REVIEW = "under_review", "Under review"
    COMMITTED = "committed", "Committed"
    DECLINED = "declined", "Declined"
    CUSTOMER_RANKED = "customer_ranked", "Ranked by the customer"


class Impact(models.TextChoices):
    DEAL_BREAKER = "deal_breaker", "Deal breaker"
    IMPORTANT = "important", "Important"
    NICE_TO_HAVE = "nice_to_have", "Nice to have"


class Origin(models.TextChoices):
    PAGE = "page", "Written on the gap page"
    DEBRIEF = "debrief", "A debrief's raised gap"
    NOTE = "note", "A feature request in a note"
    API = "api", "The API"
    CLI = "cli", "The command line"
    DEMO = "demo", "Demo data"


# How much of a deal a gap puts at stake, by impact, unless the deal's team weighs differently.
DEFAULT_IMPACT_WEIGHTS: dict[str, Decimal] = {
    Impact.DEAL_BREAKER: Decimal("1.00"),
    Impact.IMPORTANT: Decimal("0.50"),
    Impact.NICE_TO_HAVE: Decimal("0.10"),
}
IMPACT_RANK = {Impact.NICE_TO_HAVE: 0, Impact.IMPORTANT: 1, Impact.DEAL_BREAKER: 2}


class ProductGap(Timestamped):
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text="What the customer needs, and why")
    product_area = models.CharField(
        max_length=80, blank=True, help_text="The part of the product it concerns, e.g. Storage"
    )
    account = models.ForeignKey(
        "accounts.Account",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="product_gaps",
        help_text="The account that asked",
    )
    contacts = models.ManyToManyField(
        "accounts.Contact", blank=True, related_name="product_gaps", help_text="Who asked"
    )
    team = models.ForeignKey(
        "people.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="product_gaps",
        help_text="The team that raised it (its managers see the gap)",
    )
    competitors = models.ManyToManyField(
        "products.Competitor",
        blank=True,
        related_name="product_gaps",
        help_text="Competitors that already have it",
    )
    workaround = models.TextField(blank=True, help_text="The workaround offered, if any")
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="proposed_gaps",
    )
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.PAGE)
    # The answer.
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.UNDER_REVIEW)
    review_due_on = models.DateField(
        null=True, blank=True, help_text="Under review: the date the customer gets an answer by"
    )
    committed_release = models.CharField(max_length=40, blank=True)
    committed_on = models.DateField(null=True, blank=True, help_text="Committed: delivery date")
    declined_reason = models.TextField(blank=True)
    customer_rank = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Its place in the customer's ranking (1 = first)"
    )
    ranked_against = models.TextField(
        blank=True, help_text="The other planned items the customer ranked it against"
    )
    answer_text = models.TextField(blank=True, help_text="The exact answer given to the customer")
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="answered_gaps",
    )
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_gaps",
        help_text="Set when this gap was merged into another",
    )
    # Figures kept current by gaps.services.refresh_figures (links, deals, weights change).
    revenue_at_stake = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    revenue_lost = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    revenue_won = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    account_count = models.PositiveIntegerField(default=0)
    open_deal_count = models.PositiveIntegerField(default=0)
    word_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-revenue_at_stake", "-id"]
        indexes = [
            models.Index(fields=["merged_into", "revenue_at_stake"]),
            models.Index(fields=["merged_into", "revenue_lost"]),
            models.Index(fields=["merged_into", "account_count"]),
            models.Index(fields=["status", "review_due_on"]),
            models.Index(fields=["team", "status"]),
            models.Index(fields=["product_area"]),
            models.Index(fields=["created_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="under_review") | Q(review_due_on__isnull=False),
                name="gap_under_review_has_due_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def days_overdue(self, today: date | None = None) -> int:
        """Days past the review due date while still under review; 0 when not a maybe."""
        if self.status != Status.UNDER_REVIEW or self.review_due_on is None:
            return 0
        return max(0, ((today or timezone.localdate()) - self.review_due_on).days)

    @property
    def is_maybe(self) -> bool:
        return self.days_overdue() > 0

    @property
    def is_merged(self) -> bool:
        return self.merged_into_id is not None


def maybe_filter(today: date) -> Q:
    """Gaps still under review after their due date: the "maybes"."""
    return Q(status=Status.UNDER_REVIEW, review_due_on__lt=today, merged_into__isnull=True)


def open_filter() -> Q:
    """Gaps that still matter to a customer: not merged away and not declined."""
    return Q(merged_into__isnull=True) & ~Q(status=Status.DECLINED)


class GapOpportunity(models.Model):
    """A deal the gap touches, and how much."""

    gap = models.ForeignKey(ProductGap, on_delete=models.CASCADE, related_name="links")
    opportunity = models.ForeignKey(
        "deals.Opportunity", on_delete=models.CASCADE, related_name="gap_links"
    )
    impact = models.CharField(max_length=20, choices=Impact.choices, default=Impact.IMPORTANT)
    cited_as_loss_reason = models.BooleanField(
        default=False, help_text="The deal was lost and this gap was a cited reason"
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    linked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["gap", "opportunity"], name="gap_opportunity_unique")
        ]
        indexes = [models.Index(fields=["opportunity"])]

    def __str__(self) -> str:
        return f"{self.gap_id} → {self.opportunity_id} ({self.impact})"


class ImpactWeights(models.Model):
    """A team's weights for revenue at stake; a team without a row uses the defaults."""

    team = models.OneToOneField(
        "people.Team", on_delete=models.CASCADE, related_name="gap_impact_weights"
    )
    deal_breaker = models.DecimalField(
        max_digits=4, decimal_places=2, default=DEFAULT_IMPACT_WEIGHTS[Impact.DEAL_BREAKER]
    )
    important = models.DecimalField(
        max_digits=4, decimal_places=2, default=DEFAULT_IMPACT_WEIGHTS[Impact.IMPORTANT]
    )
    nice_to_have = models.DecimalField(
        max_digits=4, decimal_places=2, default=DEFAULT_IMPACT_WEIGHTS[Impact.NICE_TO_HAVE]
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "impact weights"
        constraints = [
            models.CheckConstraint(
                condition=Q(deal_breaker__gte=0, deal_breaker__lte=1)
                & Q(important__gte=0, important__lte=1)
                & Q(nice_to_have__gte=0, nice_to_have__lte=1),
                name="gap_weights_between_0_and_1",
            )
        ]

    def __str__(self) -> str:
        return f"Impact weights of {self.team}"

    def as_dict(self) -> dict[str, Decimal]:
        return {
            Impact.DEAL_BREAKER: self.deal_breaker,
            Impact.IMPORTANT: self.important,
            Impact.NICE_TO_HAVE: self.nice_to_have,
        }


class GapWord(models.Model):
    """The words of a gap's title and description: the word index duplicate suggestions use."""

    gap = models.ForeignKey(ProductGap, on_delete=models.CASCADE, related_name="words")
    word = models.CharField(max_length=40)

    class Meta:
        indexes = [models.Index(fields=["word", "gap"])]
        constraints = [models.UniqueConstraint(fields=["gap", "word"], name="gap_word_unique")]

    def __str__(self) -> str:
        return self.word


class GapMerge(models.Model):
    """One merge of a gap into another: who, when, what moved, and whether it was undone."""

    source = models.ForeignKey(ProductGap, on_delete=models.CASCADE, related_name="merges_out")
    target = models.ForeignKey(ProductGap, on_delete=models.CASCADE, related_name="merges_in")
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    merged_at = models.DateTimeField(default=timezone.now)
    moved = models.JSONField(
        default=dict, help_text="Links moved, links strengthened, contacts and competitors added"
    )
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-merged_at", "-id"]

    def __str__(self) -> str:
        return f"{self.source_id} → {self.target_id}"

    @property
    def is_undone(self) -> bool:
        return self.undone_at is not None


class GapAnswer(models.Model):
    """Every answer a gap was given, in order: the gap keeps the latest, this keeps them all."""

    gap = models.ForeignKey(ProductGap, on_delete=models.CASCADE, related_name="answers")
    status = models.CharField(max_length=20, choices=Status.choices)
    detail = models.CharField(
        max_length=300, blank=True, help_text="Release, date, reason or ranking, in a line"
    )
    answer_text = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["answered_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_status_display()}: {self.detail}"
