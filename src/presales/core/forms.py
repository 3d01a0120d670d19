"""Pages write through the same services as the API: a form only parses what the browser sent
into typed values; the service validates once, and its errors land on the form's fields."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

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
