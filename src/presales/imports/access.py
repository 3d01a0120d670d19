"""Import history: admins and managers see every import (they answer for the data); everyone
else sees the imports they ran."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from presales.core import access
from presales.imports.models import ImportedRecord, ImportRun, PendingReference
from presales.people.models import User


def import_runs_for(user: User | AnonymousUser) -> QuerySet[ImportRun]:
    if not user.is_authenticated:
        return ImportRun.objects.none()
    assert isinstance(user, User)
    if user.is_admin_role or user.is_manager_role:
        return ImportRun.objects.all()
    return ImportRun.objects.filter(user_id=user.pk)


access.register(ImportRun, visible=import_runs_for)
access.internal(ImportedRecord, "The digest an import compares against; never shown.")
access.internal(PendingReference, "A reference waiting for its target; only imports read it.")
