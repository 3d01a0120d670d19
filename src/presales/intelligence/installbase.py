"""What each account owns (won deals' products and imported assets) and the up-sell wheel:
for each product it does not own, how often comparable customers (same sector and size band)
own it, n of N with a 95% Wilson interval, and "too few to tell" below ``MIN_PEERS``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from presales.accounts.models import Account, Asset
from presales.core.stats import wilson
from presales.deals.models import LineItem, Opportunity, Stage
from presales.products.models import Product

MIN_PEERS = 5


@dataclass
class Owned:
    product: str
    product_id: int | None
    quantity: Decimal | None
    starts_on: date | None
    renews_on: date | None
    origin: str


def install_base(account: Account) -> list[Owned]:
    rows: list[Owned] = []
    for asset in Asset.objects.filter(account=account).select_related("product"):
        rows.append(
            Owned(
                asset.product.name if asset.product else asset.name,
                asset.product_id,
                asset.quantity,
                asset.installed_on or asset.purchased_on,
                asset.ends_on,
                f"Asset ({asset.source})",
            )
        )
    won = Opportunity.objects.filter(account=account, stage=Stage.WON)
    items = LineItem.objects.filter(opportunity__in=won).select_related("product", "opportunity")
    with_items = set()
    for item in items:
        with_items.add(item.opportunity_id)
        rows.append(
            Owned(
                item.product.name,
                item.product_id,
                item.quantity,
                item.opportunity.close_date,
                None,
                f"Won deal: {item.opportunity.name}",
            )
        )
    for deal in won.exclude(pk__in=with_items).prefetch_related("products"):
        for product in deal.products.all():
            rows.append(
                Owned(
                    product.name, product.pk, None, deal.close_date, None, f"Won deal: {deal.name}"
                )
            )
    return sorted(rows, key=lambda r: (r.product, r.starts_on or date.min))


def _owners() -> dict[int, set[int]]:
    """product id -> accounts that own it."""
    owners: dict[int, set[int]] = {}
    for account_id, product_id in Asset.objects.filter(product__isnull=False).values_list(
        "account_id", "product_id"
    ):
        owners.setdefault(product_id, set()).add(account_id)
    for account_id, product_id in LineItem.objects.filter(opportunity__stage=Stage.WON).values_list(
        "opportunity__account_id", "product_id"
    ):
        owners.setdefault(product_id, set()).add(account_id)
    for account_id, product_id in Opportunity.objects.filter(
        stage=Stage.WON, products__isnull=False
    ).values_list("account_id", "products"):
        owners.setdefault(product_id, set()).add(account_id)
    return owners


@dataclass
class Suggestion:
    product: Product
    owners: int
    peers: int
    low: float | None
    high: float | None
    open_deals: int

    @property
    def too_few(self) -> bool:
        return self.peers < MIN_PEERS

    @property
    def share(self) -> float | None:
        return self.owners / self.peers if self.peers else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "product_id": self.product.pk,
            "product": self.product.name,
            "owners": self.owners,
            "peers": self.peers,
            "share": self.share,
            "low": self.low,
            "high": self.high,
            "too_few_to_tell": self.too_few,
            "open_deals": self.open_deals,
        }


def upsell(account: Account) -> tuple[list[Owned], list[Suggestion]]:
    owned = install_base(account)
    owned_ids = {o.product_id for o in owned if o.product_id}
    peers = (
        set(
            Account.objects.filter(sector=account.sector, size=account.size)
            .exclude(pk=account.pk)
            .values_list("pk", flat=True)
        )
        if account.sector and account.size
        else set()
    )
    owners = _owners()
    open_deals: dict[int, int] = {}
    for product_id in (
        Opportunity.objects.filter(account=account)
        .exclude(stage__in=[Stage.WON, Stage.LOST])
        .values_list("products", flat=True)
    ):
        if product_id:
            open_deals[product_id] = open_deals.get(product_id, 0) + 1
    out = []
    for product in Product.objects.exclude(pk__in=owned_ids).order_by("name"):
        n = len(owners.get(product.pk, set()) & peers)
        rate = wilson(n, len(peers))
        out.append(
            Suggestion(product, n, len(peers), rate.low, rate.high, open_deals.get(product.pk, 0))
        )
    out.sort(key=lambda s: (s.too_few, -(s.low or 0), -s.open_deals, s.product.name))
    return owned, out
