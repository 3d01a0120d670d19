"""The shared cast and small factories every test uses.

The cast (two regions, three teams):
- alice: SE on team North, reports to dave.
- bob: rep on team North.
- carol: SE on team South; sees nothing of North.
- dave: SE manager of alice (through the reporting line, not team membership).
- erin: sales manager of team South (Team.manager) and of no one in North.
- paula: product manager: reads everything, changes no deal.
- root: administrator.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from presales.accounts.models import Account, Contact
from presales.activities.models import Activity, Kind
from presales.deals.models import Opportunity, Stage
from presales.notes.models import Note
from presales.people.models import Region, Role, Team, User
from presales.products.models import Product

PASSWORD = "correct horse battery staple"
_seq = itertools.count(1)


@dataclass
class Cast:
    north: Team
    south: Team
    west: Team
    alice: User
    bob: User
    carol: User
    dave: User
    erin: User
    paula: User
    root: User


def make_user(username: str, role: str, team: Team | None = None, **extra: Any) -> User:
    user = User(
        username=username,
        role=role,
        team=team,
        first_name=username.capitalize(),
        last_name="Tester",
        is_staff=role == Role.ADMIN,
        is_superuser=role == Role.ADMIN,
        **extra,
    )
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def cast(db: None) -> Cast:
    east = Region.objects.create(name="East")
    far = Region.objects.create(name="Far")
    north = Team.objects.create(name="North", region=east)
    south = Team.objects.create(name="South", region=far)
    west = Team.objects.create(name="West", region=far)
    dave = make_user("dave", Role.SE_MANAGER, team=west)
    erin = make_user("erin", Role.SALES_MANAGER, team=None)
    south.manager = erin
    south.save()
    return Cast(
        north=north,
        south=south,
        west=west,
        alice=make_user("alice", Role.SE, team=north, manager=dave),
        bob=make_user("bob", Role.REP, team=north),
        carol=make_user("carol", Role.SE, team=south),
        dave=dave,
        erin=erin,
        paula=make_user("paula", Role.PRODUCT_MANAGER),
        root=make_user("root", Role.ADMIN),
    )


def make_account(team: Team | None, name: str | None = None, **extra: Any) -> Account:
    return Account.objects.create(name=name or f"Account {next(_seq)}", team=team, **extra)


def make_product(name: str = "GTX Pro", price: str = "4821") -> Product:
    product, _ = Product.objects.get_or_create(
        name=name, defaults={"series": name.split()[0], "list_price": Decimal(price)}
    )
    return product


def make_opportunity(
    account: Account | None,
    *,
    owner: User | None = None,
    team: Team | None = None,
    stage: str = Stage.DISCOVERY,
    amount: str = "10000",
    close: date | None = None,
    **extra: Any,
) -> Opportunity:
    return Opportunity.objects.create(
        name=extra.pop("name", f"Deal {next(_seq)}"),
        account=account,
        owner=owner,
        team=team if team is not None else (account.team if account else None),
        stage=stage,
        amount=Decimal(amount),
        close_date=close or timezone.localdate() + timedelta(days=30),
        **extra,
    )


def make_activity(
    *,
    account: Account | None = None,
    opportunity: Opportunity | None = None,
    participants: list[User] = (),  # type: ignore[assignment]
    starts_at: datetime | None = None,
    minutes: int = 60,
    kind: str = Kind.MEETING,
    subject: str = "Discovery call",
    **extra: Any,
) -> Activity:
    start = starts_at or timezone.now() + timedelta(days=1)
    activity = Activity.objects.create(
        kind=kind,
        subject=subject,
        starts_at=start,
        ends_at=start + timedelta(minutes=minutes),
        account=account or (opportunity.account if opportunity else None),
        opportunity=opportunity,
        **extra,
    )
    activity.participants.set(participants)
    return activity


def make_note(body: str, *, author: User | None = None, **where: Any) -> Note:
    return Note.objects.create(body=body, author=author, **where)


def make_contact(account: Account, last_name: str = "Whitfield", **extra: Any) -> Contact:
    return Contact.objects.create(account=account, last_name=last_name, **extra)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # PBKDF2's deliberate slowness protects real passwords; tests only need correctness.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_commitment(account: Account, what: str = "Send the SOC 2 report", **extra: Any) -> Any:
    from presales.meetings.models import Commitment

    extra.setdefault("promised_by", "Alice Tester")
    extra.setdefault("due_on", timezone.localdate() + timedelta(days=7))
    return Commitment.objects.create(account=account, what=what, **extra)


def criterion(key: str, framework: str = "four-and-a-half") -> Any:
    """A criterion of a shipped framework (seeded by the qualification migration)."""
    from presales.qualification.models import Criterion

    return Criterion.objects.get(framework__slug=framework, key=key)


def reseed_shipped_data() -> None:
    """Put back the rows data migrations ship (frameworks, topic map): transactional tests
    flush every table, migrations' rows included."""
    import importlib

    from django.apps import apps

    for module in (
        "presales.qualification.migrations.0002_seed_frameworks",
        "presales.meetings.migrations.0002_seed_topic_map",
    ):
        importlib.import_module(module).seed(apps, None)


def make_gap(title: str = "Export reports to Parquet", **extra: Any) -> Any:
    """A product gap under review (due in 14 days unless given), with its figures computed."""
    from presales.gaps.models import ProductGap
    from presales.gaps.services import refresh_figures
    from presales.gaps.similarity import index_gap_words

    extra.setdefault("review_due_on", timezone.localdate() + timedelta(days=14))
    gap = ProductGap.objects.create(title=title, **extra)
    index_gap_words([gap])
    refresh_figures(gap_ids=[gap.pk])
    gap.refresh_from_db()
    return gap


def make_goal(owner: User | None = None, **extra: Any) -> Any:
    """A goal (scorecards.Goal) saved without the service's checks, for crafting goal sets."""
    from presales.scorecards.models import Goal, Pillar

    extra.setdefault("year", 2024)
    extra.setdefault("quarter", 2)
    extra.setdefault("pillar", Pillar.BUSINESS)
    extra.setdefault("title", f"Goal {next(_seq)}")
    extra.setdefault("metric", "demos_delivered")
    extra.setdefault("target", Decimal("2"))
    extra.setdefault("weight", Decimal("25"))
    extra.setdefault("why", "Demos are where deals are won.")
    return Goal.objects.create(owner=owner, **extra)


def make_forecast(
    owner: User, period_start: date, commit: str, *, week: date | None = None, **extra: Any
) -> Any:
    """A recorded forecast submission with its commit total (no lines), for accuracy tests."""
    from presales.forecasts.models import Submission, quarter_of

    start, end = quarter_of(period_start)
    monday = week or start - timedelta(days=start.weekday())
    return Submission.objects.create(
        owner=owner,
        team=extra.pop("team", owner.team),
        period_start=start,
        period_end=end,
        week=monday,
        submitted_at=timezone.make_aware(datetime(monday.year, monday.month, monday.day, 9)),
        commit_total=Decimal(commit),
        **extra,
    )
