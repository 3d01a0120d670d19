"""Duplicates found by probability, merges that can be undone, contact flags, corrections."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Kind(models.TextChoices):
    ACCOUNT = "account", "Accounts"
    CONTACT = "contact", "Contacts"


class DedupeRun(models.Model):
    """One pass of the duplicate finder over every account or contact."""

    kind = models.CharField(max_length=10, choices=Kind.choices)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    threshold = models.FloatField()
    records = models.PositiveIntegerField(default=0)
    pairs = models.PositiveIntegerField(default=0)
    clusters = models.PositiveIntegerField(default=0)
    merged_automatically = models.PositiveIntegerField(default=0)
    trained = models.JSONField(default=list, blank=True)
    seconds = models.FloatField(default=0)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.created_at:%Y-%m-%d %H:%M}"


class DuplicatePair(models.Model):
    """Two records that are probably the same company or person, with the reasons.

    The records are held by id, not by foreign key: a merge moves every foreign key that points
    at an account or a contact, and a candidate pair must not move with them."""

    class Status(models.TextChoices):
        OPEN = "open", "Waiting for review"
        MERGED = "merged", "Merged"
        DISTINCT = "distinct", "Not duplicates"

    run = models.ForeignKey(DedupeRun, on_delete=models.CASCADE, related_name="candidates")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    left_id = models.PositiveBigIntegerField()
    right_id = models.PositiveBigIntegerField()
    probability = models.FloatField()
    match_weight = models.FloatField(default=0)
    reasons = models.JSONField(default=list, help_text="Per comparison: level and match weight")
    cluster = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-probability", "pk"]
        indexes = [
            models.Index(fields=["kind", "status", "-probability"]),
            models.Index(fields=["kind", "left_id"]),
            models.Index(fields=["kind", "right_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.left_id}~{self.right_id} ({self.probability:.2f})"


class Merge(models.Model):
    """A merge with everything needed to undo it: the merged-away records as they were, the
    survivor's values before, each moved link and each link row set aside on a conflict."""

    kind = models.CharField(max_length=10, choices=Kind.choices)
    survivor_id = models.PositiveBigIntegerField()
    merged_ids = models.JSONField(default=list)
    survivor_before = models.JSONField(default=dict)
    merged_rows = models.JSONField(default=list, help_text="The merged-away records, every field")
    moved = models.JSONField(default=list, help_text="[model, pk, field, old id]")
    set_aside = models.JSONField(default=list, help_text="Link rows that would have collided")
    lost = models.JSONField(default=list, help_text="Field values the survivor did not keep")
    decisions = models.JSONField(default=list, help_text="The value kept per field and why")
    pairs = models.JSONField(default=list, help_text="Candidate pairs closed by the merge")
    automatic = models.BooleanField(default=False)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    team = models.ForeignKey(
        "people.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    survivor_name = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Merge {self.pk}: {self.kind} {self.merged_ids} into {self.survivor_id}"

    @property
    def undone(self) -> bool:
        return self.undone_at is not None

    @property
    def merged_names(self) -> list[str]:
        """The merged-away records as a person reads them: "Acme (hubspot)"."""
        out = []
        for row in self.merged_rows:
            name = row.get("name") or f"{row.get('first_name', '')} {row.get('last_name', '')}"
            out.append(f"{name.strip()} ({row.get('source', '')})")
        return out


class MergeEvent(models.Model):
    """The audit trail: each merge and unmerge, by whom and when."""

    class Action(models.TextChoices):
        MERGED = "merged", "Merged"
        UNMERGED = "unmerged", "Unmerged"

    merge = models.ForeignKey(Merge, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=10, choices=Action.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    summary = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.action} {self.merge_id} at {self.at}"


class SourceAlias(models.Model):
    """An external id whose record was merged into another: a later import from that source
    updates the survivor instead of making the duplicate again."""

    kind = models.CharField(max_length=10, choices=Kind.choices)
    source = models.CharField(max_length=40)
    external_id = models.CharField(max_length=64)
    target_id = models.PositiveBigIntegerField()
    merge = models.ForeignKey(Merge, on_delete=models.CASCADE, related_name="aliases")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "source", "external_id"], name="source_alias_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.external_id} -> {self.kind} {self.target_id}"


class ContactFlag(models.Model):
    """Why a contact should not be reached, with where the news came from and when."""

    class Reason(models.TextChoices):
        LEFT = "left_company", "Left the company"
        DECEASED = "deceased", "Deceased"
        RETIRED = "retired", "Retired"
        DO_NOT_CONTACT = "do_not_contact", "Do not contact"
        BOUNCED = "bounced", "E-mail bounced"
        NO_TOUCH = "no_touch", "No touch for months"
        TITLE_CHANGED = "title_changed", "Title changed"

    class Status(models.TextChoices):
        SUGGESTED = "suggested", "Suggested"
        CONFIRMED = "confirmed", "Confirmed"
        DISMISSED = "dismissed", "Dismissed"

    contact = models.ForeignKey("accounts.Contact", on_delete=models.CASCADE, related_name="flags")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUGGESTED)
    source = models.CharField(max_length=80, help_text="Where this came from: a rule, an import")
    noted_on = models.DateField(default=timezone.localdate)
    detail = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-noted_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["contact", "reason"], name="contact_flag_once")
        ]

    def __str__(self) -> str:
        return f"{self.contact_id}: {self.reason} ({self.status})"

    # Reasons that keep a contact out of plans, commitments and customer exports.
    BLOCKING = frozenset({"left_company", "deceased", "retired", "do_not_contact", "bounced"})


class Correction(models.Model):
    """A change to an account or a contact that anyone may suggest and the account's team or a
    data steward accepts."""

    class Status(models.TextChoices):
        OPEN = "open", "Waiting"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="corrections"
    )
    contact = models.ForeignKey(
        "accounts.Contact",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="corrections",
    )
    field = models.CharField(max_length=40)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    note = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    suggested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.field}: {self.old_value!r} -> {self.new_value!r}"


class AccountAddress(models.Model):
    """Where a company is and how it is reached, as imported: what the duplicate finder compares
    beside the name and the domains."""

    account = models.OneToOneField(
        "accounts.Account", on_delete=models.CASCADE, related_name="address"
    )
    street = models.CharField(max_length=200, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    city = models.CharField(max_length=80, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    website = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return ", ".join(p for p in (self.street, self.postal_code, self.city) if p)
