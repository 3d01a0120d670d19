"""Writing to the demo catalog: add, edit (each edit keeps the former version), move through
draft → shared → master → retired, fork, and record which demos an activity showed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from presales.activities.models import Activity
from presales.core import access
from presales.core.roles import Role
from presales.core.services import resolve, validate_and_save
from presales.demos import facts
from presales.demos.access import can_curate, demos_for
from presales.demos.models import Demo, DemoShown, DemoVersion
from presales.people.models import User
from presales.products.models import Product

EDITABLE = (
    "title",
    "summary",
    "personas",
    "industry",
    "format",
    "duration_minutes",
    "script",
    "prerequisites",
    "environment_needed",
    "links",
)
# The moves a demo may make, and whether they need a curator (a manager or an administrator).
MOVES: dict[tuple[str, str], bool] = {
    (Demo.State.DRAFT, Demo.State.SHARED): False,
    (Demo.State.SHARED, Demo.State.DRAFT): False,
    (Demo.State.SHARED, Demo.State.MASTER): True,
    (Demo.State.MASTER, Demo.State.SHARED): True,
    (Demo.State.DRAFT, Demo.State.RETIRED): False,
    (Demo.State.SHARED, Demo.State.RETIRED): False,
    (Demo.State.MASTER, Demo.State.RETIRED): True,
    (Demo.State.RETIRED, Demo.State.SHARED): True,
}


def _products(ids: Iterable[int]) -> list[Product]:
    wanted = list(dict.fromkeys(ids))
    found = list(Product.objects.filter(pk__in=wanted))
    if len(found) != len(wanted):
        raise ValidationError({"products": "Choose products from the list."})
    return found


@transaction.atomic
def create_demo(*, actor: User, fields: Mapping[str, Any], product_ids: Iterable[int] = ()) -> Demo:
    access.require(actor.role != Role.PRODUCT_MANAGER, "Product management reads the catalog.")
    demo = Demo(owner=actor, **{k: v for k, v in fields.items() if k in EDITABLE})
    validate_and_save(demo, exclude=["owner", "curated_by", "forked_from"])
    demo.products.set(_products(product_ids))
    return demo


@transaction.atomic
def update_demo(
    *,
    actor: User,
    demo: Demo,
    fields: Mapping[str, Any],
    product_ids: Iterable[int] | None = None,
    change_note: str = "",
) -> Demo:
    """Edit a demo; what it said before is kept as a numbered version."""
    access.require(access.can_change(actor, demo), "Only the demo's owner or a manager edits it.")
    demo = Demo.objects.select_for_update().get(pk=demo.pk)
    before = DemoVersion(
        demo=demo,
        number=demo.version,
        title=demo.title,
        script=demo.script,
        prerequisites=demo.prerequisites,
        change_note=change_note[:300],
        saved_by=actor,
    )
    for name, value in fields.items():
        if name in EDITABLE:
            setattr(demo, name, value)
    demo.version += 1
    validate_and_save(demo, exclude=["owner", "curated_by", "forked_from"])
    before.save()
    if product_ids is not None:
        demo.products.set(_products(product_ids))
    return demo


@transaction.atomic
def move_demo(*, actor: User, demo: Demo, to_state: str) -> Demo:
    if to_state not in Demo.State.values:
        raise ValidationError({"state": "Choose a state from the list."})
    needs_curator = MOVES.get((demo.state, to_state))
    if needs_curator is None:
        raise ValidationError(
            {
                "state": f"A {demo.get_state_display().lower()} demo cannot become "
                f"{Demo.State(to_state).label.lower()}."
            }
        )
    access.require(access.can_change(actor, demo), "Only the demo's owner or a manager moves it.")
    if needs_curator:
        access.require(can_curate(actor), "A manager (enablement) curates the master library.")
    demo.state = to_state
    if to_state == Demo.State.MASTER:
        demo.curated_by = actor
        demo.curated_at = timezone.now()
    demo.save(update_fields=["state", "curated_by", "curated_at", "updated_at"])
    return demo


@transaction.atomic
def fork_demo(*, actor: User, demo: Demo) -> Demo:
    """The actor's own draft copy of a demo they see, remembering where it came from."""
    access.require(access.can_see(actor, demo))
    access.require(actor.role != Role.PRODUCT_MANAGER, "Product management reads the catalog.")
    copy = Demo.objects.create(
        **{name: getattr(demo, name) for name in EDITABLE if name != "title"},
        title=f"{demo.title} (fork)"[:200],
        owner=actor,
        forked_from=demo,
    )
    copy.products.set(demo.products.all())
    return copy


def _activity(actor: User, activity: Activity) -> Activity:
    access.require(
        access.can_change(actor, activity), "Only who may change the meeting records its demos."
    )
    if activity.status == Activity.Status.CANCELLED:
        raise ValidationError({"demos": "A cancelled meeting showed no demo."})
    return activity


@transaction.atomic
def set_demos_shown(*, actor: User, activity: Activity, demo_ids: Iterable[int]) -> list[Demo]:
    """The demos an activity showed are exactly ``demo_ids`` (the meeting form, the debrief).
    A match still to confirm that is not among them stays to confirm."""
    _activity(actor, activity)
    wanted = list(dict.fromkeys(demo_ids))
    demos = [resolve(actor, Demo, pk, field="demos") for pk in wanted]
    rows = DemoShown.objects.filter(activity=activity)
    rows.filter(status=DemoShown.Status.SHOWN).exclude(demo_id__in=wanted).delete()
    rows.filter(demo_id__in=wanted).exclude(status=DemoShown.Status.SHOWN).update(
        status=DemoShown.Status.SHOWN, recorded_by=actor, recorded_at=timezone.now()
    )
    known = set(rows.values_list("demo_id", flat=True))
    DemoShown.objects.bulk_create(
        DemoShown(activity=activity, demo_id=pk, recorded_by=actor, recorded_at=timezone.now())
        for pk in wanted
        if pk not in known
    )
    facts.refresh([activity.opportunity_id])  # a bulk insert sends no signal
    return [d for d in demos if d is not None]


def find_demos(*, actor: User, name: str) -> list[Demo]:
    """Demos the actor sees whose title matches ``name`` (exact first, then containing)."""
    name = " ".join(name.split())
    if len(name) < 2:
        raise ValidationError({"name": "Type at least two characters of the demo's title."})
    seen = demos_for(actor).exclude(state=Demo.State.RETIRED)
    exact = list(seen.filter(title__iexact=name))
    if exact:
        return exact
    words = [w for w in name.split() if len(w) > 1]
    condition = Q()
    for word in words:
        condition &= Q(title__icontains=word)
    return list(seen.filter(condition)[:10])


@transaction.atomic
def log_demo_shown(*, actor: User, activity: Activity, name: str) -> Demo:
    """Quick log by name: add the one demo whose title matches; ask when unsure."""
    _activity(actor, activity)
    found = find_demos(actor=actor, name=name)
    if not found:
        raise ValidationError({"name": f"No demo called “{name}” in the catalog."})
    if len(found) > 1:
        titles = "; ".join(d.title for d in found[:5])
        raise ValidationError({"name": f"Which one? {titles}. Type more of the title."})
    demo = found[0]
    DemoShown.objects.update_or_create(
        activity=activity,
        demo=demo,
        defaults={"recorded_by": actor, "status": DemoShown.Status.SHOWN},
    )
    return demo
