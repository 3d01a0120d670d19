"""Salesforce data exports (Data Export or Data Loader): one CSV per object, API field names as
headers, dates as ``2024-03-05`` and times as ``2024-03-05T14:00:00.000Z``, ids of 15 or 18
characters. The file name (``Account.csv``) or, failing that, its columns say what it holds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from presales.accounts.models import Account, Contact
from presales.deals.models import Stage
from presales.imports.models import Picklist
from presales.imports.services.engine import Record
from presales.imports.services.picklists import (
    Meaning,
    Origin,
    SourceValues,
    guessed_stage,
    stage_from_evidence,
)
from presales.imports.services.profiles import CsvMapper, FilePlan, Profile, fit, required_text
from presales.imports.services.salesforce_activities import (
    ActivityMapper,
    sf_id,
)
from presales.imports.services.salesforce_history import (
    ASSET,
    HISTORY,
    AssetMapper,
    HistoryMapper,
    HistoryWriter,
)
from presales.imports.services.salesforce_links import (
    CONTACT_ROLE,
    LINE_ITEM,
    ContactRoleWriter,
    LineItemWriter,
)
from presales.imports.services.sources import CsvFile, UnusableInput
from presales.imports.services.targets import (
    CORE_TARGETS,
    CRM_OPPORTUNITY,
    WRITERS,
    record_account_domains,
    team_from_owner,
)
from presales.imports.services.values import (
    CellError,
    domain_of,
    normalise,
    parse_amount,
    parse_date,
    parse_datetime,
    parse_int,
)
from presales.people.models import Role

SOURCE = "salesforce"

# Salesforce's default opportunity stages, and Presales' own names for teams that renamed them.
STAGES = {
    "prospecting": Stage.PROSPECTING,
    "qualification": Stage.DISCOVERY,
    "needs analysis": Stage.DISCOVERY,
    "discovery": Stage.DISCOVERY,
    "value proposition": Stage.DEMO,
    "id. decision makers": Stage.DEMO,
    "demo": Stage.DEMO,
    "perception analysis": Stage.POC,
    "proof of concept": Stage.POC,
    "poc": Stage.POC,
    "proposal/price quote": Stage.PROPOSAL,
    "proposal": Stage.PROPOSAL,
    "negotiation/review": Stage.NEGOTIATION,
    "negotiation": Stage.NEGOTIATION,
    "closed won": Stage.WON,
    "won": Stage.WON,
    "closed lost": Stage.LOST,
    "lost": Stage.LOST,
}
CONTACT_ROLES = {
    "economic buyer": Contact.DealRole.ECONOMIC_BUYER,
    "economic decision maker": Contact.DealRole.ECONOMIC_BUYER,
    "decision maker": Contact.DealRole.ECONOMIC_BUYER,
    "technical buyer": Contact.DealRole.TECHNICAL_DECISION_MAKER,
    "technical decision maker": Contact.DealRole.TECHNICAL_DECISION_MAKER,
    "executive sponsor": Contact.DealRole.SPONSOR,
    "sponsor": Contact.DealRole.SPONSOR,
    "champion": Contact.DealRole.CHAMPION,
    "influencer": Contact.DealRole.CHAMPION,
    "gatekeeper": Contact.DealRole.GATEKEEPER,
    "business user": Contact.DealRole.USER,
    "evaluator": Contact.DealRole.USER,
    "user": Contact.DealRole.USER,
    "other": "",
}


def role_for_title(title: str) -> str:
    text = normalise(title)
    engineer = any(w in text for w in ("engineer", "presales", "pre-sales", "solution", "se "))
    manager = any(w in text for w in ("manager", "director", "head", "vp", "vice president"))
    if engineer:
        return Role.SE_MANAGER if manager else Role.SE
    return Role.SALES_MANAGER if manager else Role.REP


class UserMapper(CsvMapper):
    kind, label = "user", "User"
    required = ("Id", "LastName")
    used = ("FirstName", "LastName", "Email", "Title", "ManagerId")

    def build(self, cells: list[str], line: int) -> Record:
        title = self.cell(cells, "Title")
        return Record(
            "user",
            sf_id(self.cell(cells, "Id"), "Id"),
            (
                fit(self.cell(cells, "FirstName"), 150),
                fit(required_text(self.cell(cells, "LastName"), "LastName"), 150),
                self.cell(cells, "Email").lower(),
                fit(title, 120),
                role_for_title(title),
            ),
            refs=(sf_id(self.cell(cells, "ManagerId"), "ManagerId"),),
            digest=self.digest(cells),
        )


class AccountMapper(CsvMapper):
    kind, label = "account", "Account"
    required = ("Id", "Name")
    used = (
        "Name",
        "Industry",
        "NumberOfEmployees",
        "AnnualRevenue",
        "BillingCountry",
        "ParentId",
        "Website",
    )

    def build(self, cells: list[str], line: int) -> Record:
        employees = self.parse(cells, "NumberOfEmployees", parse_int)
        revenue = self.parse(cells, "AnnualRevenue", parse_amount)
        if employees is not None and employees < 0:
            raise CellError("cannot be negative", "NumberOfEmployees")
        return Record(
            "account",
            sf_id(self.cell(cells, "Id"), "Id"),
            (
                fit(required_text(self.cell(cells, "Name"), "Name"), 200),
                fit(self.cell(cells, "Industry"), 80),
                Account.size_for(employees),
                employees,
                # Salesforce keeps revenue in currency units; Presales in millions.
                None if revenue is None else round(revenue / 1_000_000, 2),
                fit(self.cell(cells, "BillingCountry"), 80),
            ),
            refs=(sf_id(self.cell(cells, "ParentId"), "ParentId"),),
            digest=self.digest(cells),
            extra=(domain_of(self.cell(cells, "Website")),),
        )


class ContactMapper(CsvMapper):
    kind, label = "contact", "Contact"
    required = ("Id", "LastName", "AccountId")
    used = ("FirstName", "LastName", "Email", "Phone", "Title", "AccountId")

    def build(self, cells: list[str], line: int) -> Record:
        account = sf_id(self.cell(cells, "AccountId"), "AccountId")
        if not account:
            raise CellError("is empty: a contact needs an account", "AccountId")
        return Record(
            "contact",
            sf_id(self.cell(cells, "Id"), "Id"),
            (
                fit(self.cell(cells, "FirstName"), 80),
                fit(required_text(self.cell(cells, "LastName"), "LastName"), 80),
                self.cell(cells, "Email")[:254],
                fit(self.cell(cells, "Phone"), 40),
                fit(self.cell(cells, "Title"), 120),
            ),
            refs=(account,),
            digest=self.digest(cells),
        )


class OpportunityMapper(CsvMapper):
    kind, label = "opportunity", "Opportunity"
    required = ("Id", "Name", "StageName")
    used = ("Name", "StageName", "Amount", "CloseDate", "CreatedDate", "AccountId", "OwnerId")
    optional = ("IsClosed", "IsWon", "Probability", "ForecastCategoryName", "ForecastCategory")

    def __init__(self, source: CsvFile) -> None:
        super().__init__(source)
        self.stages = SourceValues(source=SOURCE, picklist=Picklist.STAGE, defaults=STAGES)
        self.forecast = (
            "ForecastCategoryName" if "ForecastCategoryName" in self.col else ("ForecastCategory")
        )

    def stage(self, cells: list[str]) -> tuple[str, str]:
        name = required_text(self.cell(cells, "StageName"), "StageName")
        meaning = self.stages.meaning(
            name,
            lambda: stage_from_evidence(
                name,
                closed=self.cell(cells, "IsClosed"),
                won=self.cell(cells, "IsWon"),
                probability=self.cell(cells, "Probability"),
                forecast=self.cell(cells, self.forecast),
            ),
        )
        if meaning.guessed:
            self.warn("StageName", guessed_stage(name, meaning.value))
        return meaning.value, fit(name, 120)

    def build(self, cells: list[str], line: int) -> Record:
        stage, source_stage = self.stage(cells)
        created = self.parse(cells, "CreatedDate", parse_datetime)
        return Record(
            "opportunity",
            sf_id(self.cell(cells, "Id"), "Id"),
            (
                fit(required_text(self.cell(cells, "Name"), "Name"), 200),
                stage,
                self.parse(cells, "Amount", parse_amount),
                created.date() if created else None,
                self.parse(cells, "CloseDate", parse_date),
                source_stage,
            ),
            refs=(
                sf_id(self.cell(cells, "AccountId"), "AccountId"),
                sf_id(self.cell(cells, "OwnerId"), "OwnerId"),
            ),
            digest=self.digest(cells),
        )


class ContactRoleMapper(CsvMapper):
    kind, label = "contact_role", "OpportunityContactRole"
    required = ("Id", "OpportunityId", "ContactId", "Role")
    used = ("OpportunityId", "ContactId", "Role")

    def __init__(self, source: CsvFile) -> None:
        super().__init__(source)
        self.roles = SourceValues(
            source=SOURCE, picklist=Picklist.CONTACT_ROLE, defaults=CONTACT_ROLES
        )

    def build(self, cells: list[str], line: int) -> Record:
        raw = self.cell(cells, "Role")
        meaning = self.roles.meaning(raw, lambda: Meaning("", Origin.GUESS, {}))
        role = meaning.value
        if meaning.guessed and raw:
            self.warn(
                "Role",
                f"unknown Role {raw!r}; kept without a role until an administrator maps it on "
                "the Imports page",
            )
        return Record(
            "contact_role",
            sf_id(self.cell(cells, "Id"), "Id"),
            (role,),
            refs=(
                required_text(sf_id(self.cell(cells, "ContactId"), "ContactId"), "ContactId"),
                required_text(
                    sf_id(self.cell(cells, "OpportunityId"), "OpportunityId"), "OpportunityId"
                ),
            ),
            digest=self.digest(cells),
        )


class LineItemMapper(CsvMapper):
    kind, label = "line_item", "OpportunityLineItem"
    required = ("Id", "OpportunityId")
    used = (
        "OpportunityId",
        "Product2Id",
        "Name",
        "ProductCode",
        "Quantity",
        "UnitPrice",
        "TotalPrice",
    )

    def build(self, cells: list[str], line: int) -> Record:
        name = self.cell(cells, "ProductCode") or self.cell(cells, "Name")
        product = sf_id(self.cell(cells, "Product2Id"), "Product2Id")
        if not product and not name:
            raise CellError("is empty and so are Name and ProductCode", "Product2Id")
        quantity = self.parse(cells, "Quantity", parse_amount)
        if quantity is not None and quantity < 0:
            raise CellError("cannot be negative", "Quantity")
        return Record(
            "line_item",
            sf_id(self.cell(cells, "Id"), "Id"),
            (
                name,
                quantity,
                self.parse(cells, "UnitPrice", parse_amount),
                self.parse(cells, "TotalPrice", parse_amount),
            ),
            refs=(
                required_text(
                    sf_id(self.cell(cells, "OpportunityId"), "OpportunityId"), "OpportunityId"
                ),
                product,
            ),
            digest=self.digest(cells),
        )


class ProductMapper(CsvMapper):
    kind, label = "product", "Product2"
    required = ("Id", "Name")
    used = ("Name", "Family")

    def build(self, cells: list[str], line: int) -> Record:
        return Record(
            "product",
            sf_id(self.cell(cells, "Id"), "Id"),
            (
                fit(required_text(self.cell(cells, "Name"), "Name"), 120),
                self.cell(cells, "Family"),
                None,
            ),
            digest=self.digest(cells),
        )


FILE_NAMES: dict[str, tuple[int, Any]] = {
    "user": (10, UserMapper),
    "product2": (15, ProductMapper),
    "account": (20, AccountMapper),
    "contact": (30, ContactMapper),
    "opportunity": (40, OpportunityMapper),
    "opportunitycontactrole": (50, ContactRoleMapper),
    "opportunitylineitem": (55, LineItemMapper),
    "opportunityhistory": (45, HistoryMapper),
    "asset": (35, AssetMapper),
    "event": (60, lambda f: ActivityMapper(f, task=False)),
    "task": (70, lambda f: ActivityMapper(f, task=True)),
}


def object_of(source: CsvFile) -> str:
    """Which Salesforce object a file holds: its name if it is an object's name, else its
    columns."""
    stem = source.path.stem.lower().replace("_", "").replace(" ", "")
    if stem in FILE_NAMES:
        return stem
    cols = {c.lower() for c in source.header}
    signatures = [
        ("opportunityhistory", {"opportunityid", "stagename", "createddate"}),
        ("asset", {"accountid", "installdate"}),
        ("asset", {"accountid", "usageenddate"}),
        ("asset", {"accountid", "serialnumber"}),
        ("opportunitycontactrole", {"opportunityid", "contactid", "role"}),
        ("opportunitylineitem", {"opportunityid", "pricebookentryid"}),
        ("opportunitylineitem", {"opportunityid", "product2id"}),
        ("opportunity", {"stagename"}),
        ("event", {"startdatetime"}),
        ("event", {"durationinminutes"}),
        ("task", {"activitydate", "status", "subject"}),
        ("user", {"username"}),
        ("contact", {"lastname", "accountid"}),
        ("product2", {"productcode", "family"}),
        ("account", {"name", "billingcountry"}),
        ("account", {"name", "industry"}),
        ("account", {"name", "website"}),
    ]
    for name, needed in signatures:
        if needed <= cols:
            return name
    raise UnusableInput(
        f"{source.name}: not a Salesforce export this import knows (name the file after its "
        "object, e.g. Account.csv, or keep the API field names as headers)"
    )


def plan(paths: list[Path]) -> list[FilePlan]:
    plans = []
    for path in paths:
        source = CsvFile(path)
        order, make = FILE_NAMES[object_of(source)]
        plans.append(make(source).plan(order))
    return sorted(plans, key=lambda p: p.order)


def profile() -> Profile:
    targets = {
        **CORE_TARGETS,
        "opportunity": CRM_OPPORTUNITY,
        "contact_role": CONTACT_ROLE,
        "line_item": LINE_ITEM,
        "stage_history": HISTORY,
        "asset": ASSET,
    }
    writers = {
        **WRITERS,
        "contact_role": ContactRoleWriter,
        "line_item": LineItemWriter,
        "stage_history": HistoryWriter,
    }
    return Profile(
        source=SOURCE,
        plan=plan,
        targets=targets,
        writers=writers,
        hooks={"account": [record_account_domains], "opportunity": [team_from_owner]},
    )
