"""Qualification rules: which framework a deal is judged by, its score and what is missing,
the stage gates, and recording evidence, circles, stakeholders and business issues."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from presales.accounts.models import Contact
from presales.activities.models import Activity
from presales.core import access
from presales.core.services import apply_changes, resolve, validate_and_save
from presales.deals.models import Opportunity, Stage
from presales.people.models import Team, User
from presales.qualification.models import (
    STAGE_ORDER,
    BusinessIssue,
    CirclesRating,
    Criterion,
    Evidence,
    Framework,
    GateOverride,
    Sentiment,
    Stakeholder,
    TeamFramework,
)

DEFAULT_FRAMEWORK = "four-and-a-half"
CHAMPION_SILENCE_DAYS = 30


def format_points(value: Decimal) -> str:
    """3.5 → '3½': the seeds count qualification in halves."""
    whole = int(value)
    rest = value - whole
    if rest == 0:
        return str(whole)
    if rest == Decimal("0.5"):
        return f"{whole}½" if whole else "½"
    return f"{value.normalize()}"


# -- frameworks --------------------------------------------------------------------------------


def framework_for_team(team: Team | None) -> Framework:
    if team is not None:
        choice = TeamFramework.objects.filter(team=team).select_related("framework").first()
        if choice is not None:
            return choice.framework
    framework = Framework.objects.filter(slug=DEFAULT_FRAMEWORK).first()
    if framework is None:
        framework = Framework.objects.order_by("pk").first()
    if framework is None:
        raise ValidationError("No qualification framework exists; run the migrations.")
    return framework


def framework_for(opportunity: Opportunity) -> Framework:
    return framework_for_team(opportunity.team)


@transaction.atomic
def choose_framework(*, actor: User, team: Team, framework: Framework) -> TeamFramework:
    access.require(
        access.can_manage_team(actor, team), "Only the team's managers choose its framework."
    )
    if framework.team_id not in (None, team.pk):
        raise ValidationError({"framework_id": "That framework belongs to another team."})
    choice, _ = TeamFramework.objects.update_or_create(
        team=team,
        defaults={"framework": framework, "chosen_by": actor, "chosen_at": timezone.now()},
    )
    return choice


@transaction.atomic
def copy_framework(*, actor: User, framework: Framework, team: Team, name: str = "") -> Framework:
    """A team's editable copy of a framework (criteria, weights and gates included)."""
    access.require(access.can_manage_team(actor, team), "Only the team's managers edit it.")
    name = (name or f"{framework.name} ({team.name})").strip()
    base = slugify(f"{framework.slug}-{team.name}")[:70] or "framework"
    slug, n = base, 1
    while Framework.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    copy = validate_and_save(
        Framework(
            name=name[:80],
            slug=slug,
            description=framework.description,
            team=team,
            based_on=framework,
        )
    )
    Criterion.objects.bulk_create(
        Criterion(
            framework=copy,
            key=c.key,
            name=c.name,
            guidance=c.guidance,
            weight=c.weight,
            required_from_stage=c.required_from_stage,
            position=c.position,
        )
        for c in framework.criteria.all()
    )
    return copy


def _require_editable(actor: User, framework: Framework) -> None:
    if framework.team is None:
        access.require(
            actor.is_admin_role, "The shipped frameworks are read-only; copy one to edit it."
        )
    else:
        access.require(access.can_manage_team(actor, framework.team), "Only its team edits it.")


@transaction.atomic
def add_criterion(*, actor: User, framework: Framework, fields: dict[str, Any]) -> Criterion:
    _require_editable(actor, framework)
    values = dict(fields)
    if not values.get("key"):
        values["key"] = slugify(values.get("name", ""))[:40]
    if "position" not in values:
        last = framework.criteria.aggregate(m=Max("position"))["m"]
        values["position"] = (last or 0) + 1
    return validate_and_save(Criterion(framework=framework, **values))


