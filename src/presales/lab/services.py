"""Reserving lab environments: conflicts refused, release, idle reclaim, and utilisation."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from presales.core import access
from presales.core.roles import Role
from presales.core.services import resolve, validate_and_save
from presales.core.stats import Figure
from presales.deals.models import Opportunity
from presales.demos.models import Demo
from presales.lab.access import can_manage_lab
from presales.lab.models import Environment, Lab, Reservation
from presales.people.models import User

MAX_DAYS = 31


def overlapping(environment: Environment, starts_at: datetime, ends_at: datetime) -> Any:
    return Reservation.objects.filter(
        environment=environment,
        status=Reservation.Status.ACTIVE,
        starts_at__lt=ends_at,
        ends_at__gt=starts_at,
    )


@transaction.atomic
def reserve(
    *,
    actor: User,
    environment: Environment,
    purpose: str,
    starts_at: datetime,
    ends_at: datetime,
    opportunity_id: int | None = None,
    demo_id: int | None = None,
    training: str = "",
    now: datetime | None = None,
) -> Reservation:
    """Reserve an environment; refused when it is fully booked for any part of the time."""
    access.require(actor.role != Role.PRODUCT_MANAGER, "Product management reserves nothing.")
    now = now or timezone.now()
    errors: dict[str, str] = {}
    if purpose not in Reservation.Purpose.values:
        errors["purpose"] = "Say what the reservation is for."
    if ends_at <= starts_at:
        errors["ends_at"] = "The reservation must end after it starts."
    elif ends_at - starts_at > timedelta(days=MAX_DAYS):
        errors["ends_at"] = f"Reserve at most {MAX_DAYS} days at a time."
    if ends_at <= now:
        errors["ends_at"] = "That time is already over."
    if not environment.active:
        errors["environment"] = "This environment is out of service."
    opportunity = demo = None
    if purpose in (Reservation.Purpose.DEAL, Reservation.Purpose.POC):
        if opportunity_id is None:
            errors["opportunity_id"] = "Choose the deal it is for."
        else:
            opportunity = resolve(actor, Opportunity, opportunity_id, field="opportunity_id")
            access.require(opportunity is not None and access.can_change(actor, opportunity))
    elif purpose == Reservation.Purpose.DEMO:
        if demo_id is None:
            errors["demo_id"] = "Choose the demo it is for."
        else:
            demo = resolve(actor, Demo, demo_id, field="demo_id")
    elif purpose == Reservation.Purpose.TRAINING and not training.strip():
        errors["training"] = "Name the training."
    if errors:
        raise ValidationError(errors)
    environment = Environment.objects.select_for_update().get(pk=environment.pk)
    taken = list(overlapping(environment, starts_at, ends_at).order_by("starts_at"))
    if len(taken) >= environment.capacity:
        first = taken[0]
        local = timezone.localtime
        raise ValidationError(
            {
                "starts_at": (
                    f"{environment} is fully booked then ({environment.capacity} at a time): "
                    f"reserved {local(first.starts_at):%a %d %b %H:%M}–"
                    f"{local(first.ends_at):%a %d %b %H:%M}. Choose another time or "
                    "environment."
                )
            }
        )
    reservation = Reservation(
        environment=environment,
        purpose=purpose,
        opportunity=opportunity,
        demo=demo,
        training=training.strip()[:200] if purpose == Reservation.Purpose.TRAINING else "",
        reserved_by=actor,
        team=actor.team,
        starts_at=starts_at,
        ends_at=ends_at,
        created_at=now,
        last_used_at=max(now, starts_at) if starts_at <= now else None,
    )
    return validate_and_save(reservation)


@transaction.atomic
def release(*, actor: User, reservation: Reservation, now: datetime | None = None) -> Reservation:
    access.require(
        access.can_change(actor, reservation), "Only who reserved it or a manager releases it."
    )
    if reservation.status != Reservation.Status.ACTIVE:
        raise ValidationError({"status": "This reservation is already over."})
    now = now or timezone.now()
    reservation.status = Reservation.Status.RELEASED
    reservation.released_at = now
    if reservation.ends_at > now > reservation.starts_at:
        reservation.ends_at = now  # the rest of the time is free again
    elif reservation.starts_at >= now:
        reservation.ends_at = max(reservation.ends_at, reservation.starts_at)
    reservation.save(update_fields=["status", "released_at", "ends_at"])
    return reservation


@transaction.atomic
def mark_used(*, actor: User, reservation: Reservation, now: datetime | None = None) -> Reservation:
    """'I am using it': keeps an ongoing reservation from being reclaimed as idle."""
    access.require(access.can_change(actor, reservation))
    now = now or timezone.now()
    if reservation.status != Reservation.Status.ACTIVE or not (
        reservation.starts_at <= now < reservation.ends_at
    ):
        raise ValidationError({"status": "Only a reservation running now can be marked in use."})
    reservation.last_used_at = now
    reservation.save(update_fields=["last_used_at"])
    return reservation


def idle(now: datetime) -> QuerySet[Reservation]:
    """Running reservations nobody has used for their environment's idle time."""
    rows = Reservation.objects.filter(
        status=Reservation.Status.ACTIVE, starts_at__lte=now, ends_at__gt=now
    ).select_related("environment")
    ids = [
        r.pk
        for r in rows
        if (r.last_used_at or r.starts_at) <= now - timedelta(hours=r.environment.idle_hours)
    ]
    return Reservation.objects.filter(pk__in=ids)


