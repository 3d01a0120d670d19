from __future__ import annotations

from django.db import models

from presales.core.models import Sourced, Timestamped


class Account(Sourced, Timestamped):
    class Size(models.TextChoices):
        SMALL = "small", "Small (<200)"
        MID = "mid", "Mid-market (200–1,999)"
        LARGE = "large", "Large (2,000–9,999)"
        ENTERPRISE = "enterprise", "Enterprise (10,000+)"

    name = models.CharField(max_length=200)
    sector = models.CharField(max_length=80, blank=True)
    size = models.CharField(max_length=20, choices=Size.choices, blank=True)
    employees = models.PositiveIntegerField(null=True, blank=True)
    annual_revenue = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, help_text="Millions of USD"
    )
    country = models.CharField(max_length=80, blank=True)
    region = models.ForeignKey(
        "people.Region", null=True, blank=True, on_delete=models.SET_NULL, related_name="accounts"
    )
    team = models.ForeignKey(
        "people.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="accounts",
        help_text="The team that owns the account",
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="subsidiaries"
    )

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["name"]), models.Index(fields=["team", "name"])]
        constraints = [Sourced.source_constraint("account_source_external_id")]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def size_for(employees: int | None) -> str:
        if employees is None:
            return ""
        if employees < 200:
            return Account.Size.SMALL
        if employees < 2000:
            return Account.Size.MID
        if employees < 10000:
            return Account.Size.LARGE
        return Account.Size.ENTERPRISE


class AccountDomain(models.Model):
    """An e-mail or web domain of an account, used to recognise its people in calendars."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(max_length=253, unique=True)

    class Meta:
        ordering = ["domain"]

    def __str__(self) -> str:
        return self.domain

    def save(self, *args: object, **kwargs: object) -> None:
        self.domain = self.domain.strip().lower()
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class Contact(Sourced, Timestamped):
    class DealRole(models.TextChoices):
        ECONOMIC_BUYER = "economic_buyer", "Economic buyer"
        TECHNICAL_DECISION_MAKER = "technical_decision_maker", "Technical decision maker"
        CHAMPION = "champion", "Champion"
        SPONSOR = "sponsor", "Sponsor"
        GATEKEEPER = "gatekeeper", "Gatekeeper"
        USER = "user", "User"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        DO_NOT_CONTACT = "do_not_contact", "Do not contact"
        LEFT_COMPANY = "left_company", "Left the company"
        DECEASED = "deceased", "Deceased"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="contacts")
    first_name = models.CharField(max_length=80, blank=True)
    last_name = models.CharField(max_length=80)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    title = models.CharField(max_length=120, blank=True)
    deal_role = models.CharField(max_length=30, choices=DealRole.choices, blank=True)
    needs = models.TextField(blank=True, help_text="What this person needs from the deal")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [models.Index(fields=["account", "last_name"]), models.Index(fields=["email"])]
        constraints = [Sourced.source_constraint("contact_source_external_id")]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def reachable(self) -> bool:
        return self.status == Contact.Status.ACTIVE


class Asset(Sourced, Timestamped):
    """Install base: a product the account owns (bought, installed, in use until a date)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="assets")
    product = models.ForeignKey(
        "products.Product", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(max_length=255)
    quantity = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    status = models.CharField(max_length=40, blank=True)
    purchased_on = models.DateField(null=True, blank=True)
    installed_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True, help_text="End of use or subscription")

    class Meta:
        ordering = ["account", "name"]
        constraints = [Sourced.source_constraint("asset_source_external_id")]

    def __str__(self) -> str:
        return self.name
