"""Pages write through the same services as the API: a form only parses what the browser sent
into typed values; the service validates once, and its errors land on the form's fields."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

from presales.core import access

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class DateTimeLocalInput(forms.DateTimeInput):
    """The browser's date-and-time picker; values are read in the user's time zone."""

    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format=DATETIME_LOCAL, **kwargs)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def service_errors_to_form(
    form: forms.Form,
    exc: ValidationError | access.PermissionDenied,
    aliases: Mapping[str, str] = {},
) -> None:
    """Put a service's errors on the form: a service names fields as the API does
    (``account_id``), the form by its own names (``account``)."""
    if isinstance(exc, access.PermissionDenied):
        form.add_error(None, str(exc))
        return
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return
    for key, messages in exc.message_dict.items():
        name = aliases.get(key, key.removesuffix("_id"))
        target = name if name in form.fields else None
        for message in messages:
            if target is None and key != "__all__":
                label = key.replace("_id", "").replace("_", " ")
                message = f"{label.capitalize()}: {message}"
            form.add_error(target, message)


def save_posted(
    request: HttpRequest,
    form: forms.Form,
    save: Callable[[], HttpResponse],
    *,
    aliases: Mapping[str, str] = {},
    stale: Model | None = None,
) -> HttpResponse | None:
    """The write step every create and edit page shares: when ``form`` was posted and is
    valid, call ``save`` (the service call, its message and the redirect) and return its
    response. When the service refuses, reload ``stale`` (the object the service may have
    half-changed in memory), put the service's errors on the form and return None, so the
    page shows the form again with them."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return save()
    except (ValidationError, access.PermissionDenied) as exc:
        if stale is not None:
            stale.refresh_from_db()
        service_errors_to_form(form, exc, aliases)
        return None
