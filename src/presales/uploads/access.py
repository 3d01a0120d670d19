"""Uploads for an import: who may import (managers and administrators, who answer for the
data) uploads; an upload is seen by who made it, managers and administrators, like imports."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from presales.core import access
from presales.imports.access import can_read_import_settings
from presales.people.models import User
from presales.uploads.models import Upload


def can_upload(user: User | AnonymousUser) -> bool:
    return can_read_import_settings(user)


def uploads_for(user: User | AnonymousUser) -> QuerySet[Upload]:
    if not user.is_authenticated:
        return Upload.objects.none()
    assert isinstance(user, User)
    if user.is_admin_role or user.is_manager_role:
        return Upload.objects.all()
    return Upload.objects.filter(user_id=user.pk)


def _change(user: User, upload: Upload) -> bool:
    return can_upload(user)


access.register(Upload, visible=uploads_for, change=_change)
