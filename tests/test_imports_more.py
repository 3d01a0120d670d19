"""HubSpot exports, generic CSV with a mapping file, cell parsing and the CLI contract."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from presales.accounts.models import Account, Contact
from presales.deals.models import Opportunity
from presales.imports.services import run_import
from presales.imports.services.sources import CsvFile
from presales.imports.services.values import (
    CellError,
    parse_amount,
    parse_date,
    parse_datetime,
    salesforce_id,
)
from tests.conftest import Cast

FIXTURES = Path(__file__).parent / "fixtures" / "imports"


def test_a_hubspot_export_imports_companies_contacts_and_deals(cast: Cast) -> None:
    result = run_import(kind="hubspot", paths=[FIXTURES / "hubspot"])
    assert result.counts["account"]["created"] == 2
    assert result.counts["contact"] == {
        "created": 2, "updated": 0, "unchanged": 0, "rejected": 1, "pending": 0
    }  # fmt: skip
    assert result.counts["opportunity"]["created"] == 3
    assert result.counts["opportunity"]["rejected"] == 0
    initech = Account.objects.get(source="hubspot", external_id="5001")
    assert (initech.sector, initech.annual_revenue, initech.size) == (
        "computer software",
        Decimal("52.00"),
        "mid",
    )
    assert Account.objects.get(name="Initech Labs").parent == initech
    # Samir's first associated company is Initech Labs.
    assert Contact.objects.get(last_name="Nagheenanajar").account.name == "Initech Labs"
    tps = Opportunity.objects.get(external_id="9001")
    assert (tps.stage, tps.amount, tps.close_date) == (
        "demo",
        Decimal("25000.00"),
        date(2024, 9, 30),
    )
    assert Opportunity.objects.get(external_id="9002").stage == "won"
    # An unknown stage is kept (a guess, reported) rather than refused.
    stapler = Opportunity.objects.get(external_id="9003")
    assert (stapler.stage, stapler.source_stage) == ("discovery", "Stapler Review")
    assert any("stage 'Stapler Review' is new" in i.reason for i in result.issues)


def test_a_generic_csv_imports_through_its_mapping_file(cast: Cast) -> None:
    result = run_import(
        kind="csv",
        paths=[FIXTURES / "csv" / "kunden.csv"],
        mapping=FIXTURES / "csv" / "kunden.toml",
    )
    assert result.counts["account"]["created"] == 2
    assert [(i.row, i.column) for i in result.issues] == [(3, "Umsatz")]
    mueller = Account.objects.get(source="legacy-crm", external_id="K-1")
    assert (mueller.name, mueller.country, mueller.annual_revenue, mueller.employees) == (
        "Müller GmbH",
        "Deutschland",
        Decimal("1250.50"),
        120,
    )
    assert Account.objects.get(external_id="K-3").country == "Schweiz"


def test_a_mapping_naming_unknown_fields_is_unusable(cast: Cast, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('object = "account"\nsource = "x"\n[columns]\nexternal_id = "a"\nshoe = "b"\n')
    result = run_import(kind="csv", paths=[FIXTURES / "csv" / "kunden.csv"], mapping=bad)
    assert result.exit_code == 2
    assert "unknown field(s) shoe for account" in result.unusable


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("$1,234.50", Decimal("1234.50")),
        ("1.234,50 €", Decimal("1234.50")),
        ("USD 1 234", Decimal("1234")),
        ("(500)", Decimal("-500")),
        ("1,5", Decimal("1.5")),
        ("12,500", Decimal("12500")),
        ("", None),
    ],
)
def test_amounts_are_read_with_symbols_and_either_separator(raw: str, expected: object) -> None:
    assert parse_amount(raw) == expected


def test_dates_and_times_are_read_as_crms_write_them() -> None:
    assert parse_date("3/5/2024") == date(2024, 3, 5)
    assert parse_date("2024-03-05T00:00:00.000Z") == date(2024, 3, 5)
    assert parse_datetime("2024-03-05T14:00:00.000+0000") == datetime(2024, 3, 5, 14, tzinfo=UTC)
    assert parse_datetime("3/5/2024 2:30 PM") == datetime(2024, 3, 5, 14, 30, tzinfo=UTC)
    with pytest.raises(CellError, match="not a date"):
        parse_date("next Tuesday")


def test_salesforce_ids_of_15_and_18_characters_are_one_identity() -> None:
    assert salesforce_id("0015e00000AcMe1") == "0015e00000AcMe1AAF"
    assert salesforce_id("0015e00000AcMe1AAF") == "0015e00000AcMe1AAF"
    with pytest.raises(CellError, match="do not match"):
        salesforce_id("0015e00000AcMe1ZZZ")


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16", b""), ("cp1252", b"")],
)
def test_every_usual_encoding_reads_the_same_rows(
    tmp_path: Path, encoding: str, bom: bytes
) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(bom + 'Id,Name\r\n1,"Bélanger\r\nGmbH"\r\n'.encode(encoding))
    source = CsvFile(path)
    assert source.header == ["Id", "Name"]
    assert list(source.rows()) == [(2, ["1", "Bélanger\r\nGmbH"])]


def presales(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRESALES_")}
    env["PRESALES_HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-m", "presales.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def test_the_import_command_keeps_its_contract(tmp_path: Path) -> None:
    assert presales(tmp_path, "migrate").returncode == 0
    accounts = str(FIXTURES / "salesforce" / "Account.csv")
    contacts = str(FIXTURES / "salesforce" / "Contact.csv")
    clean = presales(tmp_path, "import", "salesforce", accounts)
    assert clean.returncode == 0, clean.stderr
    assert clean.stdout.strip().splitlines()[-1] == "created 2, updated 0, unchanged 0, rejected 0"
    some_bad = presales(tmp_path, "import", "salesforce", accounts, contacts, "--json")
    assert some_bad.returncode == 1
    body = json.loads(some_bad.stdout)
    assert body["account"] == {
        "created": 0, "updated": 0, "unchanged": 2, "rejected": 0, "pending": 0
    }  # fmt: skip
    assert body["contact"]["rejected"] == 1
    assert Path(body["report"]).is_file()
    dry = presales(tmp_path, "import", "salesforce", contacts, "--dry-run", "--strict")
    assert dry.returncode == 1
    assert dry.stdout.strip() == "created 0, updated 0, unchanged 0, rejected 1"
    missing = presales(tmp_path, "import", "salesforce", str(tmp_path / "nope.csv"))
    assert missing.returncode == 2
    assert "no such file" in missing.stderr
