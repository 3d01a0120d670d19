"""Who sees and changes the lab.

- Labs and environments are reference data every signed-in user reads; managers (and
  administrators) add and change them.
- A reservation for a deal or a POC follows the deal's rule; one for a demo or a training is
  seen by everyone. Its maker changes it (releases it), and a manager who sees it.
- A self-guided evaluation follows its deal's rule (its contact's account before there is a
  deal). Training labs are seen by everyone; managers (and administrators) run them.
- The calendar shows every environment's occupancy; a reservation the user may not see shows
  only as "reserved", without its deal.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from presales.accounts.access import accounts_for
from presales.core import access
from presales.core.roles import Role
from presales.deals.access import opportunities_for
from presales.lab.models import Attendance, Environment, Evaluation, Lab, Reservation, Training
from presales.people.models import User


def reservations_for(user: User | AnonymousUser) -> QuerySet[Reservation]:
    if not user.is_authenticated:
        return Reservation.objects.none()
    assert isinstance(user, User)
    if access.sees_everything(user):
        return Reservation.objects.all()
    return Reservation.objects.filter(
        Q(opportunity__isnull=True) | Q(opportunity__in=opportunities_for(user).values("pk"))
    )


def can_manage_lab(user: User | AnonymousUser) -> bool:
    person = access.signed_in(user)
    return person is not None and (person.is_admin_role or person.is_manager_role)


def _managers_only(user: User, obj: Any) -> bool:
    return user.is_manager_role


def _reservation_change(user: User, obj: Reservation) -> bool:
    if user.role == Role.PRODUCT_MANAGER:
        return False
    return (obj.reserved_by_id == user.pk or user.is_manager_role) and access.can_see(user, obj)


access.register(Lab, visible=access.everyone(Lab), change=_managers_only)
access.register(Environment, visible=access.everyone(Environment), change=_managers_only)
access.register(Reservation, visible=reservations_for, change=_reservation_change)


def evaluations_for(user: User | AnonymousUser) -> QuerySet[Evaluation]:
    """A self-guided evaluation follows its deal; one without a deal follows its contact's
    account."""
    if not user.is_authenticated:
        return Evaluation.objects.none()
    assert isinstance(user, User)
    if access.sees_everything(user):
        return Evaluation.objects.all()
    return Evaluation.objects.filter(
        access.deal_or_account(
            deals=opportunities_for(user), accounts=accounts_for(user), account="contact__account"
        )
    )


def can_run_training(user: User | AnonymousUser) -> bool:
    return can_manage_lab(user)


access.register(Evaluation, visible=evaluations_for)
access.register(Training, visible=access.everyone(Training), change=_managers_only)
access.reached_through(
    Attendance, "training", "A training's attendees, shown on the training.", change=_managers_only
)
