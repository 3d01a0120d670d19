"""Running a proof of concept: create it on a deal (criteria drawn from the deal's business
issues), check the prerequisites, start it (refused while one is open or the SE is at the
team's limit), grade each criterion with evidence, record the customer's sign-off, close it.
A POC planned with a lab environment reserves it for its planned days."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from presales.accounts.models import Contact
from presales.core import access
from presales.core.roles import Role
from presales.core.services import resolve, validate_and_save
from presales.deals.models import Opportunity
from presales.lab.models import Environment, Reservation
from presales.lab.services import reserve
from presales.people.models import User
from presales.pocs.models import (
    DEFAULT_RUNNING_PER_SE,
    Criterion,
    Grade,
    Poc,
    PocLimit,
    Prerequisite,
    PrerequisiteCheck,
    Task,
)
from presales.qualification.models import BusinessIssue


def _require_change(actor: User, poc: Poc) -> None:
    access.require(access.can_change(actor, poc), "Only who works the deal changes its POC.")


def running_limit(se: User | None) -> int:
    if se is None or se.team_id is None:
        return DEFAULT_RUNNING_PER_SE
    limit = PocLimit.objects.filter(team_id=se.team_id).first()
    return limit.running_per_se if limit else DEFAULT_RUNNING_PER_SE


@transaction.atomic
def create_poc(
    *,
    actor: User,
    opportunity: Opportunity,
    title: str,
    se: User | None = None,
    planned_start: date | None = None,
    planned_end: date | None = None,
    environment: Environment | None = None,
) -> Poc:
    access.require(
        access.can_change(actor, opportunity), "Only who works the deal starts a POC on it."
    )
    if not opportunity.is_open:
        raise ValidationError({"opportunity": "The deal is closed: no POC on it."})
    if planned_start and planned_end and planned_end < planned_start:
        raise ValidationError({"planned_end": "The POC cannot end before it starts."})
    if environment is not None and not (planned_start and planned_end):
        raise ValidationError(
            {"environment": "Give the planned start and end to reserve the lab environment."}
        )
    poc = validate_and_save(
        Poc(
            opportunity=opportunity,
            title=title.strip(),
            se=se or (actor if actor.role == Role.SE else None),
            planned_start=planned_start,
            planned_end=planned_end,
            environment=environment,
            created_by=actor,
        )
    )
    PrerequisiteCheck.objects.bulk_create(
        PrerequisiteCheck(poc=poc, prerequisite=p) for p in Prerequisite.objects.filter(active=True)
    )
    issues = BusinessIssue.objects.filter(opportunity=opportunity).order_by("created_at", "pk")
    Criterion.objects.bulk_create(
        Criterion(
            poc=poc,
            text=(issue.paraphrase or issue.customer_words)[:500],
            business_issue=issue,
            position=i,
        )
        for i, issue in enumerate(issues)
    )
    if environment is not None and planned_start and planned_end:
        _reserve_environment(actor, poc, environment, planned_start, planned_end)
    return poc


def _reserve_environment(
    actor: User, poc: Poc, environment: Environment, first: date, last: date
) -> None:
    """A planned POC holds its environment from the start of its first day to the end of its
    last; a clash refuses the POC (nothing is kept) with the reservation in the way."""
    zone = timezone.get_current_timezone()
    starts_at = datetime.combine(first, time.min, tzinfo=zone)
    ends_at = datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone)
    try:
        reserve(
            actor=actor,
            environment=environment,
            purpose=Reservation.Purpose.POC,
            starts_at=max(starts_at, timezone.now()),
            ends_at=ends_at,
            opportunity_id=poc.opportunity_id,
        )
    except ValidationError as exc:
        reasons = " ".join(exc.messages)
        raise ValidationError(
            {"environment": f"The POC needs {environment} and cannot reserve it: {reasons}"}
        ) from None


@transaction.atomic
def check_prerequisite(
    *, actor: User, check: PrerequisiteCheck, done: bool, note: str = ""
) -> PrerequisiteCheck:
    _require_change(actor, check.poc)
    check.done = done
    check.note = note[:300]
    check.checked_by = actor if done else None
    check.checked_at = timezone.now() if done else None
    check.save()
    return check


@transaction.atomic
def add_criterion(
    *, actor: User, poc: Poc, text: str, business_issue_id: int | None = None
) -> Criterion:
    _require_change(actor, poc)
    issue = None
    if business_issue_id is not None:
        issue = BusinessIssue.objects.filter(
            pk=business_issue_id, opportunity=poc.opportunity
        ).first()
        if issue is None:
            raise ValidationError({"business_issue": "Choose one of the deal's business issues."})
    if not text.strip() and issue is not None:
        text = issue.paraphrase or issue.customer_words
    position = poc.criteria.count()
    return validate_and_save(
        Criterion(poc=poc, text=text.strip()[:500], business_issue=issue, position=position)
    )


@transaction.atomic
def grade_criterion(*, actor: User, criterion: Criterion, grade: str, evidence: str) -> Criterion:
    _require_change(actor, criterion.poc)
    if grade not in Grade.values:
        raise ValidationError({"grade": "Choose Exceeds, Meets, Partially or Does not meet."})
    if not evidence.strip():
        raise ValidationError({"evidence": "Say what shows it: a test, a screenshot, a quote."})
    criterion.grade = grade
    criterion.evidence = evidence.strip()
    criterion.graded_by = actor
    criterion.graded_at = timezone.now()
    return validate_and_save(criterion)


@transaction.atomic
def start_poc(*, actor: User, poc: Poc, on: date | None = None) -> Poc:
    """Start the POC: every prerequisite done, at least one criterion, and the SE under the
    team's limit of running POCs."""
    _require_change(actor, poc)
    if poc.status != Poc.Status.PLANNED:
        raise ValidationError({"status": "Only a planned POC starts."})
    errors: list[str] = []
    missing = [c.prerequisite.name for c in poc.checks.select_related("prerequisite") if not c.done]
    if missing:
        errors.append(f"Check the prerequisites first: {', '.join(missing)}.")
    if not poc.criteria.exists():
        errors.append("Agree at least one success criterion first.")
    if poc.se_id:
        running = Poc.objects.filter(se_id=poc.se_id, status=Poc.Status.RUNNING).count()
        limit = running_limit(poc.se)
        if running >= limit:
            errors.append(
                f"{poc.se} already runs {running} POCs; the team's limit is {limit} per SE."
            )
    if errors:
        raise ValidationError({"status": errors})
    poc.status = Poc.Status.RUNNING
    poc.started_on = on or timezone.localdate()
    poc.save(update_fields=["status", "started_on"])
    return poc


