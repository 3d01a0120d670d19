"""The object types imports write, shared by every profile: accounts, contacts, opportunities,
activities, people and products, with what happens around their rows (an account's web domain
recorded for calendar matching, a deal's team taken from its owner)."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db.models import Model
from django.utils.text import slugify

from presales.accounts.models import Account, AccountDomain, Contact
from presales.activities.models import Activity
from presales.deals.models import Opportunity
from presales.imports.models import ImportedRecord, PendingReference
from presales.imports.services.engine import Record, Ref, Target
from presales.imports.services.matching import match_name
from presales.imports.services.writer import Writer
from presales.people.models import Role, User
from presales.products.models import Product

ACCOUNT = Target(
    "account",
    Account,
    columns=("name", "sector", "size", "employees", "annual_revenue", "country"),
    refs=(Ref("parent_id", "account"),),
)
CONTACT = Target(
    "contact",
    Contact,
    columns=("first_name", "last_name", "email", "phone", "title"),
    refs=(Ref("account_id", "account", required=True),),
)
OPPORTUNITY = Target(
    "opportunity",
    Opportunity,
    columns=("name", "stage", "amount", "engage_date", "close_date"),
    refs=(Ref("account_id", "account"), Ref("owner_id", "user")),
)
# CRM exports also keep the deal's stage under its own name there.
CRM_OPPORTUNITY = Target(
    "opportunity",
    Opportunity,
    columns=(*OPPORTUNITY.columns, "source_stage"),
    refs=OPPORTUNITY.refs,
)
ACTIVITY = Target(
    "activity",
    Activity,
    columns=(
        "kind",
        "subject",
        "description",
        "starts_at",
        "ends_at",
        "status",
        "customer_facing",
    ),
    refs=(Ref("account_id", "account"), Ref("opportunity_id", "opportunity")),
    m2m=(("participants", "user"), ("contacts", "contact")),
)
USER = Target(
    "user",
    User,
    columns=("first_name", "last_name", "email", "title", "role"),
    refs=(Ref("manager_id", "user"),),
    identity="record",
)
PRODUCT = Target("product", Product, columns=("name", "series", "list_price"), identity="record")

CORE_TARGETS = {t.kind: t for t in (ACCOUNT, CONTACT, OPPORTUNITY, ACTIVITY, USER, PRODUCT)}


def record_account_domains(written: list[tuple[int, Record]]) -> None:
    """An account's web domain (its record's first extra) lets calendars recognise its people.
    A domain already claimed by another account stays with it."""
    domains = [
        AccountDomain(account_id=pk, domain=r.extra[0])
        for pk, r in written
        if r.extra and r.extra[0]
    ]
    if domains:
        AccountDomain.objects.bulk_create(domains, ignore_conflicts=True)


def team_from_owner(written: list[tuple[int, Record]]) -> None:
    """A deal without a team belongs to its owner's team."""
    ids = [pk for pk, _ in written]
    for pk, team in Opportunity.objects.filter(
        pk__in=ids, team__isnull=True, owner__team__isnull=False
    ).values_list("pk", "owner__team_id"):
        Opportunity.objects.filter(pk=pk).update(team_id=team)


