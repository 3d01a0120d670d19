"""Salesforce records that link others rather than stand alone: a contact's role on a deal
(OpportunityContactRole) and a product on a deal (OpportunityLineItem)."""

from __future__ import annotations

from django.db.models import Model

from presales.accounts.models import Contact
from presales.deals.models import Opportunity
from presales.imports.services.engine import Record, Ref, Target
from presales.imports.services.targets import ReferenceWriter, product_by_name

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
    """A contact's role on a deal is kept on the contact (``deal_role``)."""

    def place(self, record: Record, fk: tuple[int | None, ...]) -> tuple[Model | None, bool]:
        assert fk[0] is not None  # a required reference: resolved before placing
        contact = Contact.objects.get(pk=fk[0])
        if record.values[0]:
            Contact.objects.filter(pk=contact.pk).update(deal_role=record.values[0])
        return contact, True

    def change(self, pk: int, record: Record, fk: tuple[int | None, ...]) -> None:
        if record.values[0]:
            Contact.objects.filter(pk=fk[0] or pk).update(deal_role=record.values[0])


class LineItemWriter(ReferenceWriter):
    """A line item adds its product to the deal; a product named rather than referenced is
    matched to the price list with a confidence, reported when below certain."""

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
