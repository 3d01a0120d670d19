"""``presales gap``, run as a user runs it: in a subprocess against a fresh embedded database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.test_cli import presales


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("presales-gaps-home")
    assert presales(path, "migrate").returncode == 0
    made = presales(path, "createuser", "sam", "--role", "se", stdin="a long enough pass 42\n")
    assert made.returncode == 0, made.stderr
    return path


def test_gap_add_writes_a_gap_that_gap_list_json_returns(home: Path) -> None:
    added = presales(
        home, "gap", "add", "Parquet export of usage reports", "--user", "sam", "--area",
        "Reporting", "--due", "2099-01-31",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "answer due 2099-01-31" in added.stdout and "$0.00 at stake" in added.stdout
    listed = presales(home, "gap", "list", "--json", "--user", "sam")
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert [(r["title"], r["product_area"], r["status"]) for r in rows] == [
        ("Parquet export of usage reports", "Reporting", "under_review")
    ]
    assert rows[0]["days_overdue"] == 0


def test_gap_add_refuses_bad_input_with_one_line_errors(home: Path) -> None:
    bad_deal = presales(home, "gap", "add", "X", "--user", "sam", "--deal", "abc")
    assert bad_deal.returncode == 2 and "--deal takes ID or ID:IMPACT" in bad_deal.stderr
    hidden = presales(home, "gap", "add", "X", "--user", "sam", "--deal", "999")
    assert hidden.returncode == 2 and "links.0" in hidden.stderr
    past = presales(home, "gap", "add", "X", "--user", "sam", "--due", "31/01/2099")
    assert past.returncode == 2 and "YYYY-MM-DD" in past.stderr
    nobody = presales(home, "gap", "list", "--user", "ghost")
    assert nobody.returncode == 2 and "No active user named 'ghost'" in nobody.stderr
