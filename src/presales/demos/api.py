"""The demo catalog in the REST API: list, add, read, edit, move, fork; the demos an activity
showed; and the statistics (which demos win)."""

from datetime import date, datetime
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from presales.activities.models import Activity
from presales.core.api import Paginated, actor, get_visible
from presales.demos import services
from presales.demos.access import demos_for
from presales.demos.models import Demo
from presales.demos.stats import Filters, catalog_stats_json, demo_statistics

router = Router(tags=["demos"])
Format = Literal["live", "recorded", "click_through", "self_guided"]


class DemoOut(Schema):
    id: int
    title: str
    summary: str
    personas: str
    industry: str
    format: str
    duration_minutes: int
    script: str
    prerequisites: str
    environment_needed: str
    links: str
    state: str
    version: int
    owner_id: int | None
    forked_from_id: int | None
    product_ids: list[int]
    updated_at: datetime

    @staticmethod
    def resolve_product_ids(obj: Demo) -> list[int]:
        return [p.pk for p in obj.products.all()]


class DemoIn(Schema):
    title: str
    summary: str = ""
    personas: str = ""
    industry: str = ""
    format: Format = "live"
    duration_minutes: int = 30
    script: str = ""
    prerequisites: str = ""
    environment_needed: str = ""
    links: str = ""
    product_ids: list[int] = []


class DemoPatch(Schema):
    title: str | None = None
    summary: str | None = None
    personas: str | None = None
    industry: str | None = None
    format: Format | None = None
    duration_minutes: int | None = None
    script: str | None = None
    prerequisites: str | None = None
    environment_needed: str | None = None
    links: str | None = None
    product_ids: list[int] | None = None
    change_note: str = ""


class StateIn(Schema):
    state: Literal["draft", "shared", "master", "retired"]


class ShownIn(Schema):
    demo_ids: list[int]


class DemoFilter(Schema):
    state: str = ""
    q: str = ""


class StatsFilter(Schema):
    product_id: int | None = None
    segment: str = ""
    team_id: int | None = None
    since: date | None = None
    until: date | None = None


@router.get("/demos", response=list[DemoOut])
@paginate(Paginated)
def list_demos(request: HttpRequest, filters: Query[DemoFilter]) -> QuerySet[Demo]:
    rows = demos_for(actor(request)).prefetch_related("products")
    if filters.state:
        rows = rows.filter(state=filters.state)
    if filters.q:
        rows = rows.filter(title__icontains=filters.q)
    return rows


@router.post("/demos", response={201: DemoOut})
def create_demo(request: HttpRequest, payload: DemoIn) -> tuple[int, Demo]:
    data = payload.dict()
    products = data.pop("product_ids")
    return 201, services.create_demo(actor=actor(request), fields=data, product_ids=products)


@router.get("/demos/stats")
def demo_stats(request: HttpRequest, filters: Query[StatsFilter]) -> dict[str, Any]:
    """Per demo: deals shown in (n of N), share advanced within 30 days and win rate of closed
    deals, each with its 95% interval and the comparable deals' rate as ``reference``; the
    Benjamini-Hochberg q-value and the verdict."""
    return catalog_stats_json(
        demo_statistics(actor=actor(request), filters=Filters(**filters.dict()))
    )


@router.get("/demos/{demo_id}", response=DemoOut)
def get_demo(request: HttpRequest, demo_id: int) -> Demo:
    return get_visible(request, Demo, demo_id)


@router.patch("/demos/{demo_id}", response=DemoOut)
def update_demo(request: HttpRequest, demo_id: int, payload: DemoPatch) -> Demo:
    demo = get_visible(request, Demo, demo_id)
    data = payload.dict(exclude_unset=True)
    products = data.pop("product_ids", None)
    note = data.pop("change_note", "")
    fields = {k: v for k, v in data.items() if v is not None}
    return services.update_demo(
        actor=actor(request), demo=demo, fields=fields, product_ids=products, change_note=note
    )


@router.post("/demos/{demo_id}/state", response=DemoOut)
def move_demo(request: HttpRequest, demo_id: int, payload: StateIn) -> Demo:
    demo = get_visible(request, Demo, demo_id)
    return services.move_demo(actor=actor(request), demo=demo, to_state=payload.state)


@router.post("/demos/{demo_id}/fork", response={201: DemoOut})
def fork_demo(request: HttpRequest, demo_id: int) -> tuple[int, Demo]:
    demo = get_visible(request, Demo, demo_id)
    return 201, services.fork_demo(actor=actor(request), demo=demo)


@router.put("/activities/{activity_id}/demos", response=list[DemoOut])
def set_demos_shown(request: HttpRequest, activity_id: int, payload: ShownIn) -> list[Demo]:
    activity = get_visible(request, Activity, activity_id)
    return services.set_demos_shown(
        actor=actor(request), activity=activity, demo_ids=payload.demo_ids
    )
