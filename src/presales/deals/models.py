from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

from presales.core.models import Sourced, Timestamped


class Stage(models.TextChoices):
    PROSPECTING = "prospecting", "Prospecting"
    DISCOVERY = "discovery", "Discovery"
    DEMO = "demo", "Demo"
    POC = "poc", "Proof of concept"
    PROPOSAL = "proposal", "Proposal"
    NEGOTIATION = "negotiation", "Negotiation"
    WON = "won", "Closed won"
    LOST = "lost", "Closed lost"


OPEN_STAGES = (
    Stage.PROSPECTING,
    Stage.DISCOVERY,
    Stage.DEMO,
    Stage.POC,
    Stage.PROPOSAL,
    Stage.NEGOTIATION,
)
CLOSED_STAGES = (Stage.WON, Stage.LOST)

# The default chance that a deal in a stage closes won; teams may weigh differently later.
STAGE_PROBABILITY: dict[str, Decimal] = {
    Stage.PROSPECTING: Decimal("0.05"),
    Stage.DISCOVERY: Decimal("0.10"),
    Stage.DEMO: Decimal("0.20"),
    Stage.POC: Decimal("0.40"),
    Stage.PROPOSAL: Decimal("0.60"),
    Stage.NEGOTIATION: Decimal("0.80"),
    Stage.WON: Decimal("1"),
    Stage.LOST: Decimal("0"),
}


class Flavor(models.TextChoices):
    PROBLEM = "problem", "Problem to fix"
    OPPORTUNITY = "opportunity", "Opportunity to seize"
    UNKNOWN = "unknown", "Not yet known"


class Opportunity(Sourced, Timestamped):
    """A discrete sales opportunity (DSO)."""

    name = models.CharField(max_length=200)
    account = models.ForeignKey(
        "accounts.Account",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="opportunities",
        help_text="Empty while an early deal has no account yet",
    )
    team = models.ForeignKey(
        "people.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="deals"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_deals",
        help_text="The rep who owns the deal",
    )
    sales_engineers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="se_deals"
    )
    flavor = models.CharField(max_length=20, choices=Flavor.choices, default=Flavor.UNKNOWN)
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.PROSPECTING)
    source_stage = models.CharField(
        max_length=120,
        blank=True,
        help_text="The stage's name in the system the deal was imported from",
    )
    amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    engage_date = models.DateField(null=True, blank=True)
    close_date = models.DateField(
        null=True, blank=True, help_text="Expected close date while open, actual once closed"
    )
    products = models.ManyToManyField("products.Product", blank=True, related_name="deals")
    competitors = models.ManyToManyField("products.Competitor", blank=True, related_name="deals")

    class Meta:
        ordering = ["-close_date", "name"]
        verbose_name_plural = "opportunities"
        indexes = [
            models.Index(fields=["team", "stage"]),
            models.Index(fields=["owner", "stage"]),
            models.Index(fields=["stage", "close_date"]),
            models.Index(fields=["close_date"]),
            models.Index(fields=["account", "close_date"]),
        ]
        constraints = [Sourced.source_constraint("opportunity_source_external_id")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES

    @property
    def probability(self) -> Decimal:
        return STAGE_PROBABILITY[self.stage]


class StageChange(models.Model):
    """One step of an opportunity's stage history."""

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="stage_changes"
    )
    from_stage = models.CharField(max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=20, choices=Stage.choices)
    changed_at = models.DateTimeField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["changed_at", "id"]
        indexes = [models.Index(fields=["opportunity", "changed_at"])]

    def __str__(self) -> str:
        return f"{self.from_stage or '∅'} → {self.to_stage}"


class TermsChange(models.Model):
    """A change of an opportunity's expected close date or amount, so slipped and pushed deals
    can be counted later (recorded by deals.services.update_opportunity)."""

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="terms_changes"
    )
    from_close_date = models.DateField(null=True, blank=True)
    to_close_date = models.DateField(null=True, blank=True)
    from_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    to_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    changed_at = models.DateTimeField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["changed_at", "id"]
        indexes = [
            models.Index(fields=["opportunity", "changed_at"]),
            models.Index(fields=["changed_at"]),
        ]

    def __str__(self) -> str:
        return (
            f"{self.from_close_date} → {self.to_close_date}, {self.from_amount} → {self.to_amount}"
        )

    @property
    def pushed(self) -> bool:
        """The close date moved later."""
        return bool(self.from_close_date and self.to_close_date) and (
            self.to_close_date > self.from_close_date  # type: ignore[operator]
        )


class StageProposal(models.Model):
    """A stage change proposed by someone who does not own the stage (an SE, say), waiting for
    the deal owner (or a manager) to accept or decline it."""

    class Status(models.TextChoices):
        OPEN = "open", "Waiting for the owner"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="stage_proposals"
    )
    from_stage = models.CharField(max_length=20, choices=Stage.choices)
    to_stage = models.CharField(max_length=20, choices=Stage.choices)
    reason = models.TextField(blank=True, max_length=2000, help_text="Why the stage should move")
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="stage_proposals",
    )
    proposed_at = models.DateTimeField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    stage_change = models.OneToOneField(
        StageChange,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="proposal",
        help_text="The stage change an accepted proposal made",
    )

    class Meta:
        ordering = ["-proposed_at", "-id"]
        indexes = [models.Index(fields=["opportunity", "status"])]

    def __str__(self) -> str:
        return f"{self.from_stage} → {self.to_stage} ({self.status})"


class LineItem(Sourced):
    """A product on a deal with its quantity and price, as the CRM's line items say."""

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="line_items"
    )
    product = models.ForeignKey("products.Product", on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(max_digits=14, decimal_places=2, default=1)
    unit_price = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    total_price = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["opportunity", "id"]
        constraints = [Sourced.source_constraint("line_item_source_external_id")]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product}"
