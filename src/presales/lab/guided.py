"""Self-guided evaluations and training labs: registering them, recording progress and
completion, and the self-guided figures shown beside a demo's SE-led ones."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from presales.accounts.models import Contact
from presales.core import access
from presales.core.roles import Role
from presales.core.stats import Figure, rate_figure
from presales.deals.models import CLOSED_STAGES, Opportunity, Stage
from presales.demos.models import Demo
from presales.lab.access import can_run_training, evaluations_for
from presales.lab.models import Attendance, Environment, Evaluation, Training
from presales.people.models import User


def _not_after_today(errors: dict[str, str], name: str, day: date | None) -> None:
    if day is not None and day > timezone.localdate():
        errors[name] = "That day is still ahead; record what has happened."


@transaction.atomic
def register_evaluation(
    *,
    actor: User,
    demo: Demo,
    steps_total: int,
    opportunity: Opportunity | None = None,
    contact: Contact | None = None,
    environment: Environment | None = None,
    registered_on: date | None = None,
    notes: str = "",
) -> Evaluation:
    access.require(actor.role != Role.PRODUCT_MANAGER, "Product management reads evaluations.")
    access.require(access.can_see(actor, demo), "You do not see that demo.")
    errors: dict[str, str] = {}
    if opportunity is None and contact is None:
        errors["opportunity"] = "Choose the deal or the customer contact it belongs to."
    if opportunity is not None and not access.can_change(actor, opportunity):
        errors["opportunity"] = "You cannot add work to that deal."
    if contact is not None and not access.can_see(actor, contact):
        errors["contact"] = "You do not see that contact."
    elsewhere = opportunity is not None and contact is not None
    if elsewhere and contact.account_id != opportunity.account_id:  # type: ignore[union-attr]
        errors["contact"] = "The contact works at another account than the deal's."
    if steps_total < 1:
        errors["steps_total"] = "The script has at least one step."
    _not_after_today(errors, "registered_on", registered_on)
    if errors:
        raise ValidationError(errors)
    return Evaluation.objects.create(
        demo=demo,
        environment=environment,
        opportunity=opportunity,
        contact=contact,
        registered_by=actor,
        registered_on=registered_on or timezone.localdate(),
        steps_total=steps_total,
        notes=notes,
    )


@transaction.atomic
def record_progress(
    *,
    actor: User,
    evaluation: Evaluation,
    steps_done: int,
    started_on: date | None,
    completed_on: date | None,
    notes: str,
) -> Evaluation:
    """Steps done, the day it started and the day it was completed (which needs every step);
    a completed evaluation with no start day started the day it was completed."""
    access.require(access.can_change(actor, evaluation), "You cannot change this evaluation.")
    errors: dict[str, str] = {}
    if steps_done > evaluation.steps_total:
        errors["steps_done"] = f"The script has {evaluation.steps_total} steps."
    if completed_on is not None and steps_done < evaluation.steps_total:
        errors["completed_on"] = (
            f"Completed means every step: {steps_done} of {evaluation.steps_total} are done."
        )
    if completed_on is not None and started_on is None:
        started_on = completed_on
    if steps_done > 0 and started_on is None:
        errors["started_on"] = "Give the day the customer started."
    if started_on is not None and started_on < evaluation.registered_on:
        errors["started_on"] = (
            f"It was registered on {evaluation.registered_on:%d %b %Y}; it started after that."
        )
    if completed_on is not None and started_on is not None and completed_on < started_on:
        errors["completed_on"] = "It was completed after it started."
    _not_after_today(errors, "started_on", started_on)
    _not_after_today(errors, "completed_on", completed_on)
    if errors:
        raise ValidationError(errors)
    evaluation.steps_done = steps_done
    evaluation.started_on = started_on
    evaluation.completed_on = completed_on
    evaluation.notes = notes
    evaluation.save(update_fields=["steps_done", "started_on", "completed_on", "notes"])
    return evaluation


@transaction.atomic
def create_training(
    *,
    actor: User,
    name: str,
    held_on: date,
    environment: Environment | None = None,
    description: str = "",
    attendees: list[User] | None = None,
) -> Training:
    access.require(can_run_training(actor), "A manager runs training labs.")
    training = Training.objects.create(
        name=name,
        held_on=held_on,
        environment=environment,
        description=description,
        created_by=actor,
    )
    add_attendees(actor=actor, training=training, people=attendees or [])
    return training


def add_attendees(*, actor: User, training: Training, people: list[User]) -> int:
    access.require(access.can_change(actor, training), "A manager runs training labs.")
    known = set(training.attendance.values_list("user_id", flat=True))
    new = [Attendance(training=training, user=p) for p in people if p.pk not in known]
    Attendance.objects.bulk_create(new)
    return len(new)


def set_completed(*, actor: User, attendance: Attendance, completed_on: date | None) -> Attendance:
    access.require(access.can_change(actor, attendance.training), "A manager runs training labs.")
    if completed_on is not None:
        if completed_on < attendance.training.held_on:
            raise ValidationError(
                {"completed_on": "A training is completed on or after the day it is held."}
            )
        if completed_on > timezone.localdate():
            raise ValidationError({"completed_on": "That day is still ahead."})
    attendance.completed_on = completed_on
    attendance.save(update_fields=["completed_on"])
    return attendance


# -- the self-guided figures beside SE-led ones ------------------------------------------------


@dataclass(frozen=True)
class SelfGuided:
    evaluations: int
    completed: Figure
    won: Figure
    open_deals: int

    def as_json(self) -> dict[str, Any]:
        def figure(f: Figure) -> dict[str, Any]:
            return {"value": f.value, "n": f.n, "N": f.population, "low": f.low, "high": f.high}

        return {
            "evaluations": self.evaluations,
            "completed": figure(self.completed),
            "won_of_closed": figure(self.won),
            "open_deals": self.open_deals,
        }


def self_guided_figures(*, actor: User, demo: Demo) -> SelfGuided:
    """Over the evaluations of the demo the actor sees, in one grouped query: how many, the
    share completed, and the deals they belong to: won of closed (lost ones count), open ones
    counted as open."""
    rows = evaluations_for(actor).filter(demo=demo).order_by()
    deal = "opportunity"
    counts = rows.aggregate(
        n=Count("pk"),
        completed=Count("pk", filter=Q(completed_on__isnull=False)),
        closed=Count(deal, distinct=True, filter=Q(opportunity__stage__in=CLOSED_STAGES)),
        won=Count(deal, distinct=True, filter=Q(opportunity__stage=Stage.WON)),
        open=Count(deal, distinct=True, filter=~Q(opportunity__stage__in=CLOSED_STAGES)),
    )
    return SelfGuided(
        evaluations=counts["n"],
        completed=rate_figure("Completed", counts["completed"], counts["n"]),
        won=rate_figure("Deals won of closed", counts["won"], counts["closed"]),
        open_deals=counts["open"],
    )
