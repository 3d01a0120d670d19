from decimal import Decimal

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from presales.core.api import Paginated
from presales.products.models import Competitor, Product

router = Router(tags=["products"])


class ProductOut(Schema):
    id: int
    name: str
    series: str
    list_price: Decimal
    active: bool


class CompetitorOut(Schema):
    id: int
    name: str


@router.get("/products", response=list[ProductOut])
@paginate(Paginated)
def list_products(request: HttpRequest) -> QuerySet[Product]:
    return Product.objects.order_by("series", "name")


@router.get("/competitors", response=list[CompetitorOut])
@paginate(Paginated)
def list_competitors(request: HttpRequest) -> QuerySet[Competitor]:
    return Competitor.objects.order_by("name")
