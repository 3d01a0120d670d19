"""Who may see and change what: the mechanism every app shares.

Core holds what no single concept owns:

- An admin sees and changes everything; a product manager reads everything and changes nothing
  unless a concept says otherwise (``sees_everything``).
- A manager sees the teams they manage, the teams of anyone who reports to them (at any depth)
  and their own team; anyone else their own team (``team_ids``).
- An object tied to a deal is seen and changed only through that deal; one tied only to an
  account follows the account (``deal_or_account``). So a team whose deal sits on another
  team's account (a shared account) sees the account, its contacts and the account's own work,
  and nothing of the other team's deals: not their meetings, plans, debriefs, notes,
  commitments, reports or qualification.
- Moving an account or a deal to another team needs the right to change it in the old team and
  in the new one; "no team" is an administrator's choice (``can_move_to_team``).
- ``require`` turns a refusal into ``PermissionDenied`` (403); an object the user may not see
  is looked up through ``visible`` and so answers 404, not 403, and ids do not leak.
- The registry: each app states, in ``<app>/access.py`` beside its models, how a user's view of
  each model is listed and any exception to the change rule, and registers it when the app is
  ready. ``visible(user, Model)``, ``can_see`` and ``can_change`` read the registry::

      from presales.core import access

      def opportunities_for(user): ...

      access.register(Opportunity, visible=opportunities_for)
      access.register(Contact, visible=access.through(Contact, "account"))
      access.register(Note, visible=notes_for, change=access.author_or_manager("author"))
      access.reached_through(StageChange, "opportunity", "Shown only on its deal's history.")
      access.internal(GapWord, "The duplicate finder's word index; never shown.")

A model of a presales app with none of these fails the test suite (tests/test_access_registry).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model, Q, QuerySet

from presales.core.roles import Role

if TYPE_CHECKING:
    # The type checker reads these as the project's user model (settings.AUTH_USER_MODEL).
    from django.contrib.auth.models import _AnyUser as AnyUser
    from django.contrib.auth.models import _User as User

M = TypeVar("M", bound=Model)
Visibility = Callable[[Any], QuerySet[Any]]
ChangeRule = Callable[[Any, Any], bool]


class PermissionDenied(Exception):
    """The user may not do this; pages answer 403, the API answers 403."""


def require(allowed: bool, message: str = "You do not have access to this.") -> None:
    if not allowed:
        raise PermissionDenied(message)


def signed_in(user: AnyUser) -> User | None:
    """The user if they are logged in, else None."""
    if not user.is_authenticated:
        return None
    assert isinstance(user, get_user_model())
    return user


def sees_everything(user: User) -> bool:
    return user.is_superuser or user.role in {Role.ADMIN, Role.PRODUCT_MANAGER}


def _team_model() -> type[Model]:
    team = get_user_model()._meta.get_field("team").related_model
    assert isinstance(team, type) and issubclass(team, Model)
    return team


def reporting_tree(user: User) -> set[int]:
    """The user and everyone who reports to them, at any depth (breadth first; orgs are
    shallow, so a few queries at most)."""
    users = get_user_model().objects
    people = {user.pk}
    frontier = {user.pk}
    while frontier:
        below = users.filter(manager_id__in=frontier).exclude(pk__in=people)
        frontier = set(below.values_list("pk", flat=True))
        people |= frontier
    return people


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
        people = reporting_tree(user)
        managed = _team_model()._default_manager.filter(manager_id__in=people)
        ids |= set(managed.values_list("pk", flat=True))
        members = get_user_model().objects.filter(pk__in=people, team__isnull=False)
        ids |= set(members.values_list("team_id", flat=True))
    user._presales_team_ids = ids  # type: ignore[attr-defined]
    return ids


def built_once(user: User, name: str, build: Callable[[User], QuerySet[M]]) -> QuerySet[M]:
    """``build(user)``, built once per user object (so once per request) and handed out as a
    fresh copy: a request asks for the same rows several times (a deal resolved, then its
    account, a change checked), and building a filter of three conditions cost more than
    running it. Kept per role and teams, like ``team_ids``."""
    key = (name, user.pk, user.role, user.is_superuser, frozenset(team_ids(user)))
    held: dict[Any, QuerySet[Any]] | None = getattr(user, "_presales_rows", None)
    if held is None:
        held = {}
        user._presales_rows = held  # type: ignore[attr-defined]
    rows = held.get(key)
    if rows is None:
        rows = held[key] = build(user)
    return rows.all()


def teams_for(user: AnyUser) -> QuerySet[Any]:
    """The teams whose figures (forecasts, accuracy, reports) the user may read."""
    teams = _team_model()._default_manager
    person = signed_in(user)
    if person is None:
        return teams.none()
    if sees_everything(person):
        return teams.all()
    return teams.filter(pk__in=team_ids(person))


def can_manage_team(user: AnyUser, team: Model | None) -> bool:
    """Whether the user may change a team's settings (its qualification framework, topics)."""
    person = signed_in(user)
    if person is None:
        return False
    if person.is_admin_role:
        return True
    return team is not None and person.is_manager_role and team.pk in team_ids(person)


