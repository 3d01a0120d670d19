"""The lab in the REST API: environments, reservations (make, release), utilisation, and the
self-guided evaluations and training labs (read)."""

from datetime import date, datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema

from presales.core.api import actor, get_visible
from presales.lab import services
from presales.lab.access import evaluations_for, reservations_for
from presales.lab.models import Environment, Reservation, Training

router = Router(tags=["lab"])


class EnvironmentOut(Schema):
    id: int
    lab_id: int
    name: str
    runs: str
    capacity: int
    access_link: str
    idle_hours: int
    active: bool


class ReservationIn(Schema):
    environment_id: int
    purpose: Literal["deal", "poc", "demo", "training"]
    starts_at: datetime
    ends_at: datetime
    opportunity_id: int | None = None
    demo_id: int | None = None
    training: str = ""


class ReservationFilter(Schema):
    environment_id: int | None = None
    upcoming: bool = True


@router.get("/lab/environments", response=list[EnvironmentOut])
def list_environments(request: HttpRequest) -> Any:
    return Environment.objects.filter(active=True).order_by("lab__name", "name")


@router.get("/lab/reservations")
def list_reservations(
    request: HttpRequest, filters: Query[ReservationFilter]
) -> list[dict[str, Any]]:
    """Active reservations (the upcoming and running ones unless ``upcoming=false``); one the
    caller may not see shows as "Reserved" without its deal or maker."""
    rows = Reservation.objects.filter(status=Reservation.Status.ACTIVE).select_related(
        "environment__lab", "opportunity", "demo"
    )
    if filters.upcoming:
        rows = rows.filter(ends_at__gt=timezone.now())
    if filters.environment_id:
        rows = rows.filter(environment_id=filters.environment_id)
    rows = rows.order_by("starts_at")[:500]
    seen = set(
        reservations_for(request.user)
        .filter(pk__in=[r.pk for r in rows])
        .values_list("pk", flat=True)
    )
    return [services.reservation_json(r, visible=r.pk in seen) for r in rows]


@router.post("/lab/reservations", response={201: dict[str, Any]})
def create_reservation(request: HttpRequest, payload: ReservationIn) -> tuple[int, dict[str, Any]]:
    environment = Environment.objects.filter(pk=payload.environment_id, active=True).first()
    if environment is None:
        raise ValidationError({"environment_id": "No such environment in service."})
    data = payload.dict()
    data.pop("environment_id")
    made = services.reserve(actor=actor(request), environment=environment, **data)
    return 201, services.reservation_json(made)


@router.post("/lab/reservations/{reservation_id}/release")
def release(request: HttpRequest, reservation_id: int) -> dict[str, Any]:
    reservation = get_visible(request, Reservation, reservation_id)
    return services.reservation_json(
        services.release(actor=actor(request), reservation=reservation)
    )


@router.get("/lab/utilisation")
def utilisation(request: HttpRequest, days: int = 30) -> dict[str, Any]:
    """Reserved hours over the possible hours per lab, and each team's share of reserved hours,
    over the last ``days`` (1 to 365)."""
    if not 1 <= days <= 365:
        raise ValidationError({"days": "Between 1 and 365 days."})
    labs, teams = services.utilisation(days=days)

    def row(u: services.Utilisation) -> dict[str, Any]:
        return {
            "name": u.name,
            "reserved_hours": round(u.reserved_hours, 1),
            "value": u.share.value,
            "n": u.share.n,
            "N": u.share.population,
        }

    return {"days": days, "labs": [row(u) for u in labs], "teams": [row(u) for u in teams]}


class EvaluationOut(Schema):
    id: int
    demo_id: int
    environment_id: int | None
    opportunity_id: int | None
    contact_id: int | None
    registered_by_id: int | None
    registered_on: date
    started_on: date | None
    completed_on: date | None
    steps_total: int
    steps_done: int
    notes: str


class AttendanceOut(Schema):
    user_id: int
    completed_on: date | None


class TrainingOut(Schema):
    id: int
    name: str
    held_on: date
    environment_id: int | None
    description: str
    attendance: list[AttendanceOut]


@router.get("/lab/evaluations", response=list[EvaluationOut])
def list_evaluations(
    request: HttpRequest, demo_id: int | None = None, limit: int = 100, offset: int = 0
) -> Any:
    """The self-guided evaluations the caller sees (through their deals), newest first;
    ``limit`` up to 500."""
    if not 1 <= limit <= 500 or offset < 0:
        raise ValidationError({"limit": "Between 1 and 500, from an offset of 0 or more."})
    rows = evaluations_for(request.user)
    if demo_id is not None:
        rows = rows.filter(demo_id=demo_id)
    return rows[offset : offset + limit]


@router.get("/lab/trainings", response=list[TrainingOut])
def list_trainings(request: HttpRequest, limit: int = 100, offset: int = 0) -> Any:
    """Training labs, newest first, with each attendee's completion; ``limit`` up to 500."""
    if not 1 <= limit <= 500 or offset < 0:
        raise ValidationError({"limit": "Between 1 and 500, from an offset of 0 or more."})
    return Training.objects.prefetch_related("attendance")[offset : offset + limit]
