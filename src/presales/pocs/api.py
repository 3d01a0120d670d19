"""Proofs of concept in the REST API: list, plan, read (with checklist and criteria), and the
steps: check a prerequisite, start, grade a criterion, sign off, close; and the figures."""

from datetime import date
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Router, Schema

from presales.core import access
from presales.core.api import actor, get_visible
from presales.lab.models import Environment
from presales.pocs import services
from presales.pocs.analytics import figures_json, poc_figures
from presales.pocs.models import Criterion, Poc, PrerequisiteCheck

router = Router(tags=["pocs"])


class PocIn(Schema):
    opportunity_id: int
    title: str
    planned_start: date | None = None
    planned_end: date | None = None
    environment_id: int | None = None


class CheckIn(Schema):
    prerequisite_id: int
    done: bool = True
    note: str = ""


class GradeIn(Schema):
    criterion_id: int
    grade: Literal["exceeds", "meets", "partially", "does_not_meet"]
    evidence: str


class SignIn(Schema):
    role: Literal["champion", "economic_buyer"]
    contact_id: int


class CloseIn(Schema):
    result: Literal["success", "failure", "cancelled"]


def _detail(poc: Poc) -> dict[str, Any]:
    data = services.poc_json(poc)
    data["checks"] = [
        {"prerequisite_id": c.prerequisite_id, "name": c.prerequisite.name, "done": c.done}
        for c in poc.checks.select_related("prerequisite")
    ]
    data["criteria"] = [
        {"id": c.pk, "text": c.text, "grade": c.grade, "evidence": c.evidence}
        for c in poc.criteria.all()
    ]
    return data


@router.get("/pocs")
def list_pocs(request: HttpRequest, status: str = "") -> list[dict[str, Any]]:
    rows = access.visible(request.user, Poc).order_by("-created_at")
    if status:
        rows = rows.filter(status=status)
    return [services.poc_json(p) for p in rows[:500]]


@router.get("/pocs/figures")
def figures(request: HttpRequest) -> dict[str, Any]:
    """POC win rate, duration, share of criteria met, revenue won without a POC and POCs
    running per SE against the team's limit."""
    return figures_json(poc_figures(actor=actor(request)))


@router.post("/pocs", response={201: dict[str, Any]})
def create_poc(request: HttpRequest, payload: PocIn) -> tuple[int, dict[str, Any]]:
    user = actor(request)
    environment = None
    if payload.environment_id is not None:
        environment = Environment.objects.filter(pk=payload.environment_id).first()
        if environment is None:
            raise ValidationError({"environment_id": "No such environment."})
    poc = services.create_poc(
        actor=user,
        opportunity=services.resolve_opportunity(user, payload.opportunity_id),
        title=payload.title,
        planned_start=payload.planned_start,
        planned_end=payload.planned_end,
        environment=environment,
    )
    return 201, _detail(poc)


@router.get("/pocs/{poc_id}")
def get_poc(request: HttpRequest, poc_id: int) -> dict[str, Any]:
    return _detail(get_visible(request, Poc, poc_id))


@router.post("/pocs/{poc_id}/check")
def check(request: HttpRequest, poc_id: int, payload: CheckIn) -> dict[str, Any]:
    poc = get_visible(request, Poc, poc_id)
    row = PrerequisiteCheck.objects.filter(poc=poc, prerequisite_id=payload.prerequisite_id).first()
    if row is None:
        raise ValidationError({"prerequisite_id": "No such prerequisite on this POC."})
    services.check_prerequisite(
        actor=actor(request), check=row, done=payload.done, note=payload.note
    )
    return _detail(poc)


@router.post("/pocs/{poc_id}/start")
def start(request: HttpRequest, poc_id: int) -> dict[str, Any]:
    poc = get_visible(request, Poc, poc_id)
    return _detail(services.start_poc(actor=actor(request), poc=poc))


@router.post("/pocs/{poc_id}/grade")
def grade(request: HttpRequest, poc_id: int, payload: GradeIn) -> dict[str, Any]:
    poc = get_visible(request, Poc, poc_id)
    criterion = Criterion.objects.filter(poc=poc, pk=payload.criterion_id).first()
    if criterion is None:
        raise ValidationError({"criterion_id": "No such criterion on this POC."})
    services.grade_criterion(
        actor=actor(request), criterion=criterion, grade=payload.grade, evidence=payload.evidence
    )
    return _detail(poc)


@router.post("/pocs/{poc_id}/sign-off")
def sign_off(request: HttpRequest, poc_id: int, payload: SignIn) -> dict[str, Any]:
    poc = get_visible(request, Poc, poc_id)
    return _detail(
        services.sign_off(
            actor=actor(request), poc=poc, role=payload.role, contact_id=payload.contact_id
        )
    )


@router.post("/pocs/{poc_id}/close")
def close(request: HttpRequest, poc_id: int, payload: CloseIn) -> dict[str, Any]:
    poc = get_visible(request, Poc, poc_id)
    return _detail(services.close_poc(actor=actor(request), poc=poc, result=payload.result))