def can_create_in(user: AnyUser, *, team: Model | None) -> bool:
    """Whether the user may create an account or a deal owned by ``team``."""
    person = signed_in(user)
    if person is None:
        return False
    if person.is_admin_role:
        return True
    if person.role == Role.PRODUCT_MANAGER:
        return False
    return team is None or team.pk in team_ids(person)


MOVE_REFUSED = (
    "Moving this to another team needs the right to change it in its team and in the new one; "
    "only an administrator takes it out of every team."
)


def can_move_to_team(user: AnyUser, obj: Model, team: Model | None) -> bool:
    """Whether the user may move ``obj`` (an account or a deal, with a ``team``) to ``team``:
    an administrator always; otherwise the user must be able to change it, its current team
    must be one of theirs (or it has none yet) and so must the new one. Only an administrator
    takes a record out of every team."""
    person = signed_in(user)
    if person is None:
        return False
    if person.is_admin_role:
        return True
    if team is None or person.role == Role.PRODUCT_MANAGER:
        return False
    old: int | None = getattr(obj, "team_id", None)
    if old == team.pk:
        return can_change(person, obj)
    teams = team_ids(person)
    return (old is None or old in teams) and team.pk in teams and can_change(person, obj)


def deal_or_account(
    *,
    deals: QuerySet[Any],
    accounts: QuerySet[Any],
    mine: QuerySet[Any] | None = None,
    deal: str = "opportunity",
    account: str = "account",
) -> Q:
    """The condition for rows tied to a deal and an account: those whose deal is among
    ``deals``, those with no deal whose account is among ``accounts``, and any whose primary
    key is in ``mine`` (the user's own, such as meetings they attended)."""
    condition = Q(**{f"{deal}__in": deals.values("pk")}) | Q(
        **{f"{deal}__isnull": True, f"{account}__in": accounts.values("pk")}
    )
    if mine is not None:
        condition |= Q(pk__in=mine)
    return condition


# -- the registry -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """How one model is reached. Exactly one of ``visible``, ``parent`` or ``internal`` says it:
    a listing rule, the field whose object's rule it follows, or that it is never served."""

    model: type[Model]
    visible: Visibility | None = None
    change: ChangeRule | None = None
    parent: str = ""
    internal: bool = False
    reason: str = ""


_RULES: dict[type[Model], Rule] = {}


def _add(rule: Rule) -> None:
    known = _RULES.get(rule.model)
    if known is not None and known != rule:
        raise ImproperlyConfigured(f"Two access rules for {rule.model._meta.label}.")
    _RULES[rule.model] = rule


def register(model: type[Model], *, visible: Visibility, change: ChangeRule | None = None) -> None:
    """``visible(user)`` lists the objects of ``model`` the user sees; ``change(user, obj)``,
    when given, replaces the default change rule for a signed-in user who is not an admin."""
    _add(Rule(model, visible=visible, change=change))