class ReferenceWriter(Writer):
    """For the few objects matched by a natural key rather than by source and external id
    (people by e-mail, products by name) or that change another object (a contact's role on a
    deal): each record is placed through the ORM, as there are only ever a few of them."""

    def place(self, record: Record, fk: tuple[int | None, ...]) -> tuple[Model | None, bool]:
        """The object the record stands for and whether it was made new; None rejects it
        (after telling ``reject`` why)."""
        raise NotImplementedError

    def reject(self, record: Record, column: str, reason: str) -> None:
        if self.on_reject is not None:
            self.on_reject(record, column, reason)

    def change(self, pk: int, record: Record, fk: tuple[int | None, ...]) -> None:
        values = dict(zip(self.target.columns, record.values, strict=True))
        values.update(zip((r.field for r in self.target.refs), fk, strict=True))
        self.target.model._default_manager.filter(pk=pk).update(**values)

    def _insert(
        self,
        records: list[Record],
        fk: dict[str, tuple[int | None, ...]],
        waiting: list[PendingReference],
    ) -> list[tuple[int, Record]]:
        pairs: list[tuple[int, Record]] = []
        for record in records:
            obj, made = self.place(record, fk[record.external_id])
            if obj is None:
                self.counts.rejected += 1
                continue
            if made:
                self.counts.created += 1
            else:
                self.counts.updated += 1
            ImportedRecord.objects.update_or_create(
                source=self.source,
                kind=self.target.kind,
                external_id=record.external_id,
                defaults={"object_id": obj.pk, "digest": record.digest},
            )
            pairs.append((obj.pk, record))
        self.resolver.remember(self.target.kind, ((r.external_id, pk) for pk, r in pairs))
        if self.target.m2m:
            self._write_m2m(pairs, changed_ids=[], waiting=waiting)
        return pairs

    def _update(
        self, changed: list[tuple[int, Record]], fk: dict[str, tuple[int | None, ...]]
    ) -> None:
        for pk, record in changed:
            self.change(pk, record, fk[record.external_id])
            ImportedRecord.objects.filter(
                source=self.source, kind=self.target.kind, external_id=record.external_id
            ).update(digest=record.digest, object_id=pk)
        self.counts.updated += len(changed)


class UserWriter(ReferenceWriter):
    """People named in an export: matched to a Presales user by e-mail, else by full name;
    otherwise made as an inactive user without a password, for an administrator to enable."""

    def place(self, record: Record, fk: tuple[int | None, ...]) -> tuple[Model | None, bool]:
        first, last, email, title, role = record.values
        user = None
        if email:
            user = User.objects.filter(email__iexact=email).order_by("pk").first()
        if user is None and (first or last):
            user = User.objects.filter(first_name__iexact=first, last_name__iexact=last).first()
        if user is not None:
            return user, False
        user = User.objects.create(
            username=_free_username(email.split("@")[0] if email else f"{first}.{last}"),
            first_name=first,
            last_name=last,
            email=email,
            title=title,
            role=role or Role.REP,
            manager_id=fk[0],
            is_active=False,
            password=make_password(None),
        )
        return user, True

    def change(self, pk: int, record: Record, fk: tuple[int | None, ...]) -> None:
        first, last, email, title, _role = record.values
        # A person's role and login belong to Presales once they exist; names may follow the CRM.
        changes: dict[str, Any] = {"first_name": first, "last_name": last, "title": title}
        if email:
            changes["email"] = email
        if fk[0] is not None:
            changes["manager_id"] = fk[0]
        User.objects.filter(pk=pk).update(**changes)


def _free_username(wanted: str) -> str:
    base = slugify(wanted).replace("-", ".")[:140] or f"user{secrets.randbelow(10**6)}"
    name, n = base, 1
    while User.objects.filter(username=name).exists():
        n += 1
        name = f"{base}{n}"
    return name


class ProductWriter(ReferenceWriter):
    """Products are the vendor's own price list: matched by exact name (ignoring case), and
    made when absent."""

    def place(self, record: Record, fk: tuple[int | None, ...]) -> tuple[Model | None, bool]:
        name, series, price = record.values
        product = Product.objects.filter(name__iexact=name).first()
        if product is not None:
            return product, False
        product = Product.objects.create(
            name=name,
            series=series,
            list_price=price or 0,
            source=self.source,
            external_id=record.external_id,
        )
        return product, True

    def change(self, pk: int, record: Record, fk: tuple[int | None, ...]) -> None:
        _name, series, price = record.values
        changes: dict[str, Any] = {"series": series}
        if price is not None:
            changes["list_price"] = price
        Product.objects.filter(pk=pk).update(**changes)


def product_by_name(name: str) -> tuple[Product | None, float]:
    """The product a free-text name means, and how sure the match is (1.0 exact)."""
    products = list(Product.objects.all())
    found = match_name(name, {p.pk: p.name for p in products})
    if found is None:
        return None, 0.0
    pk, confidence = found
    return next(p for p in products if p.pk == pk), confidence


WRITERS: dict[str, type[Writer]] = {"user": UserWriter, "product": ProductWriter}
