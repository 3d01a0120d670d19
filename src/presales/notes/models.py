from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from presales.core.models import Sourced, Timestamped


class Note(Sourced, Timestamped):
    """Free text on an account, an opportunity or an activity.

    A note written on an activity also records the activity's opportunity and account, so that
    the account and deal pages find it without walking the activity table. Every writer keeps
    this invariant (notes.services.create_note does); notes.access.notes_for relies on it.
    """

    body = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notes",
    )
    account = models.ForeignKey(
        "accounts.Account", null=True, blank=True, on_delete=models.CASCADE, related_name="notes"
    )
    opportunity = models.ForeignKey(
        "deals.Opportunity",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notes",
    )
    activity = models.ForeignKey(
        "activities.Activity",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notes",
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["created_at"]),
            models.Index(fields=["account", "created_at"]),
            models.Index(fields=["opportunity", "created_at"]),
            models.Index(fields=["author", "created_at"]),
        ]
        constraints = [
            Sourced.source_constraint("note_source_external_id"),
            models.CheckConstraint(
                condition=Q(account__isnull=False)
                | Q(opportunity__isnull=False)
                | Q(activity__isnull=False),
                name="note_is_attached",
            ),
        ]

    def __str__(self) -> str:
        return self.body[:60]
