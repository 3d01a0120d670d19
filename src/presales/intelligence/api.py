"""Customer intelligence in the API: the duplicates queue, merges and their undo, data quality,
an account's install base and up-sell."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from presales.accounts.models import Account, Contact
from presales.core import access
from presales.core.api import Paginated, actor, get_visible
from presales.core.services import MAX_ID
from presales.intelligence import installbase, merging, quality
from presales.intelligence.access import is_steward, merges_for, pairs_for
from presales.intelligence.models import DuplicatePair, Kind, Merge

router = Router(tags=["customer intelligence"])


class ReasonOut(Schema):
    field: str
    level: str
    weight: float


class PairOut(Schema):
    id: int
    kind: str
    left_id: int
    right_id: int
    probability: float
    match_weight: float
    cluster: int | None
    status: str
    reasons: list[ReasonOut]


class MergeIn(Schema):
    kind: Literal["account", "contact"]
    survivor_id: int = Field(gt=0, le=MAX_ID)
    other_ids: list[int] = Field(min_length=1, max_length=50)


class MergeOut(Schema):
    id: int
    kind: str
    survivor_id: int
    merged_ids: list[int]
    decisions: list[dict[str, Any]]
    moved: int
    automatic: bool
    created_at: datetime
    undone_at: datetime | None

    @staticmethod
    def resolve_moved(obj: Merge) -> int:
        return len(obj.moved)


class RunIn(Schema):
    kind: Literal["account", "contact"] = "account"
    threshold: float = Field(0.9, gt=0, lt=1)


class JobStarted(Schema):
    job_id: int
    url: str


class ScoreOut(Schema):
    account_id: int
    name: str
    score: int
    reasons: list[str]


class UpsellOut(Schema):
    account_id: int
    owns: list[dict[str, Any]]
    suggestions: list[dict[str, Any]]


@router.get("/intelligence/duplicates", response=list[PairOut])
@paginate(Paginated)
def list_duplicates(
    request: HttpRequest, kind: str = "account", status: str = "open"
) -> QuerySet[DuplicatePair]:
    if kind not in Kind.values or status not in DuplicatePair.Status.values:
        raise ValidationError(
            {
                "kind": [
                    f"kind is one of {', '.join(Kind.values)}; status one of "
                    f"{', '.join(DuplicatePair.Status.values)}."
                ]
            }
        )
    return pairs_for(actor(request)).filter(kind=kind, status=status).order_by("-probability", "pk")


@router.post("/intelligence/duplicates/run", response={202: JobStarted})
def run_duplicates(request: HttpRequest, payload: RunIn) -> tuple[int, dict[str, Any]]:
    from presales.intelligence import jobs

    user = actor(request)
    access.require(
        is_steward(user) or user.is_manager_role,
        "A data steward or a manager starts the duplicate finder over the whole base.",
    )
    job = jobs.start(payload.kind, payload.threshold, user)
    return 202, {"job_id": job.pk, "url": f"/api/jobs/{job.pk}"}


@router.post("/intelligence/merges", response={201: MergeOut})
def create_merge(request: HttpRequest, payload: MergeIn) -> tuple[int, Merge]:
    user = actor(request)
    model = Account if payload.kind == "account" else Contact
    survivor = get_visible(request, model, payload.survivor_id)
    access.require(access.can_change(user, survivor), "You may not change this record.")
    try:
        record = merging.merge(payload.kind, survivor.pk, payload.other_ids, user=user)
    except merging.MergeError as exc:
        raise ValidationError({"other_ids": [str(exc)]}) from exc
    return 201, record


@router.get("/intelligence/merges", response=list[MergeOut])
@paginate(Paginated)
def list_merges(request: HttpRequest) -> QuerySet[Merge]:
    return merges_for(actor(request)).order_by("-created_at", "-pk")


@router.post("/intelligence/merges/{merge_record_id}/undo", response=MergeOut)
def undo_merge(request: HttpRequest, merge_record_id: int) -> Merge:
    user = actor(request)
    if (
        not (0 < merge_record_id <= MAX_ID)
        or not merges_for(user).filter(pk=merge_record_id).exists()
    ):
        raise Http404(f"No merge with id {merge_record_id}.")
    try:
        return merging.unmerge(merge_record_id, user=user)
    except merging.MergeError as exc:
        raise ValidationError(str(exc)) from exc


@router.get("/intelligence/quality", response=list[ScoreOut])
@paginate(Paginated)
def list_quality(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {"account_id": s.account.pk, "name": s.account.name, "score": s.score, "reasons": s.reasons}
        for s in quality.account_scores(actor(request))
    ]


@router.get("/intelligence/accounts/{account_id}/upsell", response=UpsellOut)
def account_upsell(request: HttpRequest, account_id: int) -> dict[str, Any]:
    account = get_visible(request, Account, account_id)
    owned, suggestions = installbase.upsell(account)
    return {
        "account_id": account.pk,
        "owns": [
            {
                "product": o.product,
                "quantity": str(o.quantity) if o.quantity is not None else None,
                "starts_on": o.starts_on,
                "renews_on": o.renews_on,
                "from": o.origin,
            }
            for o in owned
        ],
        "suggestions": [s.as_dict() for s in suggestions],
    }
