"""HubSpot exports: companies, contacts and deals, as "Export" in HubSpot writes them (display
names as headers, ``Record ID`` as the id, associations as ``;``-separated record ids)."""

from __future__ import annotations

from pathlib import Path

from presales.accounts.models import Account
from presales.deals.models import Stage
from presales.imports.services.engine import Record
from presales.imports.services.profiles import CsvMapper, FilePlan, Profile, fit, required_text
from presales.imports.services.sources import CsvFile, UnusableInput
from presales.imports.services.targets import record_account_domains
from presales.imports.services.values import (
    CellError,
    domain_of,
    parse_amount,
    parse_datetime,
    parse_int,
    picklist,
)

SOURCE = "hubspot"
# HubSpot's default sales pipeline, by label and by internal value.
STAGES = {
    "appointment scheduled": Stage.DISCOVERY,
    "appointmentscheduled": Stage.DISCOVERY,
    "qualified to buy": Stage.DISCOVERY,
    "qualifiedtobuy": Stage.DISCOVERY,
    "presentation scheduled": Stage.DEMO,
    "presentationscheduled": Stage.DEMO,
    "decision maker bought-in": Stage.PROPOSAL,
    "decisionmakerboughtin": Stage.PROPOSAL,
    "contract sent": Stage.NEGOTIATION,
    "contractsent": Stage.NEGOTIATION,
    "closed won": Stage.WON,
    "closedwon": Stage.WON,
    "closed lost": Stage.LOST,
    "closedlost": Stage.LOST,
}


def first_id(text: str) -> str:
    """The first of HubSpot's ``;``-separated associated record ids."""
    head = text.split(";", 1)[0].strip()
    if head and not head.isdigit():
        raise CellError(f"{head!r} is not a HubSpot record id")
    return head


class CompanyMapper(CsvMapper):
    kind, label = "account", "companies"
    required = ("Record ID", "Company name")
    used = (
        "Company name",
        "Industry",
        "Number of Employees",
        "Annual Revenue",
        "Country/Region",
        "Company Domain Name",
        "Parent Company",
    )

    def build(self, cells: list[str], line: int) -> Record:
        employees = self.parse(cells, "Number of Employees", parse_int)
        revenue = self.parse(cells, "Annual Revenue", parse_amount)
        return Record(
            "account",
            required_text(self.cell(cells, "Record ID"), "Record ID"),
            (
                fit(required_text(self.cell(cells, "Company name"), "Company name"), 200),
                fit(self.cell(cells, "Industry").replace("_", " ").lower(), 80),
                Account.size_for(employees),
                employees,
                None if revenue is None else round(revenue / 1_000_000, 2),
                fit(self.cell(cells, "Country/Region"), 80),
            ),
            refs=(self.parse(cells, "Parent Company", first_id),),
            digest=self.digest(cells),
            extra=(domain_of(self.cell(cells, "Company Domain Name")),),
        )


class ContactMapper(CsvMapper):
    kind, label = "contact", "contacts"
    required = ("Record ID", "Last Name")
    used = (
        "First Name",
        "Last Name",
        "Email",
        "Phone Number",
        "Job Title",
        "Associated Company IDs",
        "Associated Company ID",
        "Company ID",
    )

    def __init__(self, source: CsvFile) -> None:
        super().__init__(source)
        for name in ("Associated Company IDs", "Associated Company ID", "Company ID"):
            if name in self.col:
                self.company = name
                break
        else:
            raise UnusableInput(f"{source.name}: no 'Associated Company IDs' column")

    def build(self, cells: list[str], line: int) -> Record:
        company = self.parse(cells, self.company, first_id)
        if not company:
            raise CellError("is empty: a contact needs a company", self.company)
        return Record(
            "contact",
            required_text(self.cell(cells, "Record ID"), "Record ID"),
            (
                fit(self.cell(cells, "First Name"), 80),
                fit(required_text(self.cell(cells, "Last Name"), "Last Name"), 80),
                self.cell(cells, "Email")[:254],
                fit(self.cell(cells, "Phone Number"), 40),
                fit(self.cell(cells, "Job Title"), 120),
            ),
            refs=(company,),
            digest=self.digest(cells),
        )


class DealMapper(CsvMapper):
    kind, label = "opportunity", "deals"
    required = ("Record ID", "Deal Name", "Deal Stage")
    used = (
        "Deal Name",
        "Deal Stage",
        "Amount",
        "Close Date",
        "Create Date",
        "Associated Company IDs",
        "Associated Company ID",
        "Company ID",
    )

    def __init__(self, source: CsvFile) -> None:
        super().__init__(source)
        self.company = next(
            (
                n
                for n in ("Associated Company IDs", "Associated Company ID", "Company ID")
                if n in self.col
            ),
            "",
        )

    def build(self, cells: list[str], line: int) -> Record:
        stage = self.parse(cells, "Deal Stage", lambda v: picklist(v, STAGES, label="Deal Stage"))
        created = self.parse(cells, "Create Date", parse_datetime)
        close = self.parse(cells, "Close Date", parse_datetime)
        company = self.parse(cells, self.company, first_id) if self.company else ""
        return Record(
            "opportunity",
            required_text(self.cell(cells, "Record ID"), "Record ID"),
            (
                fit(required_text(self.cell(cells, "Deal Name"), "Deal Name"), 200),
                stage,
                self.parse(cells, "Amount", parse_amount),
                created.date() if created else None,
                close.date() if close else None,
            ),
            refs=(company, ""),
            digest=self.digest(cells),
        )


FILES = {
    "companies": (20, CompanyMapper),
    "contacts": (30, ContactMapper),
    "deals": (40, DealMapper),
}


def _kind_of(source: CsvFile) -> str:
    stem = source.path.stem.lower()
    for name in FILES:
        if name in stem or name.rstrip("s") in stem:
            return name
    cols = set(source.header)
    if "Deal Name" in cols:
        return "deals"
    if "Company name" in cols:
        return "companies"
    if "Last Name" in cols:
        return "contacts"
    raise UnusableInput(f"{source.name}: not a HubSpot export of companies, contacts or deals")


def plan(paths: list[Path]) -> list[FilePlan]:
    plans = []
    for path in paths:
        source = CsvFile(path)
        order, mapper = FILES[_kind_of(source)]
        plans.append(mapper(source).plan(order))
    return sorted(plans, key=lambda p: p.order)


def profile() -> Profile:
    return Profile(source=SOURCE, plan=plan, hooks={"account": [record_account_domains]})
