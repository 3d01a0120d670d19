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
from presales.forecasts.models import Line, Snapshot, Submission
from presales.gaps.models import ProductGap
from presales.incentives.models import QuotaBucket, Spiff
from presales.meetings.models import Commitment, Debrief, Report, Topic
from presales.notes.models import Note
from presales.people.models import Role, Team, User
from presales.scorecards.models import Goal, ScoreboardSetting
from presales.texts.models import Text

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


class PermissionDenied(Exception):
    """The user may not do this; pages answer 403, the API answers 403."""


def sees_everything(user: User) -> bool:
    return user.is_superuser or user.role in {Role.ADMIN, Role.PRODUCT_MANAGER}


def _reporting_tree(user: User) -> set[int]:
    """The user and everyone who reports to them, at any depth (breadth first; orgs are
    shallow, so a few queries at most)."""
    people = {user.pk}
    frontier = {user.pk}
    while frontier:
        frontier = set(
            User.objects.filter(manager_id__in=frontier)
            .exclude(pk__in=people)
            .values_list("pk", flat=True)
        )
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
        people = _reporting_tree(user)
        ids |= set(Team.objects.filter(manager_id__in=people).values_list("pk", flat=True))
        ids |= set(
            User.objects.filter(pk__in=people, team__isnull=False).values_list("team_id", flat=True)
        )
    user._presales_team_ids = ids  # type: ignore[attr-defined]
    return ids


def opportunities_for(user: User | AnonymousUser) -> QuerySet[Opportunity]:
    if not user.is_authenticated:
        return Opportunity.objects.none()
    assert isinstance(user, User)
    if sees_everything(user):
        return Opportunity.objects.all()
    # Three indexed conditions rather than a join on the SE table: no duplicate rows, and the
    # database can answer each part from an index.
    supported = Opportunity.sales_engineers.through.objects.filter(user_id=user.pk)
    return Opportunity.objects.filter(
        Q(team_id__in=team_ids(user))
        | Q(owner_id=user.pk)
        | Q(pk__in=supported.values("opportunity_id"))
    )


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


def _attended(user: User) -> QuerySet[Any]:
    """Ids of the activities the user took part in (always visible to them)."""
    return Activity.participants.through.objects.filter(user_id=user.pk).values("activity_id")


def activities_for(user: User | AnonymousUser) -> QuerySet[Activity]:
    if not user.is_authenticated:
        return Activity.objects.none()
    assert isinstance(user, User)
    if sees_everything(user):
        return Activity.objects.all()
    mine = _attended(user)
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
    # A note on an activity carries the activity's account and deal (see Note), so checking
    # those covers the activity's visibility except for the user's own internal activities.
    mine = _attended(user)
    return Note.objects.filter(
        Q(author_id=user.pk)
        | Q(account__in=accounts_for(user).values("pk"))
        | Q(opportunity__in=opportunities_for(user).values("pk"))
        | Q(activity__in=mine)
    )


def debriefs_for(user: User | AnonymousUser) -> QuerySet[Debrief]:
    return Debrief.objects.filter(activity__in=activities_for(user).values("pk"))


def commitments_for(user: User | AnonymousUser) -> QuerySet[Commitment]:
    return Commitment.objects.filter(account__in=accounts_for(user).values("pk"))


def reports_for(user: User | AnonymousUser) -> QuerySet[Report]:
    """Published reports on what the user sees, and the user's own drafts."""
    if not user.is_authenticated:
        return Report.objects.none()
    assert isinstance(user, User)
    if sees_everything(user):
        return Report.objects.filter(Q(published_at__isnull=False) | Q(author_id=user.pk))
    seen = Q(account__in=accounts_for(user).values("pk")) | Q(
        opportunity__in=opportunities_for(user).values("pk")
    )
    return Report.objects.filter((Q(published_at__isnull=False) & seen) | Q(author_id=user.pk))


def topics_for(user: User | AnonymousUser) -> QuerySet[Topic]:
    """The shared topic map plus the topics of the teams the user sees."""
    if not user.is_authenticated:
        return Topic.objects.none()
    assert isinstance(user, User)
    if sees_everything(user):
        return Topic.objects.all()
    return Topic.objects.filter(Q(team__isnull=True) | Q(team_id__in=team_ids(user)))


def can_manage_team(user: User | AnonymousUser, team: Team | None) -> bool:
    """Whether the user may change a team's settings (its qualification framework, topics)."""
    if not user.is_authenticated:
        return False
    assert isinstance(user, User)
    if user.is_admin_role:
        return True
    return team is not None and user.is_manager_role and team.pk in team_ids(user)


def gaps_for(user: User | AnonymousUser) -> QuerySet[ProductGap]:
    """Product gaps: everything for a product manager or admin; otherwise the gaps of the teams
    the user sees (a manager: the teams they manage), gaps on accounts they see, and their own."""
    if not user.is_authenticated:
        return ProductGap.objects.none()
    assert isinstance(user, User)
    if sees_everything(user):
        return ProductGap.objects.all()
    return ProductGap.objects.filter(
        Q(team_id__in=team_ids(user))
        | Q(proposed_by_id=user.pk)
        | Q(account__in=accounts_for(user).values("pk"))
    )