@transaction.atomic
def update_criterion(*, actor: User, criterion: Criterion, changes: dict[str, Any]) -> Criterion:
    _require_editable(actor, criterion.framework)
    return validate_and_save(apply_changes(criterion, changes))


@transaction.atomic
def delete_criterion(*, actor: User, criterion: Criterion) -> None:
    _require_editable(actor, criterion.framework)
    criterion.delete()


# -- the score ---------------------------------------------------------------------------------


@dataclass
class CriterionStatus:
    criterion: Criterion
    evidence: Evidence | None
    history: list[Evidence] = field(default_factory=list)

    @property
    def met(self) -> bool:
        return self.evidence is not None and self.evidence.supports

    @property
    def state(self) -> str:
        if self.evidence is None:
            return "missing"
        return "met" if self.evidence.supports else "against"


@dataclass
class Assessment:
    """A deal's qualification: each criterion with its latest evidence, the score and gaps."""

    framework: Framework
    criteria: list[CriterionStatus]
    score: Decimal
    total: Decimal

    @property
    def missing(self) -> list[Criterion]:
        return [s.criterion for s in self.criteria if not s.met]

    @property
    def percent(self) -> int:
        return round(100 * self.score / self.total) if self.total else 0

    @property
    def label(self) -> str:
        return f"{format_points(self.score)} of {format_points(self.total)}"


def assess(opportunity: Opportunity, framework: Framework | None = None) -> Assessment:
    framework = framework or framework_for(opportunity)
    criteria = list(framework.criteria.all())
    by_criterion: dict[int, list[Evidence]] = {}
    rows = (
        Evidence.objects.filter(opportunity=opportunity, criterion__in=criteria)
        .select_related("recorded_by")
        .order_by("-recorded_at", "-id")
    )
    for ev in rows:
        by_criterion.setdefault(ev.criterion_id, []).append(ev)
    statuses = [
        CriterionStatus(
            criterion=c,
            evidence=next(iter(by_criterion.get(c.pk, [])), None),
            history=by_criterion.get(c.pk, []),
        )
        for c in criteria
    ]
    score = sum((s.criterion.weight for s in statuses if s.met), Decimal(0))
    total = sum((c.weight for c in criteria), Decimal(0))
    return Assessment(framework=framework, criteria=statuses, score=score, total=total)


@transaction.atomic
def record_evidence(
    *,
    actor: User,
    opportunity: Opportunity,
    criterion: Criterion,
    text: str,
    supports: bool = True,
) -> Evidence:
    access.require(access.can_change(actor, opportunity))
    if criterion.framework_id != framework_for(opportunity).pk:
        raise ValidationError(
            {"criterion_id": "That criterion is not in the framework this deal's team uses."}
        )
    if not text.strip():
        raise ValidationError({"text": "Evidence needs a sentence: what did you see or hear?"})
    return validate_and_save(
        Evidence(
            opportunity=opportunity,
            criterion=criterion,
            text=text.strip(),
            supports=supports,
            recorded_by=actor,
        )
    )


# -- stage gates -------------------------------------------------------------------------------


def gate_missing(opportunity: Opportunity, to_stage: str) -> list[Criterion]:
    """Criteria required at ``to_stage`` or earlier that have no supporting evidence.

    Gates apply once the deal's team has chosen its framework: choosing is how a team turns
    them on, so teams (and imports) that never configured qualification are not blocked. Only
    a step forward is gated: moving back, or to lost, never asks.
    """
    target = STAGE_ORDER.get(to_stage)
    current = STAGE_ORDER.get(opportunity.stage, -1)
    if target is None or target <= current:
        return []
    if opportunity.team_id is None:
        return []
    if not TeamFramework.objects.filter(team_id=opportunity.team_id).exists():
        return []
    assessment = assess(opportunity)
    return [
        s.criterion
        for s in assessment.criteria
        if s.criterion.required_from_stage
        and STAGE_ORDER.get(s.criterion.required_from_stage, 99) <= target
        and not s.met
    ]


