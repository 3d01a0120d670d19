"""Indexed texts: whoever may see the source object (a note, an activity, or any registered text
source) may see its text."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from presales.core import access
from presales.people.models import User
from presales.texts.models import LabelCorrection, Text, TextVector
from presales.texts.sources import registered


def texts_for(user: User | AnonymousUser) -> QuerySet[Text]:
    if not user.is_authenticated:
        return Text.objects.none()
    assert isinstance(user, User)
    if access.sees_everything(user):
        return Text.objects.all()
    seen = Q(pk__in=[])
    for source in registered():
        seen |= Q(kind=source.kind, object_id__in=access.visible(user, source.model).values("pk"))
    return Text.objects.filter(seen)


access.register(Text, visible=texts_for)
access.reached_through(LabelCorrection, "text", "A correction of a text's label, shown on it.")
access.internal(TextVector, "A text's embedding; search reads it, no one is shown it.")
