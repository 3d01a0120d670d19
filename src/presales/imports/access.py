"""Import history: admins and managers see every import (they answer for the data); everyone
else sees the imports they ran. What imported values mean (picklist mappings) and which owner
ids records wait for are read by managers and administrators and changed by administrators only,
since a change rewrites imported data."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from presales.core import access
from presales.imports.models import ImportedRecord, ImportRun, PendingReference, ValueMapping
from presales.people.models import User


def import_runs_for(user: User | AnonymousUser) -> QuerySet[ImportRun]:
    if not user.is_authenticated:
        return ImportRun.objects.none()
    assert isinstance(user, User)
    if user.is_admin_role or user.is_manager_role:
        return ImportRun.objects.all()
    return ImportRun.objects.filter(user_id=user.pk)


def can_read_import_settings(user: User | AnonymousUser) -> bool:
    return user.is_authenticated and (user.is_admin_role or user.is_manager_role)


def can_change_import_settings(user: User | AnonymousUser) -> bool:
    return user.is_authenticated and user.is_admin_role


def value_mappings_for(user: User | AnonymousUser) -> QuerySet[ValueMapping]:
    if not can_read_import_settings(user):
        return ValueMapping.objects.none()
    return ValueMapping.objects.all()


def _change_settings(user: User, obj: ValueMapping) -> bool:
    return can_change_import_settings(user)


access.register(ImportRun, visible=import_runs_for)
access.register(ValueMapping, visible=value_mappings_for, change=_change_settings)
access.internal(ImportedRecord, "The digest an import compares against; never shown.")
access.internal(PendingReference, "A reference waiting for its target; only imports read it.")
