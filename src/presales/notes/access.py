"""Who sees which notes: the author; for a note on a deal, whoever sees the deal; for a note on
an account alone, whoever sees the account; for a note on a meeting, also its participants.
Notes are personal writing: their author changes them, or a manager who sees them.

A team that shares an account with another team never reads the other team's deal notes."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from presales.accounts.access import accounts_for
from presales.activities.access import attended
from presales.core import access
from presales.core.services import MAX_ID
from presales.deals.access import opportunities_for
from presales.notes.models import Note
from presales.people.models import User


def notes_for(user: User | AnonymousUser) -> QuerySet[Note]:
    if not user.is_authenticated:
        return Note.objects.none()
    assert isinstance(user, User)
    if access.sees_everything(user):
        return Note.objects.all()
    # A note on an activity carries the activity's account and deal (see Note), so the deal
    # or account decides as for the activity; participants also read the notes on the meeting.
    return Note.objects.filter(
        Q(author_id=user.pk)
        | access.deal_or_account(deals=opportunities_for(user), accounts=accounts_for(user))
        | Q(activity__in=attended(user))
    )


def notes_on_deal(user: User | AnonymousUser, deal_id: int) -> QuerySet[Note]:
    """``notes_for(user)`` narrowed to one deal's notes. Every note on a deal the user sees is
    theirs to read (the deal decides), so that case needs no more than the deal's own check;
    a deal they do not see keeps the full rule (their own notes on it, their meetings')."""
    if 0 < deal_id <= MAX_ID and opportunities_for(user).filter(pk=deal_id).exists():
        return Note.objects.filter(opportunity_id=deal_id)
    return notes_for(user).filter(opportunity_id=deal_id)


def can_write_notes(user: User | AnonymousUser) -> bool:
    return user.is_authenticated


access.register(Note, visible=notes_for, change=access.author_or_manager("author"))
