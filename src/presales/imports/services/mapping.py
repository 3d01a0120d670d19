"""Generic CSV with a mapping file (TOML) the user writes:

    object = "account"            # account, contact, opportunity or activity
    source = "legacy-crm"         # what upserts are keyed on, with the id column
    delimiter = ";"               # optional; guessed from the header otherwise
    encoding = "cp1252"           # optional; detected otherwise

    [columns]                     # field = column
    external_id = "Customer No"
    name = "Company"

    [values.stage]                # file value = Presales value, per field
    "Gewonnen" = "won"

    [defaults]                    # a field's value when its cell is empty
    country = "Germany"

    [references]                  # another object's id column (same source)
    account = "Customer No"

Fields are the model's; cells are read by the field's type (amounts, dates, times, numbers,
true/false), a value outside a field's choices is rejected with the choices named.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.db import models

from presales.imports.services.engine import Record, Target
from presales.imports.services.profiles import CsvMapper, FilePlan, Profile, fit
from presales.imports.services.sources import CsvFile, UnusableInput
from presales.imports.services.targets import ACCOUNT, ACTIVITY, CONTACT, CORE_TARGETS, OPPORTUNITY
from presales.imports.services.values import (
    CellError,
    normalise,
    parse_amount,
    parse_bool,
    parse_date,
    parse_datetime,
    parse_int,
)

OBJECTS = {t.kind: t for t in (ACCOUNT, CONTACT, OPPORTUNITY, ACTIVITY)}


def _parser(field: models.Field[Any, Any]) -> Callable[[str], Any]:
    kind = field.get_internal_type()
    if kind == "DecimalField":
        return parse_amount
    if kind in {"IntegerField", "PositiveIntegerField", "BigIntegerField"}:
        return parse_int
    if kind == "DateField":
        return parse_date
    if kind == "DateTimeField":
        return parse_datetime
    if kind == "BooleanField":
        return parse_bool
    length = getattr(field, "max_length", None)
    return (lambda v: fit(v, length)) if length else (lambda v: v)


class Mapping:
    def __init__(self, path: Path) -> None:
        try:
            spec = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise UnusableInput(f"{path}: no such mapping file") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise UnusableInput(f"{path.name}: not a TOML mapping file ({exc})") from None
        kind = spec.get("object", "")
        if kind not in OBJECTS:
            raise UnusableInput(f"{path.name}: 'object' must be one of {', '.join(OBJECTS)}")
        self.target: Target = OBJECTS[kind]
        self.source = str(spec.get("source", "")).strip()
        if not self.source or self.source == "presales" or len(self.source) > 40:
            raise UnusableInput(f"{path.name}: 'source' must name the system the file comes from")
        self.columns: dict[str, str] = dict(spec.get("columns", {}))
        self.values: dict[str, dict[str, str]] = {
            f: {normalise(k): v for k, v in m.items()} for f, m in spec.get("values", {}).items()
        }
        self.defaults: dict[str, str] = {k: str(v) for k, v in spec.get("defaults", {}).items()}
        self.references: dict[str, str] = dict(spec.get("references", {}))
        self.delimiter = spec.get("delimiter")
        self.encoding = spec.get("encoding", "")
        if "external_id" not in self.columns:
            raise UnusableInput(f"{path.name}: [columns] must name the 'external_id' column")
        known = set(self.target.columns)
        unknown = sorted(set(self.columns) - known - {"external_id"})
        unknown += sorted(set(self.defaults) - known)
        if unknown:
            raise UnusableInput(
                f"{path.name}: unknown field(s) {', '.join(unknown)} for {kind}; "
                f"fields are {', '.join(sorted(known))}"
            )
        refs = {r.field.removesuffix("_id") for r in self.target.refs}
        if set(self.references) - refs:
            raise UnusableInput(f"{path.name}: [references] may name {', '.join(sorted(refs))}")


class MappedMapper(CsvMapper):
    def __init__(self, source: CsvFile, mapping: Mapping) -> None:
        self.mapping = mapping
        self.kind = mapping.target.kind
        self.label = mapping.target.kind
        self.required = tuple(
            dict.fromkeys([*mapping.columns.values(), *mapping.references.values()])
        )
        self.used = self.required
        super().__init__(source)
        model = mapping.target.model
        self.fields = [(name, model._meta.get_field(name)) for name in mapping.target.columns]
        self.parsers = {name: _parser(f) for name, f in self.fields}  # type: ignore[arg-type]

    def _value(self, cells: list[str], name: str, field: Any) -> Any:
        column = self.mapping.columns.get(name)
        raw = self.cell(cells, column) if column else ""
        if not raw:
            raw = self.mapping.defaults.get(name, "")
        if not raw:
            if field.has_default():
                return field.get_default()
            if field.null:
                return None
            if field.blank:
                return ""
            raise CellError("is empty but required", column or name)
        table = self.mapping.values.get(name)
        if table is not None and normalise(raw) in table:
            raw = table[normalise(raw)]
        if field.choices:
            allowed = {str(v) for v, _ in field.choices}
            if raw not in allowed:
                raise CellError(
                    f"unknown {name} {raw!r} (known: {', '.join(sorted(allowed))}; map it under "
                    f"[values.{name}])",
                    column or name,
                )
        try:
            return self.parsers[name](raw)
        except CellError as exc:
            exc.column = column or name
            raise

    def build(self, cells: list[str], line: int) -> Record:
        id_column = self.mapping.columns["external_id"]
        external = self.cell(cells, id_column)
        if not external:
            raise CellError("is empty: every row needs an id", id_column)
        if len(external) > 64:
            raise CellError("is longer than 64 characters", id_column)
        values = tuple(self._value(cells, name, field) for name, field in self.fields)
        refs = tuple(
            self.cell(cells, self.mapping.references.get(r.field.removesuffix("_id"), ""))
            if r.field.removesuffix("_id") in self.mapping.references
            else ""
            for r in self.mapping.target.refs
        )
        m2m = tuple(() for _ in self.mapping.target.m2m)
        return Record(self.kind, external, values, refs=refs, m2m=m2m, digest=self.digest(cells))


def profile(mapping_path: Path | None) -> Profile:
    if mapping_path is None:
        raise UnusableInput("a 'csv' import needs --mapping FILE (see the README)")
    mapping = Mapping(mapping_path)

    def plan(paths: list[Path]) -> list[FilePlan]:
        return [
            MappedMapper(
                CsvFile(path, delimiter=mapping.delimiter, encoding=mapping.encoding), mapping
            ).plan(50)
            for path in paths
        ]

    return Profile(source=mapping.source, plan=plan, targets=dict(CORE_TARGETS))
