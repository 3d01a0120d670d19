"""The only place that writes incentives: SPIFFs and quota buckets."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from presales.core import access
from presales.core.services import apply_changes, validate_and_save
from presales.incentives.access import can_manage_spiff
from presales.incentives.models import QuotaBucket, Spiff
from presales.people.models import User
from presales.products.models import Product
from presales.scorecards.access import can_set_pay


@transaction.atomic
def save_spiff(
    *,
    actor: User,
    spiff: Spiff | None = None,
    fields: Mapping[str, Any],
    products: Sequence[Product] | None = None,
) -> Spiff:
    target = spiff or Spiff()
    apply_changes(target, fields)
    access.require(
        can_manage_spiff(actor, team=target.team),
        "Only administrators run company-wide SPIFFs; managers run their teams' SPIFFs.",
    )
    if target.basis == Spiff.Basis.ACTIVITY and not target.activity_kind:
        raise ValidationError({"activity_kind": "An activity SPIFF names the kind of activity."})
    if target.basis == Spiff.Basis.SALE and target.activity_kind:
        raise ValidationError({"activity_kind": "Only an activity SPIFF names a kind."})
    if target.starts_on and target.ends_on and target.ends_on < target.starts_on:
        raise ValidationError({"ends_on": "The window ends before it starts."})
    if spiff is None:
        target.created_by = actor
        if not products:
            raise ValidationError({"product_ids": "Name at least one product."})
    validate_and_save(target, exclude=["created_by"])
    if products is not None:
        if not products:
            raise ValidationError({"product_ids": "Name at least one product."})
        target.products.set(products)
    return target


def delete_spiff(*, actor: User, spiff: Spiff) -> None:
    access.require(can_manage_spiff(actor, team=spiff.team), "You may not end this SPIFF.")
    spiff.delete()


def save_bucket(
    *, actor: User, bucket: QuotaBucket | None = None, fields: Mapping[str, Any]
) -> QuotaBucket:
    target = bucket or QuotaBucket()
    apply_changes(target, fields)
    if target.owner_id is None:
        raise ValidationError({"owner_id": "Name the person the quota is for."})
    access.require(can_set_pay(actor, owner=target.owner), "You may not set their quota.")
    return validate_and_save(target)


def delete_bucket(*, actor: User, bucket: QuotaBucket) -> None:
    access.require(can_set_pay(actor, owner=bucket.owner), "You may not change their quota.")
    bucket.delete()
