"""Salesforce's ``OpportunityHistory`` (a snapshot of stage, amount and close date each time one
changed) becomes the deal's stage history (``StageChange``) and its changes of terms
(``TermsChange``), which forecasting and pipeline analytics read; and ``Asset`` becomes the
account's install base.

A history row only means something beside the deal's previous snapshot, so a file is read
whole, sorted per deal by time, and each row carries its predecessor's values; its digest covers
both, so an edit to an earlier row updates the change it leads to.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from django.db.models import Model

from presales.accounts.models import Asset
from presales.deals.models import Opportunity, StageChange, TermsChange
from presales.imports.models import ImportedRecord, Picklist
from presales.imports.services.engine import Record, Ref, Target, digest_of
from presales.imports.services.picklists import SourceValues, guessed_stage, stage_from_evidence
from presales.imports.services.profiles import CsvMapper, Item, fit, required_text
from presales.imports.services.report import Issue
from presales.imports.services.sources import CsvFile
from presales.imports.services.targets import ReferenceWriter
from presales.imports.services.values import (
    CellError,
    parse_amount,
    parse_date,
    parse_datetime,
    salesforce_id,
)

SOURCE = "salesforce"

HISTORY = Target(
    "stage_history",
    Opportunity,
    columns=("stage",),
    refs=(Ref("opportunity", "opportunity", required=True),),
    identity="record",
)
ASSET = Target(
    "asset",
    Asset,
    columns=("name", "quantity", "status", "purchased_on", "installed_on", "ends_on"),
    refs=(Ref("account_id", "account", required=True), Ref("product_id", "product")),
)
# What a history row made, kept beside its own record so a changed row replaces it.
MADE_STAGE, MADE_TERMS = "stage_history:stage", "stage_history:terms"


def _sf_id(raw: str, column: str) -> str:
    try:
        return salesforce_id(raw)
    except CellError as exc:
        exc.column = column
        raise


class HistoryMapper(CsvMapper):
    kind, label = "stage_history", "OpportunityHistory"
    required = ("Id", "OpportunityId", "StageName", "CreatedDate")
    used = ("OpportunityId", "StageName", "Amount", "CloseDate", "CreatedDate")
    optional = ("Probability", "ForecastCategory", "ForecastCategoryName")

    def __init__(self, source: CsvFile) -> None:
        super().__init__(source)
        self.stages = SourceValues(source=SOURCE, picklist=Picklist.STAGE, defaults=_stages())

    def snapshot(self, cells: list[str]) -> tuple[str, datetime, tuple[Any, ...]]:
        name = required_text(self.cell(cells, "StageName"), "StageName")
        meaning = self.stages.meaning(
            name,
            lambda: stage_from_evidence(
                name,
                probability=self.cell(cells, "Probability"),
                forecast=self.cell(cells, "ForecastCategoryName")
                or self.cell(cells, "ForecastCategory"),
            ),
        )
        if meaning.guessed:
            self.warn("StageName", guessed_stage(name, meaning.value))
        deal = required_text(
            _sf_id(self.cell(cells, "OpportunityId"), "OpportunityId"), "OpportunityId"
        )
        at = self.parse(cells, "CreatedDate", parse_datetime)
        if at is None:
            raise CellError("is empty: a history row needs its time", "CreatedDate")
        values = (
            meaning.value,
            self.parse(cells, "Amount", parse_amount),
            self.parse(cells, "CloseDate", parse_date),
        )
        return deal, at, values

    def items(self) -> Iterator[Item]:
        name = self.file.name
        rows: list[tuple[str, datetime, str, int, tuple[Any, ...], str, list[Issue]]] = []
        for line, cells in self.file.rows():
            self.warnings = []
            try:
                external = _sf_id(self.cell(cells, "Id"), "Id")
                deal, at, values = self.snapshot(cells)
            except CellError as exc:
                yield Item(line, None, [Issue(name, line, exc.column, exc.reason, kind=self.kind)])
                continue
            warnings = [
                Issue(name, line, col, why, severity="warning", kind=self.kind)
                for col, why in self.warnings
            ]
            rows.append((deal, at, external, line, values, self.digest(cells), warnings))
        rows.sort(key=lambda r: (r[0], r[1], r[2]))
        previous: tuple[str, tuple[Any, ...], str] | None = None
        for deal, at, external, line, values, digest, warnings in rows:
            same_deal = previous is not None and previous[0] == deal
            before = previous[1] if previous is not None and same_deal else None
            earlier = previous[2] if previous is not None and same_deal else ""
            chained = digest_of([digest, earlier])
            # Flat values, so a row waiting for its deal keeps them as JSON.
            record = Record(
                self.kind,
                external,
                (at, before is not None, *(before or (None, None, None)), *values),
                refs=(deal,),
                digest=chained,
                file=name,
                line=line,
            )
            previous = (deal, values, digest)
            yield Item(line, record, warnings)


def _stages() -> Mapping[str, str]:
    from presales.imports.services.salesforce import STAGES

    return STAGES


class HistoryWriter(ReferenceWriter):
    """A history row adds the stage change and the change of terms it shows against the row
    before it; an edited row replaces what it added."""

    def place(self, record: Record, fk: tuple[int | None, ...]) -> tuple[Model | None, bool]:
        deal = fk[0]
        assert deal is not None  # a required reference: resolved before placing
        at, had_before, was_stage, was_amount, was_close, stage, amount, close = record.values
        first = not had_before
        made: dict[str, int] = {}
        if first or was_stage != stage:
            change = StageChange.objects.create(
                opportunity_id=deal,
                from_stage="" if first else was_stage,
                to_stage=stage,
                changed_at=at,
            )
            made[MADE_STAGE] = change.pk
        if not first and (was_amount != amount or was_close != close):
            terms = TermsChange.objects.create(
                opportunity_id=deal,
                from_close_date=was_close,
                to_close_date=close,
                from_amount=was_amount,
                to_amount=amount,
                changed_at=at,
            )
            made[MADE_TERMS] = terms.pk
        for kind, pk in made.items():
            ImportedRecord.objects.update_or_create(
                source=self.source,
                kind=kind,
                external_id=record.external_id,
                defaults={"object_id": pk, "digest": record.digest},
            )
        return Opportunity(pk=deal), True

    def change(self, pk: int, record: Record, fk: tuple[int | None, ...]) -> None:
        made = ImportedRecord.objects.filter(
            source=self.source, kind__in=(MADE_STAGE, MADE_TERMS), external_id=record.external_id
        )
        for kind, object_id in made.values_list("kind", "object_id"):
            if object_id is None:
                continue
            model = StageChange if kind == MADE_STAGE else TermsChange
            model.objects.filter(pk=object_id).delete()
        made.delete()
        self.place(record, fk)


class AssetMapper(CsvMapper):
    kind, label = "asset", "Asset"
    required = ("Id", "Name", "AccountId")
    used = (
        "Name",
        "AccountId",
        "Product2Id",
        "Quantity",
        "Status",
        "PurchaseDate",
        "InstallDate",
        "UsageEndDate",
    )

    def build(self, cells: list[str], line: int) -> Record:
        account = _sf_id(self.cell(cells, "AccountId"), "AccountId")
        if not account:
            raise CellError("is empty: install base belongs to an account", "AccountId")
        return Record(
            "asset",
            _sf_id(self.cell(cells, "Id"), "Id"),
            (
                fit(required_text(self.cell(cells, "Name"), "Name"), 255),
                self.parse(cells, "Quantity", parse_amount),
                fit(self.cell(cells, "Status"), 40),
                self.parse(cells, "PurchaseDate", parse_date),
                self.parse(cells, "InstallDate", parse_date),
                self.parse(cells, "UsageEndDate", parse_date),
            ),
            refs=(account, _sf_id(self.cell(cells, "Product2Id"), "Product2Id")),
            digest=self.digest(cells),
        )
