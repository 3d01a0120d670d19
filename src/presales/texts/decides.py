"""Which writes may change who sees which text, so that the lists of visible texts kept per
user (``presales.texts.visibility``) are made anew after those writes and no others.

Who sees a text is who sees its source object (``presales.texts.access``), and the sources'
access rules read a few columns: each source's own ties (a note's author, account, deal and
meeting: ``TextSource.decided_by``) and, through ``core.access`` and the deal, account and
activity rules, the columns in ``RULE_INPUTS``. A write moves the visibility version when:

- it changes one of those columns of an existing row (compared with the row as stored, so an
  edited note body or a deal's new stage moves nothing);
- it adds a user, team, account or deal, or deletes one (a new deal on another team's account
  shows that account's own notes to the deal's team);
- it adds or removes a deal's sales engineers or a meeting's participants, except for a
  meeting not indexed yet (its text, written after the commit, is checked when it appears);
- it writes any of those models in bulk (``presales.core.signals.bulk_change``).

A new note, activity, debrief, gap or commitment moves nothing: its text is new, and each
kept list checks the texts added since it was made (``visibility.allowed_ids``).
``tests/test_texts_visibility.py`` checks that listing what a user sees reads no column
missing here, so a rule that comes to read another one fails the tests until it is added.
"""

from __future__ import annotations

from typing import Any, Literal

from django.apps import apps
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, pre_save

from presales.texts.models import Text
from presales.texts.sources import TextSource, registered

# Model label: the columns (field names) the access rules read; None: every write counts.
RULE_INPUTS: dict[str, tuple[str, ...] | None] = {
    "people.user": ("team", "manager", "role", "is_superuser"),
    "people.team": ("manager",),
    "accounts.account": ("team",),
    "deals.opportunity": ("team", "owner", "account"),
    "deals.opportunity_sales_engineers": None,
    "activities.activity_participants": None,
}


def _source(model: type[Model]) -> TextSource | None:
    return next((s for s in registered() if s.model is model), None)


def decided_by(model: type[Model]) -> tuple[str, ...] | Literal[False] | None:
    """The fields of ``model`` that may change who sees a text: a tuple, None for any field,
    False when no write to the model can."""
    source = _source(model)
    if source is not None:
        return source.decided_by
    return RULE_INPUTS.get(model._meta.label_lower, False)


def _changed() -> None:
    from presales.texts.visibility import changed

    changed()


def _before_save(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    fields = decided_by(sender)
    if fields is False:
        return
    if instance._state.adding or instance.pk is None:
        if _source(sender) is None:
            _changed()
        return
    if fields is None:
        _changed()
        return
    named = kwargs.get("update_fields")
    attnames = [_attname(sender, f) for f in fields]
    if named is not None and not set(named) & {*fields, *attnames}:
        return
    stored = sender._base_manager.filter(pk=instance.pk).values_list(*attnames).first()
    if stored is None or tuple(stored) != tuple(getattr(instance, a) for a in attnames):
        _changed()


def _attname(model: type[Model], name: str) -> str:
    field = model._meta.get_field(name)
    return str(getattr(field, "attname", name))


def _after_delete(sender: type[Model], **kwargs: Any) -> None:
    # A deleted source object takes its text along: no list needs to change for it.
    _changed()


def _relinked(sender: type[Model], instance: Model, action: str, **kwargs: Any) -> None:
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    source = None if kwargs.get("reverse") else _source(type(instance))
    if source is not None:
        indexed = Text.objects.filter(kind=source.kind, object_id=instance.pk)
        if not indexed.exists():
            return
    _changed()


def _bulk(sender: type[Model], **kwargs: Any) -> None:
    if decided_by(sender) is not False:
        _changed()


def connect_signals() -> None:
    from presales.core.signals import rows_changed

    # Saves of any model are looked at (sources registered later, such as demos, included);
    # deletes and relinks only of the models the rules read, so every other delete keeps
    # Django's fast path (no signal per row).
    pre_save.connect(_before_save, dispatch_uid="texts-decides-save")
    rows_changed.connect(_bulk, dispatch_uid="texts-decides-bulk")
    for label, fields in RULE_INPUTS.items():
        model = apps.get_model(label)
        if fields is None:
            m2m_changed.connect(_relinked, sender=model, dispatch_uid=f"texts-decides-{label}")
        else:
            post_delete.connect(
                _after_delete, sender=model, dispatch_uid=f"texts-decides-delete-{label}"
            )
