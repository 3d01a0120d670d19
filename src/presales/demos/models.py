"""The demo catalog: demos with their versions, and which demos an activity showed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from presales.core.models import Timestamped


class Demo(Timestamped):
    class Format(models.TextChoices):
        LIVE = "live", "Live"
        RECORDED = "recorded", "Recorded"
        CLICK_THROUGH = "click_through", "Click-through"
        SELF_GUIDED = "self_guided", "Self-guided"

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        SHARED = "shared", "Shared"
        MASTER = "master", "Master library"
        RETIRED = "retired", "Retired"

    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=500, blank=True, help_text="One line: what it shows")
    products = models.ManyToManyField("products.Product", blank=True, related_name="demos")
    personas = models.CharField(
        max_length=300, blank=True, help_text="Who it is for, comma-separated (CISO, IT admin)"
    )
    industry = models.CharField(max_length=80, blank=True, help_text="Empty: any industry")
    format = models.CharField(max_length=20, choices=Format.choices, default=Format.LIVE)
    duration_minutes = models.PositiveIntegerField(default=30)
    script = models.TextField(blank=True, help_text="The storyline, step by step")
    prerequisites = models.TextField(blank=True, help_text="What must be ready before showing it")
    environment_needed = models.CharField(
        max_length=200, blank=True, help_text="The lab environment it runs on"
    )
    links = models.TextField(blank=True, help_text="Assets and recordings, one link per line")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="demos"
    )
    state = models.CharField(max_length=20, choices=State.choices, default=State.DRAFT)
    curated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who put it in the master library",
    )
    curated_at = models.DateTimeField(
        null=True, blank=True, help_text="When it entered the master library"
    )
    forked_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="forks"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["title", "id"]
        indexes = [models.Index(fields=["state", "title"])]

    def __str__(self) -> str:
        return self.title

    @property
    def persona_list(self) -> list[str]:
        return [p.strip() for p in self.personas.split(",") if p.strip()]

    @property
    def link_list(self) -> list[str]:
        return [line.strip() for line in self.links.splitlines() if line.strip()]


class DemoVersion(models.Model):
    """What a demo said before an edit: its history, newest first."""

    demo = models.ForeignKey(Demo, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    script = models.TextField(blank=True)
    prerequisites = models.TextField(blank=True)
    change_note = models.CharField(max_length=300, blank=True)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["demo", "number"], name="demo_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.demo_id} v{self.number}"


class DemoShown(models.Model):
    """A demo shown in an activity (a meeting, a demo call), or one an import's subject seemed
    to name that the user has still to confirm (or rejected, so it is not suggested again)."""

    class Status(models.TextChoices):
        SHOWN = "shown", "Shown"
        TO_CONFIRM = "to_confirm", "To confirm"
        REJECTED = "rejected", "Not shown"

    class Matched(models.TextChoices):
        HAND = "hand", "Picked by hand"
        MEANING = "meaning", "Suggested by meaning"
        TITLE = "title", "Imported subject names its title"
        FUZZY = "fuzzy", "Imported subject close to its title"

    activity = models.ForeignKey(
        "activities.Activity", on_delete=models.CASCADE, related_name="demos_shown"
    )
    demo = models.ForeignKey(Demo, on_delete=models.PROTECT, related_name="showings")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=12,
        choices=Status.choices,
        default=Status.SHOWN,
        help_text="Only shown demos count in the statistics; an unsure match waits for the user",
    )
    matched = models.CharField(
        max_length=12,
        choices=Matched.choices,
        default=Matched.HAND,
        help_text="How the demo was found",
    )
    similarity = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="How close the imported subject was to the title, in %"
    )

    class Meta:
        ordering = ["activity", "demo"]
        constraints = [models.UniqueConstraint(fields=["activity", "demo"], name="demo_shown_once")]
        indexes = [models.Index(fields=["demo", "activity"])]

    def __str__(self) -> str:
        return f"{self.demo_id} in {self.activity_id}"


# -- what the statistics read: per-deal facts kept current as deals, activities and demos change --


class DealFact(models.Model):
    """One deal as the demo statistics see it, kept current by ``presales.demos.facts`` (a
    signal or service on each change, a full rebuild after imports)."""

    deal = models.OneToOneField(
        "deals.Opportunity", primary_key=True, on_delete=models.CASCADE, related_name="demo_fact"
    )
    segment = models.CharField(max_length=20, blank=True, help_text="The account's size")
    stage = models.CharField(max_length=20, help_text="The deal's stage now (won, lost or open)")
    amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    moment = models.DateTimeField(
        help_text="First showing of any demo, else entry into the demo stage, else creation"
    )
    stage_at_moment = models.CharField(max_length=20)
    advanced = models.BooleanField(help_text="Moved to a later stage within 30 days of the moment")
    products = models.TextField(
        blank=True, help_text="The deal's product ids, sorted, comma-separated"
    )
    demos_shown = models.PositiveIntegerField(default=0, help_text="Distinct demos shown in it")

    class Meta:
        # In the order the statistics group by, holding every column they read: SQLite then
        # groups while it scans the index, without sorting.
        indexes = [
            models.Index(
                fields=[
                    "segment",
                    "stage_at_moment",
                    "products",
                    "advanced",
                    "stage",
                    "demos_shown",
                    "moment",
                ],
                name="deal_fact_groups",
            )
        ]

    def __str__(self) -> str:
        return f"deal {self.deal_id}"


class DemoDealFact(models.Model):
    """A demo's first showing in a deal, with what the statistics need of the deal beside it
    (one row to group by, no join)."""

    demo = models.ForeignKey(Demo, on_delete=models.CASCADE, related_name="+")
    deal = models.ForeignKey(DealFact, on_delete=models.CASCADE, related_name="demos")
    activity_id = models.BigIntegerField(help_text="The meeting of the first showing")
    shown_at = models.DateTimeField()
    stage_at = models.CharField(max_length=20, help_text="The deal's stage when first shown")
    advanced = models.BooleanField(help_text="Moved to a later stage within 30 days of showing")
    # The deal's own facts, copied from DealFact.
    segment = models.CharField(max_length=20, blank=True)
    stage = models.CharField(max_length=20)
    amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    moment = models.DateTimeField()
    stage_at_moment = models.CharField(max_length=20)
    deal_advanced = models.BooleanField()
    comparable = models.BooleanField(
        help_text="The deal has one of the demo's products (or the demo names none)"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["demo", "deal"], name="demo_deal_fact_once")]
        indexes = [
            models.Index(fields=["activity_id"]),
            # As for DealFact: the grouping order first, then every column the statistics read.
            models.Index(
                fields=[
                    "demo",
                    "segment",
                    "stage_at",
                    "stage_at_moment",
                    "comparable",
                    "advanced",
                    "deal_advanced",
                    "stage",
                    "amount",
                    "moment",
                    "shown_at",
                    "deal",
                ],
                name="demo_deal_fact_groups",
            ),
        ]

    def __str__(self) -> str:
        return f"demo {self.demo_id} in deal {self.deal_id}"


class FactsRebuild(models.Model):
    """A full rebuild of the facts: after imports (which bypass the signals) and once a day."""

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    deals = models.PositiveIntegerField(default=0)
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"rebuild {self.started_at:%Y-%m-%d %H:%M}"


class FactsStamp(models.Model):
    """The version of the facts: a new random token on every write to them, in the writing
    transaction. The statistics computed from the facts are kept under it (``demos.cache``), so
    a figure computed before a write is never served after it."""

    token = models.CharField(max_length=32, help_text="Changes with every write to the facts")

    def __str__(self) -> str:
        return self.token
