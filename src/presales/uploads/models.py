"""Files uploaded for an import (in the browser or the API): where they are kept, what was
detected in them, the dry run an administrator reviews and the import that follows."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Upload(models.Model):
    class State(models.TextChoices):
        CHECKING = "checking", "Checking (dry run)"
        CHECKED = "checked", "Checked: ready to import"
        IMPORTING = "importing", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Failed"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="uploads",
        help_text="Who uploaded the files",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    folder = models.CharField(max_length=100, help_text="Folder under PRESALES_HOME/uploads")
    profile = models.CharField(max_length=20, help_text="The import type the files are read as")
    detected = models.CharField(
        max_length=20, blank=True, help_text="The import type the files looked like"
    )
    files = models.JSONField(
        default=list, help_text="Per file: name, size, the object it holds and its rows"
    )
    state = models.CharField(max_length=20, choices=State.choices, default=State.CHECKING)
    review = models.JSONField(
        default=dict,
        blank=True,
        help_text="What the dry run met: stage and other value mappings, owners without a person",
    )
    check_job = models.ForeignKey(
        "jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    import_job = models.ForeignKey(
        "jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    dry_run = models.ForeignKey(
        "imports.ImportRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    run = models.ForeignKey(
        "imports.ImportRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Upload {self.pk} ({self.profile})"

    @property
    def names(self) -> str:
        return ", ".join(f["name"] for f in self.files)
