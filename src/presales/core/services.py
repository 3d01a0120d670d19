"""Helpers that every domain service shares: resolving references the user may see, saving
with model validation, and the one error type services raise for bad input."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import ForeignKey, Model, TextField

from presales.core import access

if TYPE_CHECKING:
    from django.contrib.auth.models import _User as User

M = TypeVar("M", bound=Model)
# The largest id a 64-bit primary key can hold; larger numbers cannot name a row.
MAX_ID = 2**63 - 1


def resolve(user: User, model: type[M], pk: int | None, *, field: str) -> M | None:
    """The object ``pk`` of ``model`` if ``user`` may see it; a field error otherwise."""
    if pk is None:
        return None
    try:
        if not 0 < pk <= MAX_ID:
            raise model.DoesNotExist  # type: ignore[attr-defined]
        obj: M = access.visible(user, model).get(pk=pk)
    except model.DoesNotExist:  # type: ignore[attr-defined]
        label = model._meta.verbose_name
        raise ValidationError({field: f"No {label} with id {pk} that you can see."}) from None
    return obj


def resolve_many(user: User, model: type[M], pks: Iterable[int], *, field: str) -> list[M]:
    wanted = list(dict.fromkeys(pks))
    in_range = [pk for pk in wanted if 0 < pk <= MAX_ID]
    found = {obj.pk: obj for obj in access.visible(user, model).filter(pk__in=in_range)}
    missing = [pk for pk in wanted if pk not in found]
    if missing:
        label = model._meta.verbose_name_plural
        raise ValidationError({field: f"No {label} with ids {missing} that you can see."})
    return [found[pk] for pk in wanted]


def resolve_plain(model: type[M], pk: int | None, *, field: str) -> M | None:
    """Like ``resolve`` for reference data everybody may read (products, teams, users)."""
    if pk is None:
        return None
    try:
        if not 0 < pk <= MAX_ID:
            raise model.DoesNotExist  # type: ignore[attr-defined]
        return model._default_manager.get(pk=pk)
    except model.DoesNotExist:  # type: ignore[attr-defined]
        raise ValidationError({field: f"No {model._meta.verbose_name} with id {pk}."}) from None


def apply_changes(obj: M, changes: Mapping[str, Any]) -> M:
    """Set the changed fields; an explicit null for a field that cannot be empty is an error."""
    errors: dict[str, str] = {}
    for name, value in changes.items():
        field = obj._meta.get_field(name)
        if value is None and not getattr(field, "null", True):
            label = f"{name}_id" if field.is_relation else name
            errors[label] = "This field cannot be null."
            continue
        setattr(obj, name, value)
    if errors:
        raise ValidationError(errors)
    return obj


# A free-text field without its own max_length holds at most this many characters: about
# four printed pages, far more than a plan, a debrief answer or a note needs, and small enough
# that a pasted log file cannot make a page unreadable.
TEXT_LIMIT = 10_000


def text_limit_errors(obj: Model, *, exclude: Iterable[str] = ()) -> dict[str, str]:
    """Free-text fields longer than their limit (``max_length`` or ``TEXT_LIMIT``)."""
    skip = set(exclude)
    errors: dict[str, str] = {}
    for field in obj._meta.concrete_fields:
        if not isinstance(field, TextField) or field.name in skip:
            continue
        value = getattr(obj, field.attname)
        limit = field.max_length or TEXT_LIMIT
        if isinstance(value, str) and len(value) > limit:
            errors[field.name] = (
                f"Keep this under {limit:,} characters (it has {len(value):,}); "
                "put long material in a linked document."
            )
    return errors


def _loaded_references(obj: Model) -> list[str]:
    """Foreign keys whose object is held on ``obj`` as read from the database (a deal the
    service resolved, the acting user): it exists, so asking the database again is waste.
    A key limited to some choices is always checked."""
    names = []
    for field in obj._meta.concrete_fields:
        if not isinstance(field, ForeignKey) or not field.is_cached(obj):
            continue
        related = field.get_cached_value(obj)
        if (
            related is not None
            and not related._state.adding
            and related.pk == getattr(obj, field.attname)
            and not field.get_limit_choices_to()
        ):
            names.append(field.name)
    return names


def references(obj: Model) -> dict[str, Any]:
    """The foreign keys of an object as read from the database, to give ``validate_and_save``
    after changing it (``as_read``): a key still holding the value read exists."""
    if obj._state.adding:
        return {}
    return {  # a foreign key's attname is its name and "_id"
        field.name: getattr(obj, field.attname)
        for field in obj._meta.concrete_fields
        if isinstance(field, ForeignKey) and not field.get_limit_choices_to()
    }


def _full_clean(obj: Model, exclude: list[str], as_read: Mapping[str, Any]) -> None:
    """``Model.full_clean`` but for the existence of foreign keys already loaded or unchanged
    since read: the fields' own checks, ``clean()``, unique fields and constraints, errors
    gathered as Django does."""
    unchanged = [
        name
        for name, value in as_read.items()
        if value is not None and getattr(obj, f"{name}_id", None) == value
    ]
    errors: dict[str, Any] = {}
    try:
        obj.clean_fields(exclude=[*exclude, *_loaded_references(obj), *unchanged])
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    try:
        obj.clean()
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    for check in (obj.validate_unique, obj.validate_constraints):
        # Only the fields that passed their own checks, as Django does.
        skip = {*exclude, *(name for name in errors if name != NON_FIELD_ERRORS)}
        try:
            check(exclude=skip)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def validate_and_save(
    obj: M, *, exclude: Iterable[str] = (), as_read: Mapping[str, Any] | None = None
) -> M:
    """Validate as ``full_clean`` does, then save. ``as_read``: ``references(obj)`` taken when
    it was read, so that keys left as they were are not looked up again."""
    exclude = list(exclude)
    too_long = text_limit_errors(obj, exclude=exclude)
    try:
        _full_clean(obj, exclude, as_read or {})
    except ValidationError as exc:
        if not too_long:
            raise
        merged = {**exc.message_dict, **{k: [v] for k, v in too_long.items()}}
        raise ValidationError(merged) from None
    if too_long:
        raise ValidationError(too_long)
    obj.save()
    return obj
