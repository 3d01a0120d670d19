"""Salesforce records that link others rather than stand alone: a contact's role on a deal
(OpportunityContactRole) and a product on a deal (OpportunityLineItem)."""

from __future__ import annotations

from django.db.models import Model
from django.utils import timezone

from presales.accounts.models import Contact
from presales.deals.models import LineItem, Opportunity
from presales.imports.services.engine import Record, Ref, Target
from presales.imports.services.targets import ReferenceWriter, product_by_name
from presales.qualification.models import Stakeholder

CONTACT_ROLE = Target(
    "contact_role",
    Contact,
    columns=("deal_role",),
    refs=(
        Ref("contact", "contact", required=True),
        Ref("opportunity", "opportunity", required=True),
    ),
    identity="record",
)
LINE_ITEM = Target(
    "line_item",
    Opportunity,
    columns=("product_name",),
    refs=(Ref("opportunity", "opportunity", required=True), Ref("product", "product")),
    identity="record",
)


class ContactRoleWriter(ReferenceWriter):
    """A contact's role on a deal makes them a stakeholder of that deal with that role; the
    contact's usual role (``deal_role``) follows the latest one the CRM gave."""

    def place(self, record: Record, fk: tuple[int | None, ...]) -> tuple[Model | None, bool]:
        contact_id, deal_id = fk
        assert contact_id is not None and deal_id is not None  # required: resolved before
        role = record.values[0]
        stakeholder, made = Stakeholder.objects.get_or_create(
            opportunity_id=deal_id, contact_id=contact_id, defaults={"deal_role": role}
        )
        if not made and role and stakeholder.deal_role != role:
            Stakeholder.objects.filter(pk=stakeholder.pk).update(
                deal_role=role, updated_at=timezone.now()
            )
        if role:
            Contact.objects.filter(pk=contact_id).update(deal_role=role)
        return Contact(pk=contact_id), True

    def change(self, pk: int, record: Record, fk: tuple[int | None, ...]) -> None:
        self.place(record, fk)


class LineItemWriter(ReferenceWriter):
    """A line item adds its product to the deal with its quantity and price; a product named
    rather than referenced is matched to the price list with a confidence, reported when below
    certain."""

    def place(self, record: Record, fk: tuple[int | None, ...]) -> tuple[Model | None, bool]:
        assert fk[0] is not None
        deal = Opportunity.objects.get(pk=fk[0])
        product_id = fk[1]
        if product_id is None:
            product, confidence = product_by_name(record.values[0])
            if product is None:
                self.reject(record, "Name", f"no product named like {record.values[0]!r}")
                return None, False
            if confidence < 1:
                self.warn_match(record, product.name, confidence)
            product_id = product.pk
        deal.products.add(product_id)
        _name, quantity, unit_price, total = record.values
        LineItem.objects.update_or_create(
            source=self.source,
            external_id=record.external_id,
            defaults={
                "opportunity": deal,
                "product_id": product_id,
                "quantity": 1 if quantity is None else quantity,
                "unit_price": unit_price,
                "total_price": total,
            },
        )
        return deal, True

    def change(self, pk: int, record: Record, fk: tuple[int | None, ...]) -> None:
        self.place(record, fk)

    def warn_match(self, record: Record, name: str, confidence: float) -> None:
        if self.on_warn is not None:
            self.on_warn(
                record,
                "Name",
                f"{record.values[0]!r} matched to product {name!r} ({confidence:.0%})",
            )
