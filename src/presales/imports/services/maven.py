"""The Maven CRM sample: ``accounts.csv``, ``products.csv``, ``sales_teams.csv`` and
``sales_pipeline.csv`` (``data_dictionary.csv`` describes them and is skipped). It has no ids
except the deals', so accounts and people are keyed by name, and products by their name without
spaces or case, which is how "GTXPro" in the pipeline finds "GTX Pro" in the price list (and
the report says so, with the confidence of the match)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

from presales.accounts.models import Account
from presales.deals.models import Stage
from presales.imports.services.engine import Record, Target, digest_of
from presales.imports.services.matching import candidates, compact
from presales.imports.services.profiles import (
    CsvMapper,
    FilePlan,
    Item,
    Profile,
    fit,
    required_text,
)
from presales.imports.services.sources import CsvFile, UnusableInput
from presales.imports.services.targets import CORE_TARGETS, OPPORTUNITY, team_from_owner
from presales.imports.services.values import (
    CellError,
    parse_amount,
    parse_date,
    parse_int,
    picklist,
)
from presales.people.models import Region, Role, Team, User
from presales.products.models import Product

SOURCE = "maven"
STAGES = {
    "prospecting": Stage.PROSPECTING,
    "engaging": Stage.DISCOVERY,
    "won": Stage.WON,
    "lost": Stage.LOST,
}
MAVEN_OPPORTUNITY = Target(
    "opportunity",
    OPPORTUNITY.model,
    columns=OPPORTUNITY.columns,
    refs=OPPORTUNITY.refs,
    m2m=(("products", "product"),),
)


class TeamMapper(CsvMapper):
    """Each row names an agent, their manager and office. Managers become sales managers of a
    team named after their office and themselves; agents become reps on that team."""

    kind, label = "user", "sales_teams"
    required = ("sales_agent", "manager", "regional_office")
    used = ("sales_agent", "manager", "regional_office")

    def items(self) -> Iterator[Item]:
        managers: set[str] = set()
        for item in super().items():
            record = item.record
            if record is not None and record.refs[0] and record.refs[0] not in managers:
                managers.add(record.refs[0])
                boss = _person(record.refs[0], "", record.extra[0], is_manager=True)
                boss.file, boss.line = self.file.name, item.line
                yield Item(item.line, boss)
            yield item

    def build(self, cells: list[str], line: int) -> Record:
        agent = required_text(self.cell(cells, "sales_agent"), "sales_agent")
        manager = self.cell(cells, "manager")
        office = self.cell(cells, "regional_office")
        record = _person(agent, manager, office, is_manager=False)
        record.digest = self.digest(cells)
        return record


def _person(name: str, manager: str, office: str, *, is_manager: bool) -> Record:
    first, _, last = name.partition(" ")
    return Record(
        "user",
        name[:64],
        (
            fit(first if last else "", 150),
            fit(last or first, 150),
            "",
            "Sales manager" if is_manager else "Sales agent",
            Role.SALES_MANAGER if is_manager else Role.REP,
        ),
        refs=(manager[:64],),
        digest=digest_of(["manager", office]) if is_manager else "",
        extra=(office, name if is_manager else manager, is_manager),
    )


def place_in_teams(written: list[tuple[int, Record]]) -> None:
    """Offices become regions; each manager's people become a team in the manager's office."""
    for pk, record in written:
        if len(record.extra) < 3 or not record.extra[0]:
            continue
        office, manager_name, is_manager = record.extra
        region, _ = Region.objects.get_or_create(name=fit(office, 80))
        team, _ = Team.objects.get_or_create(
            name=fit(f"{office} · {manager_name}", 80), defaults={"region": region}
        )
        if is_manager:
            Team.objects.filter(pk=team.pk).update(manager_id=pk)
        User.objects.filter(pk=pk).update(team_id=team.pk)


class AccountMapper(CsvMapper):
    kind, label = "account", "accounts"
    required = ("account",)
    used = ("account", "sector", "revenue", "employees", "office_location", "subsidiary_of")

    def build(self, cells: list[str], line: int) -> Record:
        name = required_text(self.cell(cells, "account"), "account")
        employees = self.parse(cells, "employees", parse_int)
        return Record(
            "account",
            name[:64],
            (
                fit(name, 200),
                fit(self.cell(cells, "sector"), 80),
                Account.size_for(employees),
                employees,
                self.parse(cells, "revenue", parse_amount),
                fit(self.cell(cells, "office_location"), 80),
            ),
            refs=(self.cell(cells, "subsidiary_of")[:64],),
            digest=self.digest(cells),
        )


class ProductMapper(CsvMapper):
    kind, label = "product", "products"
    required = ("product",)
    used = ("product", "series", "sales_price")

    def build(self, cells: list[str], line: int) -> Record:
        name = required_text(self.cell(cells, "product"), "product")
        return Record(
            "product",
            compact(name)[:64],
            (
                fit(name, 120),
                fit(self.cell(cells, "series"), 80),
                self.parse(cells, "sales_price", parse_amount),
            ),
            digest=self.digest(cells),
        )


class PipelineMapper(CsvMapper):
    kind, label = "opportunity", "sales_pipeline"
    required = ("opportunity_id", "deal_stage")
    used = (
        "sales_agent",
        "product",
        "account",
        "deal_stage",
        "engage_date",
        "close_date",
        "close_value",
    )

    def __init__(self, source: CsvFile) -> None:
        super().__init__(source)
        self._products: dict[int, str] | None = None
        self._matches: dict[str, tuple[str, str, float]] = {}

    def _product(self, raw: str) -> tuple[str, str, float]:
        """(external id, master name, confidence) for a product as the pipeline spells it."""
        if raw in self._matches:
            return self._matches[raw]
        if self._products is None:
            # Read when the first deal arrives: products.csv of the same run is in by then.
            self._products = dict(Product.objects.values_list("pk", "name"))
        found = candidates(raw, self._products, limit=1)
        if found and found[0].confidence >= 0.85:
            best = found[0]
            match = (compact(best.name)[:64], best.name, best.confidence)
        else:
            match = (compact(raw)[:64], "", 0.0)
        self._matches[raw] = match
        return match

    def build(self, cells: list[str], line: int) -> Record:
        stage = self.parse(cells, "deal_stage", lambda v: picklist(v, STAGES, label="deal_stage"))
        account = self.cell(cells, "account")
        product_name = self.cell(cells, "product")
        products: tuple[str, ...] = ()
        if product_name:
            external, master, confidence = self._product(product_name)
            if master and master != product_name:
                self.warn(
                    "product",
                    f"{product_name!r} matched to product {master!r} ({confidence:.0%})",
                )
            products = (external,)
        engage: date | None = self.parse(cells, "engage_date", parse_date)
        close: date | None = self.parse(cells, "close_date", parse_date)
        if engage and close and close < engage:
            raise CellError("is before engage_date", "close_date")
        title = " – ".join(p for p in (account or "No account yet", product_name) if p)
        return Record(
            "opportunity",
            required_text(self.cell(cells, "opportunity_id"), "opportunity_id")[:64],
            (fit(title, 200), stage, self.parse(cells, "close_value", parse_amount), engage, close),
            refs=(account[:64], self.cell(cells, "sales_agent")[:64]),
            m2m=(products,),
            digest=self.digest(cells),
        )


FILES = {
    "sales_teams": (10, TeamMapper),
    "products": (15, ProductMapper),
    "accounts": (20, AccountMapper),
    "sales_pipeline": (40, PipelineMapper),
}
SKIPPED = {"data_dictionary"}


def _kind_of(source: CsvFile) -> str:
    stem = source.path.stem.lower()
    if stem in FILES:
        return stem
    cols = set(source.header)
    for name, (_order, mapper) in FILES.items():
        if set(mapper.required) <= cols:
            return name
    raise UnusableInput(
        f"{source.name}: not one of the Maven CRM files "
        "(accounts, products, sales_teams, sales_pipeline)"
    )


def plan(paths: list[Path]) -> list[FilePlan]:
    plans = []
    for path in paths:
        if path.stem.lower() in SKIPPED:
            continue
        source = CsvFile(path)
        order, mapper = FILES[_kind_of(source)]
        plans.append(mapper(source).plan(order))
    return sorted(plans, key=lambda p: p.order)


def profile() -> Profile:
    return Profile(
        source=SOURCE,
        plan=plan,
        targets={**CORE_TARGETS, "opportunity": MAVEN_OPPORTUNITY},
        hooks={"user": [place_in_teams], "opportunity": [team_from_owner]},
    )