def _contact(poc: Poc, contact_id: int | None, field: str) -> Contact:
    account = poc.opportunity.account_id
    contact = None
    if contact_id is not None and account is not None:
        contact = Contact.objects.filter(pk=contact_id, account_id=account).first()
    if contact is None:
        raise ValidationError({field: "Choose a contact of the deal's account."})
    return contact


@transaction.atomic
def sign_off(
    *, actor: User, poc: Poc, role: str, contact_id: int | None, at: datetime | None = None
) -> Poc:
    """Record that the customer's champion or economic buyer signed the POC's result off; every
    criterion must be graded first."""
    _require_change(actor, poc)
    if poc.status not in (Poc.Status.RUNNING, Poc.Status.COMPLETED):
        raise ValidationError({"status": "Sign-off comes once the POC has run."})
    ungraded = poc.criteria.filter(grade="").count()
    if ungraded:
        raise ValidationError({"status": f"Grade every criterion first ({ungraded} to go)."})
    at = at or timezone.now()
    if role == "champion":
        poc.champion = _contact(poc, contact_id, "champion")
        poc.champion_signed_at = at
    elif role == "economic_buyer":
        poc.economic_buyer = _contact(poc, contact_id, "economic_buyer")
        poc.economic_buyer_signed_at = at
    else:
        raise ValidationError({"role": "Sign-off is by the champion or the economic buyer."})
    poc.save()
    return poc


@transaction.atomic
def close_poc(*, actor: User, poc: Poc, result: str, on: date | None = None) -> Poc:
    """End a running POC with its result (success or failure), or cancel a planned one."""
    _require_change(actor, poc)
    if result == "cancelled":
        if poc.status not in (Poc.Status.PLANNED, Poc.Status.RUNNING):
            raise ValidationError({"status": "This POC is already over."})
        poc.status = Poc.Status.CANCELLED
    else:
        if poc.status != Poc.Status.RUNNING:
            raise ValidationError({"status": "Only a running POC completes."})
        if result not in (Poc.Result.SUCCESS, Poc.Result.FAILURE):
            raise ValidationError({"result": "Say whether it succeeded or failed."})
        poc.status = Poc.Status.COMPLETED
        poc.result = result
    poc.ended_on = on or timezone.localdate()
    poc.save(update_fields=["status", "result", "ended_on"])
    return poc


@transaction.atomic
def add_task(
    *, actor: User, poc: Poc, title: str, due_on: date | None = None, owner: User | None = None
) -> Task:
    _require_change(actor, poc)
    return validate_and_save(Task(poc=poc, title=title.strip(), due_on=due_on, owner=owner))


@transaction.atomic
def finish_task(*, actor: User, task: Task) -> Task:
    _require_change(actor, task.poc)
    task.done_at = None if task.done_at else timezone.now()
    task.save(update_fields=["done_at"])
    return task


def resolve_opportunity(actor: User, pk: int) -> Opportunity:
    found = resolve(actor, Opportunity, pk, field="opportunity_id")
    assert found is not None
    return found


def poc_json(poc: Poc) -> dict[str, Any]:
    return {
        "id": poc.pk,
        "title": poc.title,
        "opportunity_id": poc.opportunity_id,
        "se_id": poc.se_id,
        "status": poc.status,
        "result": poc.result,
        "planned_start": poc.planned_start.isoformat() if poc.planned_start else None,
        "planned_end": poc.planned_end.isoformat() if poc.planned_end else None,
        "started_on": poc.started_on.isoformat() if poc.started_on else None,
        "ended_on": poc.ended_on.isoformat() if poc.ended_on else None,
        "environment_id": poc.environment_id,
        "champion_id": poc.champion_id,
        "champion_signed_at": poc.champion_signed_at.isoformat()
        if poc.champion_signed_at
        else None,
        "economic_buyer_id": poc.economic_buyer_id,
        "economic_buyer_signed_at": poc.economic_buyer_signed_at.isoformat()
        if poc.economic_buyer_signed_at
        else None,
        "signed_off": poc.signed_off,
    }