def enforce_stage_gate(
    *, actor: User, opportunity: Opportunity, to_stage: str, confirm: bool
) -> GateOverride | None:
    """Refuse a gated move unless confirmed; a confirmed move is recorded as an override.

    Called by ``deals.services.update_opportunity`` before it saves, so pages and the API share
    one gate.
    """
    missing = gate_missing(opportunity, to_stage)
    if not missing:
        return None
    names = [c.name for c in missing]
    if not confirm:
        label = Stage(to_stage).label
        raise ValidationError(
            {
                "confirm_gate": (
                    f"Moving to {label} needs evidence for: {', '.join(names)}. "
                    "Confirm to move anyway; the override is recorded."
                )
            }
        )
    return GateOverride.objects.create(
        opportunity=opportunity,
        from_stage=opportunity.stage,
        to_stage=to_stage,
        missing=names,
        confirmed_by=actor,
    )


# -- three circles -----------------------------------------------------------------------------


@transaction.atomic
def record_circles(
    *, actor: User, opportunity: Opportunity, fields: dict[str, Any]
) -> CirclesRating:
    """Record the circles as the team sees them now; an overlap left empty stays unrated (it
    is never read as the lowest rating), but an entirely empty rating records nothing."""
    access.require(access.can_change(actor, opportunity))
    values = {k: v.strip() if isinstance(v, str) else v for k, v in fields.items()}
    if values.get("overlap") in ("", None):
        values["overlap"] = None
    if values["overlap"] is None and not any(v for v in values.values() if isinstance(v, str)):
        raise ValidationError({"overlap": "Describe at least one circle or rate the overlap."})
    return validate_and_save(CirclesRating(opportunity=opportunity, recorded_by=actor, **values))


# -- stakeholders ------------------------------------------------------------------------------


@transaction.atomic
def set_stakeholder(
    *,
    actor: User,
    opportunity: Opportunity,
    contact_id: int,
    sentiment: str = Sentiment.UNKNOWN,
    deal_role: str = "",
    comment: str = "",
) -> Stakeholder:
    access.require(access.can_change(actor, opportunity))
    contact = resolve(actor, Contact, contact_id, field="contact_id")
    assert contact is not None
    if contact.account_id != opportunity.account_id:
        raise ValidationError({"contact_id": "The contact works for another account."})
    row = Stakeholder.objects.filter(opportunity=opportunity, contact=contact).first()
    row = row or Stakeholder(opportunity=opportunity, contact=contact)
    row.sentiment, row.deal_role, row.comment = sentiment, deal_role, comment
    row.updated_by, row.updated_at = actor, timezone.now()
    return validate_and_save(row)


@dataclass
class StakeholderRow:
    contact: Contact
    role: str
    role_label: str
    sentiment: str
    sentiment_label: str
    comment: str
    last_touch: datetime | None

    def silent_days(self, today: date) -> int | None:
        return None if self.last_touch is None else (today - self.last_touch.date()).days


@dataclass
class StakeholderMap:
    rows: list[StakeholderRow]
    warnings: list[str]


