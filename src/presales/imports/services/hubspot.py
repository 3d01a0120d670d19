"""HubSpot exports: companies, contacts, deals and owners, as "Export" in HubSpot writes them
(display names as headers, ``Record ID`` as the id, associations as ``;``-separated record ids,
``null`` or ``[not provided]`` for nothing, US short dates such as ``8/17/25 9:21``).

A combined export ("contacts with associated company") holds two objects per row, each after
its ``Record ID - Contact`` / ``Record ID - Company`` marker; it becomes two plans over the same
file, one per object, each reading its own section's columns."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from presales.accounts.models import Account
from presales.deals.models import Stage
from presales.imports.models import ImportedRecord, Picklist
from presales.imports.services.engine import Record
from presales.imports.services.picklists import SourceValues, guessed_stage, stage_from_evidence
from presales.imports.services.profiles import (
    CsvMapper,
    FilePlan,
    Item,
    Profile,
    fit,
    required_text,
)
from presales.imports.services.sources import CsvFile, UnusableInput
from presales.imports.services.targets import (
    CORE_TARGETS,
    CRM_OPPORTUNITY,
    record_account_domains,
    team_from_owner,
)
from presales.imports.services.values import (
    CellError,
    domain_of,
    parse_amount,
    parse_datetime,
    parse_int,
)
from presales.people.models import Role

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


EMPTY = {"null", "[not provided]", "(no value)"}
OWNER_COLUMNS = (
    "Deal owner",
    "Deal Owner",
    "HubSpot Owner",
    "HubSpot Owner ID",
    "Owner",
    "Owner ID",
)


def owner_key(text: str) -> str:
    """How deals name their owner: HubSpot's numeric owner id, or the owner's name or e-mail
    (what a display export writes), compared without case."""
    value = " ".join(text.split()).lower()
    return value[:64]


class HubSpotMapper(CsvMapper):
    """Reads one object's columns: the whole file, or its section of a combined export."""

    def __init__(self, source: CsvFile, section: str = "") -> None:
        self.section = section
        super().__init__(source)
        if section:
            self.label = f"{self.label} ({section} columns)"

    def columns(self, source: CsvFile) -> dict[str, int]:
        if self.section:
            return dict(source.sections[self.section])
        return super().columns(source)

    def cell(self, cells: list[str], name: str) -> str:
        value = super().cell(cells, name)
        return "" if value.lower() in EMPTY else value


class AssociatedMapper(HubSpotMapper):
    """The associated object of a combined export (the company beside each contact): written
    once per record id, and nothing for a row without one."""

    def items(self) -> Iterator[Item]:
        seen: set[str] = set()
        for item in super().items():
            key = item.record.external_id if item.record is not None else ""
            if item.record is not None and (not key or key in seen):
                continue
            seen.add(key)
            yield item

    def build(self, cells: list[str], line: int) -> Record:
        if not self.cell(cells, "Record ID"):
            return Record(self.kind, "", ())
        return super().build(cells, line)


def first_id(text: str) -> str:
    """The first of HubSpot's ``;``-separated associated record ids."""
    head = text.split(";", 1)[0].strip()
    if head.lower() in EMPTY:
        return ""
    if head and not head.isdigit():
        raise CellError(f"{head!r} is not a HubSpot record id")
    return head


class CompanyMapper(HubSpotMapper):
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


class ContactMapper(HubSpotMapper):
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

    def __init__(self, source: CsvFile, section: str = "") -> None:
        super().__init__(source, section)
        if section and "company" in source.sections:
            # In a combined export the contact's company is the row's company section.
            self.col.setdefault("Associated Company IDs", source.sections["company"]["Record ID"])
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


class AssociatedCompanyMapper(AssociatedMapper, CompanyMapper):
    pass