def can_propose_gap(user: User | AnonymousUser) -> bool:
    """Anyone logged in may write a gap down: the SE is product management's ears."""
    return user.is_authenticated


def can_answer_gap(user: User | AnonymousUser, gap: ProductGap) -> bool:
    """Only a product manager (or an admin) answers a gap: sets its status and the answer."""
    if not user.is_authenticated:
        return False
    assert isinstance(user, User)
    return (user.is_admin_role or user.role == Role.PRODUCT_MANAGER) and can_see(user, gap)


def can_merge_gaps(user: User | AnonymousUser) -> bool:
    """Merging duplicates (and undoing a merge) is product management's call."""
    if not user.is_authenticated:
        return False
    assert isinstance(user, User)
    return user.is_admin_role or user.role == Role.PRODUCT_MANAGER


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
    Debrief: debriefs_for,
    Commitment: commitments_for,
    Report: reports_for,
    Topic: topics_for,
    ProductGap: gaps_for,
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
    if isinstance(obj, Note | Report):
        # Notes are personal writing: their author changes them, or a manager who sees them.
        return (obj.author_id == user.pk or user.is_manager_role) and can_see(user, obj)
    if isinstance(obj, ProductGap):
        # The proposal's words: its author, a manager who sees it, or product management.
        if user.role == Role.PRODUCT_MANAGER or user.is_manager_role:
            return can_see(user, obj)
        return obj.proposed_by_id == user.pk and can_see(user, obj)
    if isinstance(obj, Topic) and obj.team_id is None:
        return False  # the shared topic map belongs to the administrators
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


def import_runs_for(user: User | AnonymousUser) -> QuerySet[Any]:
    """Import history: admins and managers see every import (they answer for the data);
    everyone else sees the imports they ran."""
    from presales.imports.models import ImportRun

    if not user.is_authenticated:
        return ImportRun.objects.none()
    assert isinstance(user, User)
    if user.is_admin_role or user.is_manager_role:
        return ImportRun.objects.all()
    return ImportRun.objects.filter(user_id=user.pk)


def can_read_import_settings(user: User | AnonymousUser) -> bool:
    """What imported values mean and which owners records wait for: read by those who answer
    for the data (administrators and managers)."""
    return user.is_authenticated and (user.is_admin_role or user.is_manager_role)


def can_change_import_settings(user: User | AnonymousUser) -> bool:
    """Changing what imported values mean or who an owner id is rewrites imported data."""
    return user.is_authenticated and user.is_admin_role


# -- scorecards and incentives ------------------------------------------------------------------


def scorecard_people_for(user: User | AnonymousUser) -> QuerySet[User]:
    """Whose personal scorecard (goals, figures, payout) the user may see: their own; a manager
    also sees everyone on the teams they manage and everyone reporting to them; an admin all."""
    if not user.is_authenticated:
        return User.objects.none()
    assert isinstance(user, User)
    if user.is_admin_role:
        return User.objects.all()
    if user.is_manager_role:
        return User.objects.filter(Q(pk__in=_reporting_tree(user)) | Q(team_id__in=team_ids(user)))
    return User.objects.filter(pk=user.pk)


def scoreboard_teams_for(user: User | AnonymousUser) -> QuerySet[Team]:
    """Whose team scoreboard the user may see: a manager the teams they see, an admin all, a
    member their own team unless the team keeps its scoreboard to managers."""
    if not user.is_authenticated:
        return Team.objects.none()
    assert isinstance(user, User)
    if user.is_admin_role:
        return Team.objects.all()
    if user.is_manager_role:
        return Team.objects.filter(pk__in=team_ids(user))
    closed = ScoreboardSetting.objects.filter(
        visibility=ScoreboardSetting.Visibility.MANAGERS
    ).values("team_id")
    if user.team_id is None:
        return Team.objects.none()
    return Team.objects.filter(pk=user.team_id).exclude(pk__in=closed)


def can_set_goals(user: User | AnonymousUser, *, owner: User | None, team: Team | None) -> bool:
    """Goals: an admin sets any; a manager sets them for the people and teams they manage; an
    SE or rep drafts their own (their manager sees the lints)."""
    if not user.is_authenticated:
        return False
    assert isinstance(user, User)
    if user.is_admin_role:
        return True
    if team is not None:
        return user.is_manager_role and team.pk in team_ids(user)
    if owner is None:
        return False
    if owner.pk == user.pk:
        return user.role in {Role.SE, Role.REP}
    return user.is_manager_role and scorecard_people_for(user).filter(pk=owner.pk).exists()


