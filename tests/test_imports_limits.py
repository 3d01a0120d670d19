"""Import limits: an over-long cell is kept cut with a warning naming its row and column; a
header line beyond what any export holds refuses the file and says why, without reading it."""

from __future__ import annotations

from pathlib import Path

from presales.accounts.models import Account
from presales.imports.services import run_import
from presales.imports.services.sources import MAX_HEADER_LINE
from tests.conftest import Cast

HEADER = "Id,Name,Industry,BillingCountry\n"


def test_an_over_long_cell_is_cut_with_a_warning_naming_its_row(cast: Cast, tmp_path: Path) -> None:
    long_name = "Acme " + "x" * 500_000
    path = tmp_path / "Account.csv"
    path.write_text(
        HEADER
        + "0015e00000AcMe1AAF,Short Name Inc,Technology,Kenya\n"
        + f'0015e00000GlObxAAF,"{long_name}",Manufacturing,Germany\n'
    )
    result = run_import(kind="salesforce", paths=[path])
    stored = Account.objects.get(external_id__startswith="0015e00000GlObx")
    assert len(stored.name) == 200 and stored.name.startswith("Acme x")
    warnings = [i for i in result.issues if i.severity == "warning"]
    assert [(i.row, i.column) for i in warnings] == [(3, "Name")]
    assert "500,005 characters long; kept the first 200" in warnings[0].reason
    result.run.refresh_from_db()
    assert result.run.warnings == 1  # reported, not counted as clean


def test_a_header_line_beyond_any_export_refuses_the_file_saying_why(
    cast: Cast, tmp_path: Path
) -> None:
    path = tmp_path / "Account.csv"
    with path.open("w") as handle:
        handle.write("Id,Name," + "y" * (MAX_HEADER_LINE + 10) + "\n")
        handle.write("1,Acme,x\n")
    result = run_import(kind="salesforce", paths=[path])
    assert "the first line (the column names) is longer than 1 MB" in result.unusable
    assert result.run.status == "failed"
    assert not Account.objects.exists()
