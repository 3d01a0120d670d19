"""Who sees which notes: the author, and whoever sees the note's account, deal or activity.
Notes are personal writing: their author changes them, or a manager who sees them."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from presales.accounts.access import accounts_for
from presales.activities.access import attended
from presales.core import access
from presales.deals.access import opportunities_for
from presales.notes.models import Note
from presales.people.models import User


def notes_for(user: User | AnonymousUser) -> QuerySet[Note]:
    if not user.is_authenticated:
        return Note.objects.none()
    assert isinstance(user, User)
    if access.sees_everything(user):
        return Note.objects.all()
    # A note on an activity carries the activity's account and deal (see Note), so checking
    # those covers the activity's visibility except for the user's own internal activities.
    mine = attended(user)
    return Note.objects.filter(
        Q(author_id=user.pk)
        | Q(account__in=accounts_for(user).values("pk"))
        | Q(opportunity__in=opportunities_for(user).values("pk"))
        | Q(activity__in=mine)
    )


def can_write_notes(user: User | AnonymousUser) -> bool:
    return user.is_authenticated


access.register(Note, visible=notes_for, change=access.author_or_manager("author"))
