from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Field, FilterSchema, Query, Router, Schema
from ninja.pagination import paginate

from presales.accounts import services
from presales.accounts.access import accounts_for, contacts_for
from presales.accounts.models import Account, Contact
from presales.core.api import Paginated, actor, get_visible

router = Router(tags=["accounts"])


class AccountOut(Schema):
    id: int
    name: str
    sector: str
    size: str
    employees: int | None
    annual_revenue: Decimal | None
    country: str
    region_id: int | None
    team_id: int | None
    parent_id: int | None
    domains: list[str]
    source: str
    external_id: str

    @staticmethod
    def resolve_domains(obj: Account) -> list[str]:
        return [d.domain for d in obj.domains.all()]


class AccountIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    sector: str = Field("", max_length=80)
    employees: int | None = Field(None, ge=0)
    annual_revenue: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    country: str = Field("", max_length=80)
    region_id: int | None = None
    team_id: int | None = None
    parent_id: int | None = None


class AccountPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    sector: str | None = Field(None, max_length=80)
    employees: int | None = Field(None, ge=0)
    annual_revenue: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    country: str | None = Field(None, max_length=80)
    region_id: int | None = None
    team_id: int | None = None
    parent_id: int | None = None


class AccountFilter(FilterSchema):
    q: str | None = Field(None, description="Words in the account name")
    sector: str | None = None
    region_id: int | None = None
    team_id: int | None = None

    def filter_q(self, value: str | None) -> Q:
        return Q(name__icontains=value) if value else Q()


@router.get("/accounts", response=list[AccountOut])
@paginate(Paginated)
def list_accounts(request: HttpRequest, filters: Query[AccountFilter]) -> QuerySet[Account]:
    rows = accounts_for(actor(request)).prefetch_related("domains").order_by("name", "id")
    return filters.filter(rows)


@router.get("/accounts/{account_id}", response=AccountOut)
def get_account(request: HttpRequest, account_id: int) -> Account:
    return get_visible(request, Account, account_id)


@router.post("/accounts", response={201: AccountOut})
def create_account(request: HttpRequest, payload: AccountIn) -> tuple[int, Account]:
    return 201, services.create_account(actor=actor(request), fields=payload.dict())


@router.patch("/accounts/{account_id}", response=AccountOut)
def update_account(request: HttpRequest, account_id: int, payload: AccountPatch) -> Account:
    account = get_visible(request, Account, account_id)
    changes: dict[str, Any] = payload.dict(exclude_unset=True)
    return services.update_account(actor=actor(request), account=account, changes=changes)


class ContactOut(Schema):
    id: int
    account_id: int
    first_name: str
    last_name: str
    email: str
    phone: str
    title: str
    deal_role: str
    needs: str
    status: str
    source: str
    external_id: str


class ContactIn(Schema):
    account_id: int
    first_name: str = Field("", max_length=80)
    last_name: str = Field(min_length=1, max_length=80)
    email: str | None = Field(None, max_length=254)
    phone: str = Field("", max_length=40)
    title: str = Field("", max_length=120)
    deal_role: Contact.DealRole | None = None
    needs: str = ""
    status: Contact.Status = Contact.Status.ACTIVE


class ContactPatch(Schema):
    account_id: int | None = None
    first_name: str | None = Field(None, max_length=80)
    last_name: str | None = Field(None, min_length=1, max_length=80)
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=40)
    title: str | None = Field(None, max_length=120)
    deal_role: Contact.DealRole | None = None
    needs: str | None = None
    status: Contact.Status | None = None


class ContactFilter(FilterSchema):
    q: str | None = Field(None, description="Words in the name, title or e-mail")
    account_id: int | None = None
    deal_role: Contact.DealRole | None = None
    status: Contact.Status | None = None

    def filter_q(self, value: str | None) -> Q:
        if not value:
            return Q()
        return (
            Q(first_name__icontains=value)
            | Q(last_name__icontains=value)
            | Q(title__icontains=value)
            | Q(email__icontains=value)
        )


def _contact_values(payload: Schema, *, exclude_unset: bool) -> dict[str, Any]:
    values = payload.dict(exclude_unset=exclude_unset)
    for key in ("email", "deal_role"):
        if key in values and values[key] is None:
            values[key] = ""
    return values


@router.get("/contacts", response=list[ContactOut])
@paginate(Paginated)
def list_contacts(request: HttpRequest, filters: Query[ContactFilter]) -> QuerySet[Contact]:
    rows = contacts_for(actor(request)).order_by("last_name", "first_name", "id")
    return filters.filter(rows)


@router.get("/contacts/{contact_id}", response=ContactOut)
def get_contact(request: HttpRequest, contact_id: int) -> Contact:
    return get_visible(request, Contact, contact_id)


@router.post("/contacts", response={201: ContactOut})
def create_contact(request: HttpRequest, payload: ContactIn) -> tuple[int, Contact]:
    fields = _contact_values(payload, exclude_unset=False)
    return 201, services.create_contact(actor=actor(request), fields=fields)


@router.patch("/contacts/{contact_id}", response=ContactOut)
def update_contact(request: HttpRequest, contact_id: int, payload: ContactPatch) -> Contact:
    contact = get_visible(request, Contact, contact_id)
    changes = _contact_values(payload, exclude_unset=True)
    return services.update_contact(actor=actor(request), contact=contact, changes=changes)