def can_set_pay(user: User | AnonymousUser, *, owner: User) -> bool:
    """Bonus plans and quota buckets: an admin, or a manager of the person (never oneself)."""
    if not user.is_authenticated:
        return False
    assert isinstance(user, User)
    if user.is_admin_role:
        return True
    return (
        user.is_manager_role
        and owner.pk != user.pk
        and scorecard_people_for(user).filter(pk=owner.pk).exists()
    )


def spiffs_for(user: User | AnonymousUser) -> QuerySet[Spiff]:
    """Company-wide SPIFFs and those of the teams the user sees."""
    if not user.is_authenticated:
        return Spiff.objects.none()
    assert isinstance(user, User)
    if sees_everything(user):
        return Spiff.objects.all()
    return Spiff.objects.filter(Q(team__isnull=True) | Q(team_id__in=team_ids(user)))


def can_manage_spiff(user: User | AnonymousUser, *, team: Team | None) -> bool:
    """A company-wide SPIFF is the administrators'; a team's SPIFF also its managers' (the
    same rule as any other team setting)."""
    return can_manage_team(user, team)


def quota_buckets_for(user: User | AnonymousUser) -> QuerySet[QuotaBucket]:
    return QuotaBucket.objects.filter(owner__in=scorecard_people_for(user).values("pk"))


def goals_for(user: User | AnonymousUser) -> QuerySet[Goal]:
    """Goals of the people whose scorecard the user sees and of the teams whose scoreboard
    the user sees."""
    return Goal.objects.filter(
        Q(owner__in=scorecard_people_for(user).values("pk"))
        | Q(team__in=scoreboard_teams_for(user).values("pk"))
    )


_VISIBLE.update({Goal: goals_for, Spiff: spiffs_for, QuotaBucket: quota_buckets_for})


def teams_for(user: User | AnonymousUser) -> QuerySet[Team]:
    """The teams whose figures (forecasts, accuracy, reports) the user may read."""
    if not user.is_authenticated:
        return Team.objects.none()
    assert isinstance(user, User)
    if sees_everything(user):
        return Team.objects.all()
    return Team.objects.filter(pk__in=team_ids(user))


def forecast_submissions_for(user: User | AnonymousUser) -> QuerySet[Submission]:
    """Forecasts of the teams the user sees, and the user's own."""
    if not user.is_authenticated:
        return Submission.objects.none()
    assert isinstance(user, User)
    if sees_everything(user):
        return Submission.objects.all()
    return Submission.objects.filter(Q(team_id__in=team_ids(user)) | Q(owner_id=user.pk))


def snapshots_for(user: User | AnonymousUser) -> QuerySet[Snapshot]:
    return Snapshot.objects.filter(team__in=teams_for(user).values("pk"))


def can_submit_forecast(user: User | AnonymousUser, owner: User) -> bool:
    """A rep submits their own forecast; an administrator may submit for anyone."""
    if not user.is_authenticated:
        return False
    assert isinstance(user, User)
    return user.is_admin_role or user.pk == owner.pk


def can_adjust_forecast(user: User | AnonymousUser, submission: Submission) -> bool:
    """A manager adjusts the forecasts of the teams they manage (not their own forecast)."""
    if not user.is_authenticated:
        return False
    assert isinstance(user, User)
    if user.is_admin_role:
        return True
    return (
        user.is_manager_role
        and submission.owner_id != user.pk
        and submission.team_id is not None
        and submission.team_id in team_ids(user)
    )


def can_rate_confidence(user: User | AnonymousUser, line: Line) -> bool:
    """The SEs of the deal give its technical confidence (an administrator may too)."""
    if not user.is_authenticated:
        return False
    assert isinstance(user, User)
    if user.is_admin_role:
        return True
    return line.opportunity.sales_engineers.filter(pk=user.pk).exists()


def can_take_snapshot(user: User | AnonymousUser) -> bool:
    """Snapshots cover every team, so administrators and managers take them."""
    if not user.is_authenticated:
        return False
    assert isinstance(user, User)
    return user.is_admin_role or user.is_manager_role


_VISIBLE[Submission] = forecast_submissions_for
_VISIBLE[Snapshot] = snapshots_for


__all__ = [
    "PermissionDenied",
    "accounts_for",
    "activities_for",
    "can_adjust_forecast",
    "can_answer_gap",
    "can_change",
    "can_create_in",
    "can_manage_spiff",
    "can_manage_team",
    "can_merge_gaps",
    "can_propose_gap",
    "can_rate_confidence",
    "can_see",
    "can_set_goals",
    "can_set_pay",
    "can_submit_forecast",
    "can_take_snapshot",
    "commitments_for",
    "contacts_for",
    "debriefs_for",
    "forecast_submissions_for",
    "gaps_for",
    "goals_for",
    "import_runs_for",
    "notes_for",
    "opportunities_for",
    "quota_buckets_for",
    "reports_for",
    "require",
    "scoreboard_teams_for",
    "scorecard_people_for",
    "snapshots_for",
    "spiffs_for",
    "team_ids",
    "teams_for",
    "texts_for",
    "topics_for",
    "visible",
]
