"""Validation errors as a person reads them on a page: each field named by the label the form
shows ("Exact words given to the customer: ..."), never by its code ("answer_text: ...")."""

from __future__ import annotations

import re
from collections.abc import Mapping

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Model

_INDEXED = re.compile(r"^(?P<group>[a-z_]+)\.(?P<index>\d+)\.(?P<field>[a-z_]+)$")


def field_label(
    name: str, *, labels: Mapping[str, str] | None = None, model: type[Model] | None = None
) -> str:
    """The label of field ``name``: the page's own label, else the model field's verbose
    name, else the code made readable ("due_on" → "Due on"). ``commitments.1.due_on`` reads
    "Commitment 2, due on"."""
    labels = labels or {}
    if name in labels:
        return labels[name]
    indexed = _INDEXED.match(name)
    if indexed:
        group = labels.get(indexed["group"], indexed["group"].replace("_", " ").rstrip("s"))
        inner = field_label(indexed["field"], labels=labels, model=None).lower()
        return f"{group[:1].upper()}{group[1:]} {int(indexed['index']) + 1}, {inner}"
    if model is not None:
        try:
            verbose = str(getattr(model._meta.get_field(name), "verbose_name", name))
            return verbose[:1].upper() + verbose[1:]
        except FieldDoesNotExist:
            pass
    readable = name.removesuffix("_id").replace("_", " ").strip()
    return readable[:1].upper() + readable[1:]


def error_lines(
    exc: ValidationError,
    *,
    labels: Mapping[str, str] | None = None,
    model: type[Model] | None = None,
) -> list[str]:
    """One line per field, "Label: message", errors not tied to a field as they are."""
    if not hasattr(exc, "error_dict"):
        return list(exc.messages)
    lines = []
    for name, messages in exc.message_dict.items():
        text = " ".join(messages)
        if name in ("__all__", ""):
            lines.append(text)
        else:
            lines.append(f"{field_label(name, labels=labels, model=model)}: {text}")
    return lines
