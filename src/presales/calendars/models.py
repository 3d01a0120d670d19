"""A person's calendar, published at an ICS address, that Presales fetches on a schedule so
meetings become activities without typing."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Subscription(models.Model):
    class Status(models.TextChoices):
        NEW = "new", "Not fetched yet"
        OK = "ok", "Imported"
        UNCHANGED = "unchanged", "Unchanged since the last fetch"
        ERROR = "error", "Failed"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_subscriptions"
    )
    name = models.CharField(max_length=100, help_text="What the person calls this calendar")
    url = models.URLField(max_length=1000, help_text="The calendar's published ICS address")
    created_at = models.DateTimeField(auto_now_add=True)
    fetched_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    error = models.TextField(blank=True, help_text="Why the last fetch failed")
    etag = models.CharField(max_length=300, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    events = models.PositiveIntegerField(default=0, help_text="Events in the last fetched copy")
    keys = models.JSONField(
        default=list, blank=True, help_text="The events of the last fetched copy (their keys)"
    )
    run = models.ForeignKey(
        "imports.ImportRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["user", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "url"], name="one_subscription_per_address")
        ]

    def __str__(self) -> str:
        return self.name