def stakeholder_map(opportunity: Opportunity, *, now: datetime | None = None) -> StakeholderMap:
    """The account's people in this deal, when we last met each, and what should worry us."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if opportunity.account_id is None:
        return StakeholderMap(rows=[], warnings=["No account yet, so no stakeholders."])
    contacts = list(opportunity.account.contacts.order_by("last_name", "first_name"))  # type: ignore[union-attr]
    stance = {s.contact_id: s for s in opportunity.stakeholders.all()}
    last_met = (
        Activity.contacts.through.objects.filter(
            contact_id__in=[c.pk for c in contacts],
            activity__status=Activity.Status.HELD,
            activity__starts_at__lte=now,
            activity__account_id=opportunity.account_id,
        )
        .values("contact_id")
        .annotate(last=Max("activity__starts_at"))
    )
    touches: dict[int, datetime] = {row["contact_id"]: row["last"] for row in last_met}
    roles = dict(Contact.DealRole.choices)
    sentiments = dict(Sentiment.choices)
    rows = []
    for c in contacts:
        s = stance.get(c.pk)
        role = (s.deal_role if s and s.deal_role else "") or c.deal_role
        sentiment = s.sentiment if s else Sentiment.UNKNOWN
        rows.append(
            StakeholderRow(
                contact=c,
                role=role,
                role_label=roles.get(role, "—"),
                sentiment=sentiment,
                sentiment_label=sentiments[sentiment],
                comment=s.comment if s else "",
                last_touch=touches.get(c.pk),
            )
        )
    return StakeholderMap(rows=rows, warnings=_warnings(rows, today))


def _warnings(rows: list[StakeholderRow], today: date) -> list[str]:
    out: list[str] = []
    active = [r for r in rows if r.contact.reachable]
    buyers = [r for r in active if r.role == Contact.DealRole.ECONOMIC_BUYER]
    if not buyers:
        out.append("No economic buyer identified.")
    elif all(r.last_touch is None for r in buyers):
        names = ", ".join(r.contact.full_name for r in buyers)
        out.append(f"No access to the economic buyer: {names} has not been in a meeting.")
    champions = [r for r in active if r.role == Contact.DealRole.CHAMPION]
    if not champions:
        out.append("No champion identified.")
    for r in champions:
        days = r.silent_days(today)
        if days is None:
            out.append(f"Champion {r.contact.full_name} has never been met.")
        elif days >= CHAMPION_SILENCE_DAYS:
            out.append(f"Champion {r.contact.full_name} silent for {days} days.")
    for r in active:
        deciding = r.role in (
            Contact.DealRole.ECONOMIC_BUYER,
            Contact.DealRole.TECHNICAL_DECISION_MAKER,
        )
        if deciding and r.sentiment == Sentiment.OPPOSED:
            out.append(f"{r.contact.full_name} ({r.role_label}) is opposed.")
    for r in rows:
        if r.role and not r.contact.reachable:
            out.append(
                f"{r.contact.full_name} ({r.role_label}) is marked "
                f"'{r.contact.get_status_display()}': find who replaces them."
            )
    return out


# -- business issues ---------------------------------------------------------------------------


@transaction.atomic
def record_business_issue(
    *, actor: User, opportunity: Opportunity, fields: dict[str, Any]
) -> BusinessIssue:
    access.require(access.can_change(actor, opportunity))
    values = dict(fields)
    if not str(values.get("customer_words", "")).strip():
        raise ValidationError({"customer_words": "Write down what the customer said."})
    values["confirmed_by"] = _contact_of(actor, opportunity, values.pop("confirmed_by_id", None))
    issue = BusinessIssue(opportunity=opportunity, recorded_by=actor, **values)
    return validate_and_save(issue)


@transaction.atomic
def update_business_issue(
    *, actor: User, issue: BusinessIssue, changes: dict[str, Any]
) -> BusinessIssue:
    access.require(access.can_change(actor, issue.opportunity))
    values = dict(changes)
    if "confirmed_by_id" in values:
        values["confirmed_by"] = _contact_of(
            actor, issue.opportunity, values.pop("confirmed_by_id")
        )
    return validate_and_save(apply_changes(issue, values))


@transaction.atomic
def confirm_business_issue(
    *, actor: User, issue: BusinessIssue, on: date | None = None, contact_id: int | None = None
) -> BusinessIssue:
    if not issue.paraphrase.strip():
        raise ValidationError({"paraphrase": "Paraphrase the issue before the customer confirms."})
    changes: dict[str, Any] = {"confirmed_on": on or timezone.localdate()}
    if contact_id is not None:
        changes["confirmed_by_id"] = contact_id
    return update_business_issue(actor=actor, issue=issue, changes=changes)


def _contact_of(actor: User, opportunity: Opportunity, contact_id: int | None) -> Contact | None:
    contact = resolve(actor, Contact, contact_id, field="confirmed_by_id")
    if contact is not None and contact.account_id != opportunity.account_id:
        raise ValidationError({"confirmed_by_id": "The contact works for another account."})
    return contact
