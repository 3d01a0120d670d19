"""The demo's customer intelligence: addresses and phones of every account, the same companies
and people arriving a second time from another CRM ("hubspot"), contacts who left or died with
the source of the news, likely flags for a person to confirm, and an install base of assets.

A step of the demo generator, run after the deals and activities (it copies some of them onto
the duplicates, as a second CRM would hold them)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db.models import F

from presales.accounts.models import Account, Asset, Contact
from presales.demo._common import SOURCE, _at, _bulk
from presales.intelligence.models import AccountAddress, ContactFlag
from presales.products.models import Product

SECOND_SOURCE = "hubspot"
CITIES = ["Berlin", "Munich", "Amsterdam", "Paris", "London", "Madrid", "Boston", "Toronto"]
STREETS = ["Main Street", "Station Road", "Harbor Avenue", "Market Street", "Park Road"]
SUFFIX_SWAP = {"Inc": "Inc.", "GmbH": "G.m.b.H.", "Ltd": "Limited", "AG": "Aktiengesellschaft"}
STATUS_FLAG = {
    Contact.Status.LEFT_COMPANY: ContactFlag.Reason.LEFT,
    Contact.Status.DECEASED: ContactFlag.Reason.DECEASED,
    Contact.Status.DO_NOT_CONTACT: ContactFlag.Reason.DO_NOT_CONTACT,
}


def _other_spelling(name: str, rng: Any) -> str:
    words = name.split()
    if words and words[-1].rstrip(".") in SUFFIX_SWAP:
        words[-1] = SUFFIX_SWAP[words[-1].rstrip(".")]
    elif rng.random() < 0.5:
        words.append(rng.choice(["Inc", "Ltd", "GmbH", "LLC"]))
    spelled = " ".join(words)
    return spelled.upper() if rng.random() < 0.4 else spelled


def populate(builder: Any) -> None:
    rng = builder.rng
    accounts: list[Account] = builder.account_list
    domains = {d.account_id: d.domain for a in accounts for d in a.domains.all()[:1]}
    addresses = []
    for account in accounts:
        addresses.append(
            AccountAddress(
                account=account,
                street=f"{rng.randint(1, 250)} {rng.choice(STREETS)}",
                postal_code=str(rng.randint(10000, 99999)),
                city=rng.choice(CITIES),
                phone=f"+49 30 {rng.randint(1000000, 9999999)}",
                website=f"https://www.{domains.get(account.pk, '')}"
                if account.pk in domains
                else "",
            )
        )
    _bulk(AccountAddress, addresses)
    by_account = {a.account_id: a for a in addresses}
    _duplicates(builder, rng, accounts, by_account)
    _flags(builder, rng)
    _assets(builder, rng, accounts)
    # A row was last changed when it was written, not when the demo was generated.
    for model in (Account, Contact):
        model.objects.filter(source=SECOND_SOURCE).update(updated_at=F("created_at"))
    Asset.objects.filter(source=SOURCE).update(updated_at=F("created_at"))


def _duplicates(builder: Any, rng: Any, accounts: list[Account], where: dict[int, Any]) -> None:
    """About one account in twenty arrives again from a second CRM, with some of its people."""
    copies = rng.sample(accounts, k=max(2, len(accounts) // 20))
    made = 0
    for n, original in enumerate(copies, 1):
        address = where[original.pk]
        copy = Account.objects.create(
            name=_other_spelling(original.name, rng),
            sector=original.sector if rng.random() < 0.7 else "",
            employees=None if rng.random() < 0.5 else original.employees,
            size=original.size,
            country=original.country,
            region=original.region,
            team=original.team,
            source=SECOND_SOURCE,
            external_id=f"HS-{n:05d}",
            created_at=builder.now - timedelta(days=rng.randint(30, 400)),
        )
        AccountAddress.objects.create(
            account=copy,
            street=address.street.replace("Street", "St").replace("Road", "Rd"),
            postal_code=address.postal_code,
            city=address.city,
            phone="0049" + address.phone.replace("+49", "").replace(" ", ""),
            website=address.website.replace("https://www.", ""),
        )
        people = builder.contacts.get(original.pk, [])[:2]
        for i, person in enumerate(people):
            Contact.objects.create(
                account=copy,
                first_name=person.first_name,
                last_name=person.last_name.upper() if rng.random() < 0.3 else person.last_name,
                email=person.email,
                title=person.title,
                source=SECOND_SOURCE,
                external_id=f"HSC-{n:05d}-{i}",
                created_at=copy.created_at,
            )
        made += 1
    builder.counts["duplicate accounts"] = made


def _flags(builder: Any, rng: Any) -> None:
    """Statuses imported from the CRM become flags with their source; a few people moved on
    without anyone noticing (their e-mail now bounces to another company, a title says retired)."""
    flags = []
    contacts = [c for people in builder.contacts.values() for c in people]
    for c in contacts:
        reason = STATUS_FLAG.get(c.status)
        if reason:
            flags.append(
                ContactFlag(
                    contact=c,
                    reason=reason,
                    status=ContactFlag.Status.CONFIRMED,
                    source=f"import: {SOURCE}",
                    noted_on=builder.today - timedelta(days=rng.randint(10, 500)),
                    detail="Marked so in the CRM",
                )
            )
    _bulk(ContactFlag, flags)
    active = [c for c in contacts if c.status == Contact.Status.ACTIVE]
    for c in rng.sample(active, k=min(len(active), max(2, len(active) // 60))):
        Contact.objects.filter(pk=c.pk).update(
            title="Retired (formerly " + (c.title or "staff") + ")"
        )
    movers = rng.sample(active, k=min(len(active), max(2, len(active) // 60)))
    for c in movers:
        local = c.email.split("@")[0] if c.email else f"{c.first_name}.{c.last_name}".lower()
        Contact.objects.filter(pk=c.pk).update(email=f"{local}@rivalcorp.example")
    builder.counts["contact flags"] = len(flags)


def _assets(builder: Any, rng: Any, accounts: list[Account]) -> None:
    products = list(Product.objects.all())
    if not products:
        return
    assets: list[Asset] = []
    for account in rng.sample(accounts, k=len(accounts) // 3):
        for product in rng.sample(products, k=min(len(products), rng.randint(1, 3))):
            start = builder.today - timedelta(days=rng.randint(60, 1400))
            assets.append(
                Asset(
                    account=account,
                    product=product,
                    name=product.name,
                    quantity=Decimal(rng.randint(1, 40)),
                    status="Installed",
                    purchased_on=start,
                    installed_on=start + timedelta(days=rng.randint(5, 40)),
                    ends_on=start + timedelta(days=365 * rng.randint(1, 4)),
                    source=SOURCE,
                    external_id=f"AST-{len(assets) + 1:05d}",
                    created_at=min(builder.now, _at(start, 9)),
                )
            )
    _bulk(Asset, assets)
    builder.counts["assets"] = len(assets)
