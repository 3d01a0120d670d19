"""Indexed texts: whoever may see the source object (a note, an activity, or any registered text
source) may see its text."""

from __future__ import annotations

from collections.abc import Collection

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from presales.core import access
from presales.people.models import User
from presales.texts.models import LabelCorrection, Text, TextVector
from presales.texts.sources import registered


def _seen(user: User, objects: dict[str, list[int]] | None = None) -> Q:
    """The texts whose source object ``user`` sees; with ``objects``, only among those source
    objects (kind: ids), so the database never lists the rest."""
    seen = Q(pk__in=[])
    for source in registered():
        if objects is not None and not objects.get(source.kind):
            continue  # building a rule's query costs more than asking it about a few rows
        visible = access.visible(user, source.model)
        if objects is not None:
            visible = visible.filter(pk__in=objects[source.kind])
        seen |= Q(kind=source.kind, object_id__in=visible.values("pk"))
    return seen


def texts_for(user: User | AnonymousUser) -> QuerySet[Text]:
    if not user.is_authenticated:
        return Text.objects.none()
    assert isinstance(user, User)
    if access.sees_everything(user):
        return Text.objects.all()
    return Text.objects.filter(_seen(user))


def texts_among(user: User | AnonymousUser, text_ids: Collection[int]) -> QuerySet[Text]:
    """``texts_for(user)`` among ``text_ids`` alone: the same rule, asked about a few texts
    (the newest, for a list of visible texts kept since) without listing every one."""
    if not user.is_authenticated or not text_ids:
        return Text.objects.none()
    assert isinstance(user, User)
    texts = Text.objects.filter(pk__in=list(text_ids))
    if access.sees_everything(user):
        return texts
    objects: dict[str, list[int]] = {}
    for kind, object_id in texts.values_list("kind", "object_id"):
        objects.setdefault(kind, []).append(object_id)
    return texts.filter(_seen(user, objects))


access.register(Text, visible=texts_for)
access.reached_through(LabelCorrection, "text", "A correction of a text's label, shown on it.")
access.internal(TextVector, "A text's embedding; search reads it, no one is shown it.")
