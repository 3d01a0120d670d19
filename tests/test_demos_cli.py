"""``presales demos stats``, ``presales lab reservations`` and ``presales poc list``, run as a
user runs them: in a subprocess against a fresh embedded database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.test_cli import presales


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("presales-demos-home")
    assert presales(path, "migrate").returncode == 0
    made = presales(path, "createuser", "ada", "--role", "admin", stdin="a long enough pass 42\n")
    assert made.returncode == 0, made.stderr
    return path


def test_the_three_listings_answer_json_on_an_empty_catalog(home: Path) -> None:
    stats = presales(home, "demos", "stats", "--json")
    assert stats.returncode == 0, stats.stderr
    data = json.loads(stats.stdout)
    assert data["demos"] == [] and data["deals_in_scope"] == 0
    won = data["won_without_demo"]
    assert (won["value"], won["n"], won["N"]) == (None, 0, 0) and "Not enough" in won["note"]
    reservations = presales(home, "lab", "reservations", "--json")
    assert reservations.returncode == 0, reservations.stderr
    assert json.loads(reservations.stdout) == {"reservations": []}
    pocs = presales(home, "poc", "list", "--json")
    assert pocs.returncode == 0, pocs.stderr
    listed = json.loads(pocs.stdout)
    assert listed["pocs"] == [] and listed["figures"]["win_rate"]["N"] == 0


def test_bad_filters_are_refused_with_exit_2(home: Path) -> None:
    wrong = presales(home, "demos", "stats", "--segment", "huge")
    assert wrong.returncode == 2 and "Segment must be one of" in wrong.stderr
    team = presales(home, "demos", "stats", "--team", "Nowhere")
    assert team.returncode == 2 and "No team named 'Nowhere'" in team.stderr
    status = presales(home, "poc", "list", "--status", "dreaming")
    assert status.returncode == 2