def reached_through(
    model: type[Model], field: str, reason: str, *, change: ChangeRule | None = None
) -> None:
    """``model`` is served only beside the object its ``field`` points at, and whoever sees that
    object sees it (``visible(user, model)`` follows the parent's rule)."""
    model._meta.get_field(field)  # a misspelt field fails at start-up, not on first use
    _add(Rule(model, change=change, parent=field, reason=reason))


def internal(model: type[Model], reason: str) -> None:
    """``model`` is bookkeeping that no page, API call or command serves to a user."""
    _add(Rule(model, internal=True, reason=reason))


def rule_for(model: type[Model]) -> Rule | None:
    return _RULES.get(model)


def rules() -> list[Rule]:
    return list(_RULES.values())


def _parent_model(model: type[Model], field: str) -> type[Model]:
    parent = model._meta.get_field(field).related_model
    assert isinstance(parent, type) and issubclass(parent, Model)
    return parent


def through(model: type[M], field: str) -> Callable[[AnyUser], QuerySet[M]]:
    """A listing rule for a model tied to another: the rows whose ``field`` points at an object
    the user sees (a debrief through its activity, a contact through its account)."""
    parent = _parent_model(model, field)

    def rows(user: AnyUser) -> QuerySet[M]:
        seen = visible(user, parent).values("pk")
        return model._default_manager.filter(**{f"{field}__in": seen})

    return rows


def everyone(model: type[M]) -> Callable[[AnyUser], QuerySet[M]]:
    """A listing rule for reference data every signed-in user reads (products, teams)."""

    def rows(user: AnyUser) -> QuerySet[M]:
        if not user.is_authenticated:
            return model._default_manager.none()
        return model._default_manager.all()

    return rows


def author_or_manager(field: str) -> ChangeRule:
    """A change rule for personal writing: its author changes it, or a manager who sees it."""

    def rule(user: User, obj: Model) -> bool:
        return (getattr(obj, f"{field}_id") == user.pk or user.is_manager_role) and can_see(
            user, obj
        )

    return rule


def visible(user: AnyUser, model: type[Model]) -> QuerySet[Any]:
    rule = _RULES.get(model)
    if rule is None:
        raise LookupError(f"No access rule for {model._meta.label}; register one in its app.")
    if rule.visible is not None:
        return rule.visible(user)
    if rule.parent:
        return through(model, rule.parent)(user)
    raise LookupError(f"{model._meta.label} is internal and never served.")


def can_see(user: AnyUser, obj: Model) -> bool:
    return visible(user, type(obj)).filter(pk=obj.pk).exists()


def default_change(user: User, obj: Model) -> bool:
    """The rule without exceptions: a product manager changes nothing; others what they see."""
    if user.role == Role.PRODUCT_MANAGER:
        return False
    return can_see(user, obj)


def can_change(user: AnyUser, obj: Model, *, seen: bool = False) -> bool:
    """Whether the user may edit ``obj`` (or, for a new object, attach things to it): an admin
    anything, otherwise the model's registered change rule or ``default_change``. ``seen``:
    the caller has just read ``obj`` through ``visible(user, ...)`` in this transaction, so the
    default rule need not ask the database again (a model's own rule always runs)."""
    person = signed_in(user)
    if person is None:
        return False
    if person.is_admin_role:
        return True
    rule = _RULES.get(type(obj))
    if rule is not None and rule.change is not None:
        return rule.change(person, obj)
    if seen:
        return person.role != Role.PRODUCT_MANAGER
    return default_change(person, obj)


__all__ = [
    "MOVE_REFUSED",
    "PermissionDenied",
    "Rule",
    "author_or_manager",
    "built_once",
    "can_change",
    "can_create_in",
    "can_manage_team",
    "can_move_to_team",
    "can_see",
    "deal_or_account",
    "default_change",
    "everyone",
    "internal",
    "reached_through",
    "register",
    "reporting_tree",
    "require",
    "rule_for",
    "rules",
    "sees_everything",
    "signed_in",
    "team_ids",
    "teams_for",
    "through",
    "visible",
]
