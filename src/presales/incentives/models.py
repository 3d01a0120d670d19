"""SPIFFs (a bonus for a sale or an activity in a window, for named products) and quota
buckets (a target per product, person and quarter). Attainment and earnings are computed."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from presales.activities.models import Kind


class Spiff(models.Model):
    class Basis(models.TextChoices):
        SALE = "sale", "A deal won with one of the products, closed in the window"
        ACTIVITY = "activity", "An activity of a kind on a deal with one of the products"

    name = models.CharField(max_length=120)
    purpose = models.TextField(blank=True, help_text="Why the company runs it")
    basis = models.CharField(max_length=10, choices=Basis.choices, default=Basis.SALE)
    activity_kind = models.CharField(
        max_length=20, choices=Kind.choices, blank=True, help_text="For an activity SPIFF"
    )
    products = models.ManyToManyField("products.Product", related_name="spiffs")
    starts_on = models.DateField()
    ends_on = models.DateField()
    rep_amount = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Paid to the deal's owner (rep) per qualifying deal or activity",
    )
    se_amount = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Paid to each SE on the deal (or in the activity) per qualifying item",
    )
    team = models.ForeignKey(
        "people.Team",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="spiffs",
        help_text="Empty: the whole company",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="spiff_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def window_days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1


class QuotaBucket(models.Model):
    """A quota for one product, one person (rep or SE) and one quarter."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quota_buckets"
    )
    product = models.ForeignKey(
        "products.Product", on_delete=models.CASCADE, related_name="quota_buckets"
    )
    year = models.PositiveSmallIntegerField(validators=[MinValueValidator(2000)])
    quarter = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    target = models.DecimalField(
        max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )

    class Meta:
        ordering = ["-year", "-quarter", "owner_id", "product_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "product", "year", "quarter"], name="quota_bucket_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.owner} · {self.product} · {self.year}-Q{self.quarter}"