class DealMapper(HubSpotMapper):
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
        *OWNER_COLUMNS,
    )
    optional = (
        "Pipeline",
        "Is Closed Won",
        "Is closed won",
        "Is Deal Closed?",
        "Is closed",
        "Deal probability",
        "Deal Stage Probability",
        "Forecast category",
    )

    def __init__(self, source: CsvFile, section: str = "") -> None:
        super().__init__(source, section)
        self.company = next(
            (
                n
                for n in ("Associated Company IDs", "Associated Company ID", "Company ID")
                if n in self.col
            ),
            "",
        )
        self.owner = next((n for n in OWNER_COLUMNS if n in self.col), "")
        self.stages = SourceValues(source=SOURCE, picklist=Picklist.STAGE, defaults=STAGES)

    def _first(self, cells: list[str], *names: str) -> str:
        return next((v for v in (self.cell(cells, n) for n in names) if v), "")

    def stage(self, cells: list[str]) -> tuple[str, str]:
        name = required_text(self.cell(cells, "Deal Stage"), "Deal Stage")
        meaning = self.stages.meaning(
            name,
            lambda: stage_from_evidence(
                name,
                closed=self._first(cells, "Is Deal Closed?", "Is closed"),
                won=self._first(cells, "Is Closed Won", "Is closed won"),
                probability=self._first(cells, "Deal probability", "Deal Stage Probability"),
                forecast=self.cell(cells, "Forecast category"),
            ),
        )
        if meaning.guessed:
            self.warn("Deal Stage", guessed_stage(name, meaning.value))
        return meaning.value, fit(name, 120)

    def build(self, cells: list[str], line: int) -> Record:
        stage, source_stage = self.stage(cells)
        created = self.parse(cells, "Create Date", parse_datetime)
        close = self.parse(cells, "Close Date", parse_datetime)
        company = self.parse(cells, self.company, first_id) if self.company else ""
        owner = owner_key(self.cell(cells, self.owner)) if self.owner else ""
        return Record(
            "opportunity",
            required_text(self.cell(cells, "Record ID"), "Record ID"),
            (
                fit(required_text(self.cell(cells, "Deal Name"), "Deal Name"), 200),
                stage,
                self.parse(cells, "Amount", parse_amount),
                created.date() if created else None,
                close.date() if close else None,
                source_stage,
            ),
            refs=(company, owner),
            digest=self.digest(cells),
        )


class OwnerMapper(HubSpotMapper):
    """HubSpot's owners (the users deals are assigned to): matched to Presales users by e-mail,
    then by name. Deals may name an owner by id, name or e-mail; all three find the person."""

    kind, label = "user", "owners"
    required = ("Email",)
    used = ("Owner ID", "ID", "User ID", "First Name", "Last Name", "Email")

    def build(self, cells: list[str], line: int) -> Record:
        email = required_text(self.cell(cells, "Email"), "Email").lower()
        first, last = self.cell(cells, "First Name"), self.cell(cells, "Last Name")
        ident = next(
            (self.cell(cells, n) for n in ("Owner ID", "ID", "User ID") if self.cell(cells, n)),
            email,
        )
        aliases = {owner_key(email), owner_key(f"{first} {last}")} - {owner_key(ident), ""}
        return Record(
            "user",
            owner_key(ident),
            (fit(first, 150), fit(last or email.split("@")[0], 150), email[:254], "", Role.REP),
            refs=("",),
            digest=self.digest(cells),
            extra=tuple(sorted(aliases)),
        )


def alias_owners(written: list[tuple[int, Record]]) -> None:
    """An owner's name and e-mail lead to the same person as their id."""
    ImportedRecord.objects.bulk_create(
        [
            ImportedRecord(
                source=SOURCE, kind="user", external_id=alias, object_id=pk, digest="alias"
            )
            for pk, record in written
            for alias in record.extra
        ],
        ignore_conflicts=True,
    )


FILES: dict[str, tuple[int, type[HubSpotMapper]]] = {
    "owners": (10, OwnerMapper),
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
    if "Last Name" in cols or "contact" in source.sections:
        return "contacts"
    if "Email" in cols and cols & {"Owner ID", "User ID"}:
        return "owners"
    raise UnusableInput(
        f"{source.name}: not a HubSpot export of companies, contacts, deals or owners"
    )


def _section_plans(source: CsvFile) -> list[FilePlan]:
    """A combined export: the object named by the file first, the others as its associates."""
    main = {"contacts": "contact", "companies": "company", "deals": "deal"}[_kind_of(source)]
    if main not in source.sections:
        main = next(iter(source.sections))
    plans = []
    for section in source.sections:
        if section == "company":
            mapper: HubSpotMapper = (
                CompanyMapper(source, section)
                if section == main
                else AssociatedCompanyMapper(source, section)
            )
            plans.append(mapper.plan(20))
        elif section == "contact":
            plans.append(ContactMapper(source, section).plan(30))
        elif section == "deal":
            plans.append(DealMapper(source, section).plan(40))
        else:
            raise UnusableInput(
                f"{source.name}: a combined export with {section!r} columns, which this import "
                "does not read (companies, contacts and deals)"
            )
    return plans


def plan(paths: list[Path]) -> list[FilePlan]:
    plans = []
    for path in paths:
        source = CsvFile(path)
        if source.sections:
            plans += _section_plans(source)
            continue
        order, mapper = FILES[_kind_of(source)]
        plans.append(mapper(source).plan(order))
    return sorted(plans, key=lambda p: p.order)


def profile() -> Profile:
    return Profile(
        source=SOURCE,
        plan=plan,
        targets={**CORE_TARGETS, "opportunity": CRM_OPPORTUNITY},
        hooks={
            "account": [record_account_domains],
            "opportunity": [team_from_owner],
            "user": [alias_owners],
        },
    )
