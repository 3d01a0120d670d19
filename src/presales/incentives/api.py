from __future__ import annotations

from dataclasses import asdict
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Router, Schema

from presales.activities.models import Kind
from presales.core.api import actor, get_visible
from presales.core.services import resolve_plain
from presales.incentives import services
from presales.incentives.access import quota_buckets_for, spiffs_for
from presales.incentives.analytics import bucket_attainment, bucket_attainments, spiff_report
from presales.incentives.models import QuotaBucket, Spiff
from presales.people.models import Team
from presales.products.models import Product
from presales.scorecards.access import scorecard_people_for
from presales.scorecards.periods import Quarter

router = Router(tags=["incentives"])


class SpiffIn(Schema):
    name: str = Field(min_length=1, max_length=120)
    purpose: str = ""
    basis: Spiff.Basis = Spiff.Basis.SALE
    activity_kind: Kind | None = None
    product_ids: list[int] = Field(min_length=1)
    starts_on: date
    ends_on: date
    rep_amount: Decimal = Field(Decimal("0"), ge=0, max_digits=10, decimal_places=2)
    se_amount: Decimal = Field(Decimal("0"), ge=0, max_digits=10, decimal_places=2)
    team_id: int | None = None


def _spiff_out(spiff: Spiff) -> dict[str, Any]:
    report = asdict(spiff_report(spiff))
    return {
        "id": spiff.pk,
        "name": spiff.name,
        "purpose": spiff.purpose,
        "basis": spiff.basis,
        "activity_kind": spiff.activity_kind,
        "product_ids": [p.pk for p in spiff.products.all()],
        "starts_on": spiff.starts_on.isoformat(),
        "ends_on": spiff.ends_on.isoformat(),
        "rep_amount": str(spiff.rep_amount),
        "se_amount": str(spiff.se_amount),
        "team_id": spiff.team_id,
        "report": report,
    }


@router.get("/incentives/spiffs", response=list[dict[str, Any]])
def list_spiffs(request: HttpRequest) -> Any:
    rows = spiffs_for(actor(request)).prefetch_related("products")[:100]
    return [_spiff_out(s) for s in rows]


@router.get("/incentives/spiffs/{spiff_id}", response=dict[str, Any])
def get_spiff(request: HttpRequest, spiff_id: int) -> Any:
    return _spiff_out(get_visible(request, Spiff, spiff_id))


@router.post("/incentives/spiffs", response={201: dict[str, Any]})
def create_spiff(request: HttpRequest, payload: SpiffIn) -> tuple[int, Any]:
    fields = payload.dict()
    product_ids = fields.pop("product_ids")
    products = [resolve_plain(Product, pk, field="product_ids") for pk in product_ids]
    fields["team"] = resolve_plain(Team, fields.pop("team_id"), field="team_id")
    fields["activity_kind"] = fields["activity_kind"] or ""
    spiff = services.save_spiff(
        actor=actor(request), fields=fields, products=[p for p in products if p is not None]
    )
    return 201, _spiff_out(spiff)


@router.delete("/incentives/spiffs/{spiff_id}", response={204: None})
def delete_spiff(request: HttpRequest, spiff_id: int) -> tuple[int, None]:
    services.delete_spiff(actor=actor(request), spiff=get_visible(request, Spiff, spiff_id))
    return 204, None


class BucketIn(Schema):
    owner_id: int
    product_id: int
    period: str
    target: Decimal = Field(gt=0, max_digits=14, decimal_places=2)


class BucketOut(Schema):
    bucket_id: int
    person_id: int
    person: str
    product: str
    period: str
    target: Decimal
    booked: Decimal
    attainment: Decimal
    sample: int


@router.get("/incentives/buckets", response=list[BucketOut])
def list_buckets(
    request: HttpRequest, period: str | None = None, owner_id: int | None = None
) -> Any:
    quarter = Quarter.parse(period) if period else Quarter.current()
    rows = quota_buckets_for(actor(request)).filter(year=quarter.year, quarter=quarter.quarter)
    if owner_id is not None:
        rows = rows.filter(owner_id=owner_id)
    return bucket_attainments(rows.select_related("owner", "product")[:500])


@router.post("/incentives/buckets", response={201: BucketOut})
def create_bucket(request: HttpRequest, payload: BucketIn) -> tuple[int, Any]:
    quarter = Quarter.parse(payload.period)
    owner = scorecard_people_for(actor(request)).filter(pk=payload.owner_id).first()
    if owner is None:
        raise ValidationError(
            {"owner_id": f"No person with id {payload.owner_id} that you manage."}
        )
    bucket = services.save_bucket(
        actor=actor(request),
        fields={
            "owner": owner,
            "product": resolve_plain(Product, payload.product_id, field="product_id"),
            "year": quarter.year,
            "quarter": quarter.quarter,
            "target": payload.target,
        },
    )
    return 201, bucket_attainment(bucket)


@router.delete("/incentives/buckets/{bucket_id}", response={204: None})
def delete_bucket(request: HttpRequest, bucket_id: int) -> tuple[int, None]:
    services.delete_bucket(
        actor=actor(request), bucket=get_visible(request, QuotaBucket, bucket_id)
    )
    return 204, None
