"""Who may see and change what: written once, used by pages, the API and the CLI.

- An admin sees and changes everything.
- A product manager reads every account and deal and changes none of them.
- An SE or a rep sees their team's accounts and deals, plus any deal they own or are assigned to.
- A manager sees the teams they manage, the teams of anyone who reports to them (at any depth)
  and their own team.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Model, Q, QuerySet

from presales.accounts.models import Account, Contact
from presales.activities.models import Activity
from presales.deals.models import Opportunity
from presales.notes.models import Note
from presales.people.models import Role, Team, User
from presales.texts.models import Text

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


class PermissionDenied(Exception):
    """The user may not do this; pages answer 403, the API answers 403."""


def sees_everything(user: User) -> bool:
    return user.is_superuser or user.role in {Role.ADMIN, Role.PRODUCT_MANAGER}


def team_ids(user: User) -> set[int]:
    """The teams whose accounts and deals the user sees (meaningless for sees_everything).

    Computed once per user object, which in a request means once per request: a page asks for
    accounts, deals and notes and each of those needs the same set.
    """
    cached: set[int] | None = getattr(user, "_presales_team_ids", None)
    if cached is not None:
        return cached
    ids: set[int] = {user.team_id} if user.team_id else set()
    if user.is_manager_role:
        people = {user.pk}
        frontier = {user.pk}
        # Walk the reporting tree breadth first; orgs are shallow, so a few queries at most.
        while frontier:
            frontier = set(
                User.objects.filter(manager_id__in=frontier)
                .exclude(pk__in=people)
                .values_list("pk", flat=True)
            )
            people |= frontier
        ids |= set(Team.objects.filter(manager_id__in=people).values_list("pk", flat=True))
        ids |= set(
            User.objects.filter(pk__in=people, team__isnull=False).values_list("team_id", flat=True)
        )
    user._presales_team_ids = ids  # type: ignore[attr-defined]
    return ids


def _deal_filter(user: User, teams: set[int], prefix: str = "") -> Q:
    return (
        Q(**{f"{prefix}team_id__in": teams})
        | Q(**{f"{prefix}owner_id": user.pk})
        | Q(**{f"{prefix}sales_engineers": user.pk})
    )


def opportunities_for(user: User | AnonymousUser) -> QuerySet[Opportunity]:
    if not user.is_authenticated:
        return Opportunity.objects.none()
    assert isinstance(user, User)
    if sees_everything(user):
        return Opportunity.objects.all()
    teams = team_ids(user)
    ids = Opportunity.objects.filter(_deal_filter(user, teams)).values("pk")
    return Opportunity.objects.filter(pk__in=ids)


def accounts_for(user: User | AnonymousUser) -> QuerySet[Account]:
    if not user.is_authenticated:
        return Account.objects.none()
    assert isinstance(user, User)
    if sees_everything(user):
        return Account.objects.all()
    teams = team_ids(user)
    deal_accounts = opportunities_for(user).filter(account__isnull=False).values("account_id")
    return Account.objects.filter(Q(team_id__in=teams) | Q(pk__in=deal_accounts))


def contacts_for(user: User | AnonymousUser) -> QuerySet[Contact]:
    return Contact.objects.filter(account__in=accounts_for(user).values("pk"))


def activities_for(user: User | AnonymousUser) -> QuerySet[Activity]:
    if not user.is_authenticated:
        return Activity.objects.none()
    assert isinstance(user, User)
    if sees_everything(user):
        return Activity.objects.all()
    mine = Activity.participants.through.objects.filter(user_id=user.pk).values("activity_id")
    return Activity.objects.filter(
        Q(account__in=accounts_for(user).values("pk"))
        | Q(opportunity__in=opportunities_for(user).values("pk"))
        | Q(pk__in=mine)
    )


def notes_for(user: User | AnonymousUser) -> QuerySet[Note]:
    if not user.is_authenticated:
        return Note.objects.none()
    assert isinstance(user, User)
    if sees_everything(user):
        return Note.objects.all()
    return Note.objects.filter(
        Q(author_id=user.pk)
        | Q(account__in=accounts_for(user).values("pk"))
        | Q(opportunity__in=opportunities_for(user).values("pk"))
        | Q(activity__in=activities_for(user).values("pk"))
    )


def texts_for(user: User | AnonymousUser) -> QuerySet[Text]:
    """Indexed texts (presales.texts): whoever may see the source object may see its text."""
    from presales.texts.sources import registered

    if not user.is_authenticated:
        return Text.objects.none()
    assert isinstance(user, User)
    if sees_everything(user):
        return Text.objects.all()
    seen = Q(pk__in=[])
    for source in registered():
        seen |= Q(kind=source.kind, object_id__in=visible(user, source.model).values("pk"))
    return Text.objects.filter(seen)


_VISIBLE = {
    Account: accounts_for,
    Contact: contacts_for,
    Opportunity: opportunities_for,
    Activity: activities_for,
    Note: notes_for,
    Text: texts_for,
}


def visible(user: User | AnonymousUser, model: type[Model]) -> QuerySet[Any]:
    return _VISIBLE[model](user)


def can_see(user: User | AnonymousUser, obj: Model) -> bool:
    return visible(user, type(obj)).filter(pk=obj.pk).exists()


def can_change(user: User | AnonymousUser, obj: Model) -> bool:
    """Whether the user may edit ``obj`` (or, for a new object, attach things to it)."""
    if not user.is_authenticated:
        return False
    assert isinstance(user, User)
    if user.is_admin_role:
        return True
    if isinstance(obj, Note):
        # Notes are personal writing: their author changes them, or a manager who sees them.
        return (obj.author_id == user.pk or user.is_manager_role) and can_see(user, obj)
    if user.role == Role.PRODUCT_MANAGER:
        return False
    return can_see(user, obj)


def can_create_in(user: User | AnonymousUser, *, team: Team | None) -> bool:
    """Whether the user may create an account or a deal owned by ``team``."""
    if not user.is_authenticated:
        return False
    assert isinstance(user, User)
    if user.is_admin_role:
        return True
    if user.role == Role.PRODUCT_MANAGER:
        return False
    return team is None or team.pk in team_ids(user)


def require(allowed: bool, message: str = "You do not have access to this.") -> None:
    if not allowed:
        raise PermissionDenied(message)


def can_write_notes(user: User | AnonymousUser) -> bool:
    return user.is_authenticated


__all__ = [
    "PermissionDenied",
    "accounts_for",
    "activities_for",
    "can_change",
    "can_create_in",
    "can_see",
    "contacts_for",
    "notes_for",
    "opportunities_for",
    "require",
    "team_ids",
    "texts_for",
    "visible",
]
