"""What imports keep between runs: the history of runs, the content digest of every imported
record (so a re-import recognises unchanged rows without reading the objects) and the references
that wait for their target to arrive in a later file."""

from __future__ import annotations

from hashlib import blake2b

from django.conf import settings
from django.db import models
from django.utils import timezone


class Profile(models.TextChoices):
    SALESFORCE = "salesforce", "Salesforce export"
    HUBSPOT = "hubspot", "HubSpot export"
    MAVEN = "maven", "Maven CRM sample"
    CSV = "csv", "CSV with a mapping file"
    ICS = "ics", "Calendar (ICS)"
    EMAIL = "email", "Email (.eml, .mbox)"


class ImportRun(models.Model):
    """One ``presales import`` (or upload): who, what, when, and what came of it."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        DONE_WITH_ERRORS = "done_with_errors", "Done, some rows rejected"
        FAILED = "failed", "Failed"
        INTERRUPTED = "interrupted", "Interrupted: run it again to finish"

    profile = models.CharField(max_length=20, choices=Profile.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="import_runs",
        help_text="Empty when the import ran from the command line",
    )
    operator = models.CharField(
        max_length=150, blank=True, help_text="Who ran it from the command line"
    )
    files = models.JSONField(default=list, help_text="Names of the imported files")
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RUNNING)
    dry_run = models.BooleanField(default=False)
    strict = models.BooleanField(default=False)
    counts = models.JSONField(
        default=dict, help_text="Per object type: created, updated, unchanged, rejected, pending"
    )
    rejected = models.PositiveIntegerField(default=0)
    warnings = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True, help_text="Why the import failed, if it did")
    report = models.CharField(max_length=255, blank=True, help_text="File name of the report")
    pid = models.PositiveIntegerField(
        null=True, blank=True, help_text="Process that runs the import, while it runs"
    )
    host = models.CharField(max_length=200, blank=True, help_text="Machine that runs the import")
    updated_at = models.DateTimeField(
        default=timezone.now, help_text="Last sign of life: written with every committed batch"
    )
    deferred_indexes = models.JSONField(
        default=list,
        blank=True,
        help_text="Indexes set aside for a large load and not yet built again (name, SQL)",
    )
    set_aside = models.JSONField(
        default=list,
        blank=True,
        help_text="Models (app_label.model) a large load wrote without updating the figures kept "
        "from their rows (the team's weekly totals), computed again at its end",
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["user", "started_at"])]

    def __str__(self) -> str:
        return f"{self.get_profile_display()} import #{self.pk}"

    @property
    def totals(self) -> dict[str, int]:
        keys = ("created", "updated", "unchanged", "rejected", "pending")
        return {k: sum(int(c.get(k, 0)) for c in self.counts.values()) for k in keys}

    @property
    def who(self) -> str:
        if self.user is not None:
            return str(self.user)
        return f"{self.operator or 'someone'} (command line)"


def digest_number(digest: str | int) -> int:
    """The number a record's content digest is kept as: the first 60 bits of its hexadecimal
    form (any other text, such as a marker written by hand, is hashed to one). A number makes
    the digest table's rows a third smaller than the text did, and 60 bits leave a change
    unnoticed once in about 10^18."""
    if isinstance(digest, int):
        return digest
    if len(digest) == 32:
        try:
            return int(digest[:15], 16)
        except ValueError:
            pass
    return int(blake2b(digest.encode(), digest_size=16).hexdigest()[:15], 16)


class DigestField(models.BigIntegerField):
    """A content digest, given as its hexadecimal text (or a marker) and kept as a number."""

    def get_prep_value(self, value: object) -> object:
        if isinstance(value, str):
            return digest_number(value)
        return super().get_prep_value(value)


class ImportedRecord(models.Model):
    """The digest of a record's content as last imported, keyed like the object it made.

    A re-import compares digests instead of reading and comparing every field, which is what
    makes an unchanged file cheap to import again. The key is the record's identity itself, and
    on SQLite the table is stored in that key's order alone (``WITHOUT ROWID``, made so by
    migration ``0005``): one tree to write per record instead of the table and its unique index.
    Nothing refers to these rows, and the admin does not list them (it cannot show a model whose
    key has several columns).
    """

    pk = models.CompositePrimaryKey("source", "kind", "external_id")
    source = models.CharField(max_length=40)
    kind = models.CharField(max_length=40, help_text="Object type, e.g. account or activity")
    external_id = models.CharField(max_length=64)
    object_id = models.BigIntegerField(null=True, blank=True)
    digest = DigestField(help_text="See digest_number")

    def __str__(self) -> str:
        return f"{self.source}:{self.kind}:{self.external_id}"


class PendingReference(models.Model):
    """A reference to a record that has not arrived yet.

    With ``payload`` empty the object exists and only its field waits; with a payload the row
    itself waits because it cannot exist without its target (a contact without its account).
    """

    source = models.CharField(max_length=40)
    kind = models.CharField(max_length=40)
    external_id = models.CharField(max_length=64)
    field = models.CharField(max_length=60)
    target_kind = models.CharField(max_length=40)
    target_external_id = models.CharField(max_length=64)
    payload = models.JSONField(null=True, blank=True)
    file = models.CharField(max_length=255, blank=True)
    line = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["source", "kind", "external_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "kind", "external_id", "field"], name="pending_reference_key"
            )
        ]
        indexes = [models.Index(fields=["source", "target_kind", "target_external_id"])]

    def __str__(self) -> str:
        target = f"{self.target_kind} {self.target_external_id}"
        return f"{self.kind} {self.external_id}.{self.field} → {target}"


class Picklist(models.TextChoices):
    """The lists of values an export names that Presales keeps as its own choices."""

    STAGE = "stage", "Deal stage"
    ACTIVITY_TYPE = "activity_type", "Activity type"
    CONTACT_ROLE = "contact_role", "Contact role"


class ValueMapping(models.Model):
    """What one of a source's picklist values means in Presales (Salesforce's "Proposal/Quote"
    is a proposal). Recorded the first time an import meets the value; an administrator may
    change it, and later imports follow."""

    class Origin(models.TextChoices):
        DEFAULT = "default", "Presales default for this name"
        EXPORT = "export", "Read from the export"
        GUESS = "guess", "Guessed: please check"
        ADMIN = "admin", "Set by an administrator"

    source = models.CharField(max_length=40)
    picklist = models.CharField(max_length=20, choices=Picklist.choices)
    key = models.CharField(max_length=255, help_text="The value's name, compared without case")
    label = models.CharField(max_length=255, help_text="The value's name as the export writes it")
    value = models.CharField(max_length=40, blank=True, help_text="The Presales value it means")
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.DEFAULT)
    evidence = models.JSONField(
        default=dict, blank=True, help_text="What the export said about it when it was first seen"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["source", "picklist", "label"]
        constraints = [
            models.UniqueConstraint(fields=["source", "picklist", "key"], name="value_mapping_key")
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.picklist} {self.label!r} → {self.value or '(none)'}"