@transaction.atomic
def reclaim_idle(*, actor: User | None = None, now: datetime | None = None) -> int:
    """Free the environments of idle reservations (run by a manager, or from cron)."""
    if actor is not None:
        access.require(can_manage_lab(actor), "A manager reclaims idle environments.")
    now = now or timezone.now()
    return idle(now).update(status=Reservation.Status.RECLAIMED, released_at=now, ends_at=now)


def create_lab(*, actor: User, fields: dict[str, Any]) -> Lab:
    access.require(can_manage_lab(actor), "A manager adds labs.")
    return validate_and_save(Lab(**fields))


def create_environment(*, actor: User, lab: Lab, fields: dict[str, Any]) -> Environment:
    access.require(can_manage_lab(actor), "A manager adds environments.")
    return validate_and_save(Environment(lab=lab, **fields))


@dataclass
class Utilisation:
    name: str
    reserved_hours: float
    share: Figure


def utilisation(
    *, days: int = 30, now: datetime | None = None
) -> tuple[list[Utilisation], list[Utilisation]]:
    """Per lab: reserved hours over the hours its environments could hold in the last ``days``
    (capacity x hours); per team: reserved hours and their share of all reserved hours."""
    now = now or timezone.now()
    start = now - timedelta(days=days)
    hours = days * 24
    environments = list(Environment.objects.filter(active=True).select_related("lab"))
    lab_capacity: dict[str, float] = defaultdict(float)
    for env in environments:
        lab_capacity[env.lab.name] += env.capacity * hours
    rows = Reservation.objects.filter(
        ~Q(status=Reservation.Status.ACTIVE, starts_at__gte=now),
        starts_at__lt=now,
        ends_at__gt=start,
    ).values_list("environment__lab__name", "team__name", "starts_at", "ends_at")
    by_lab: dict[str, float] = defaultdict(float)
    by_team: dict[str, float] = defaultdict(float)
    for lab, team, begin, end in rows:
        used = (min(end, now) - max(begin, start)).total_seconds() / 3600
        by_lab[lab] += used
        by_team[team or "No team"] += used
    total = sum(by_team.values())

    def share(label: str, part: float, whole: float) -> Figure:
        return Figure(
            label=label,
            value=part / whole if whole else None,
            n=round(part),
            population=round(whole),
            unit="%",
        )

    labs = [
        Utilisation(name, by_lab.get(name, 0.0), share(name, by_lab.get(name, 0.0), cap))
        for name, cap in sorted(lab_capacity.items())
    ]
    teams = [
        Utilisation(name, used, share(name, used, total))
        for name, used in sorted(by_team.items(), key=lambda kv: -kv[1])
    ]
    return labs, teams


def reservation_json(r: Reservation, *, visible: bool = True) -> dict[str, Any]:
    return {
        "id": r.pk,
        "environment_id": r.environment_id,
        "environment": str(r.environment),
        "purpose": r.purpose,
        "subject": r.subject if visible else "Reserved",
        "opportunity_id": r.opportunity_id if visible else None,
        "demo_id": r.demo_id,
        "training": r.training,
        "reserved_by_id": r.reserved_by_id if visible else None,
        "team_id": r.team_id,
        "starts_at": r.starts_at.isoformat(),
        "ends_at": r.ends_at.isoformat(),
        "status": r.status,
        "expired": r.expired(),
    }
