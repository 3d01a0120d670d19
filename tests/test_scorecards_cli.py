"""presales scoreboard and presales import-survey, in process against the test database."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from presales.cli import main as presales
from presales.scorecards.metrics import measure
from presales.scorecards.models import SurveyResponse
from presales.scorecards.periods import Quarter, Span
from presales.scorecards.survey import import_survey
from tests import scorecard_data
from tests.conftest import Cast, make_account, make_contact

SURVEY = (
    "Account,Contact,Score,Date,Scale\n"
    "Acme Freight,jo@acme.example,9,2024-05-02,10\n"
    "Acme Freight,Sam Lee,4,2024-05-03,5\n"
    "Nowhere Inc,x,5,2024-05-03,\n"
    "Acme Freight,y,eleven,2024-05-03,\n"
    "Acme Freight,z,7,03/05/2024,\n"
    "Acme Freight,w,12,2024-05-03,\n"
)


def test_survey_import_keeps_good_rows_reports_bad_ones_by_row_and_is_idempotent(
    cast: Cast, tmp_path: Path
) -> None:
    account = make_account(cast.north, "Acme Freight")
    jo = make_contact(account, "Jones", first_name="Jo", email="jo@acme.example")
    path = tmp_path / "survey.csv"
    path.write_text(SURVEY, encoding="utf-8")
    first = import_survey(path=path)
    assert (first.created, first.updated, first.unchanged, first.rejected) == (2, 0, 0, 4)
    assert [(e.row, e.column) for e in first.errors] == [
        (4, "account"),
        (5, "score"),
        (6, "date"),
        (7, "score"),
    ]
    assert SurveyResponse.objects.get(respondent_key="jo@acme.example").contact == jo
    again = import_survey(path=path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    path.write_text(SURVEY.replace(",9,2024-05-02", ",8,2024-05-02"), encoding="utf-8")
    assert import_survey(path=path).updated == 1
    assert SurveyResponse.objects.count() == 2


def test_imported_survey_feeds_customer_satisfaction(cast: Cast, tmp_path: Path) -> None:
    scorecard_data.build(cast)
    SurveyResponse.objects.all().delete()
    path = tmp_path / "survey.csv"
    path.write_text(SURVEY, encoding="utf-8")
    assert presales(["import-survey", str(path)]) == 1  # some rows rejected
    # 9/10 = 90 % and 4/5 = 80 % from the account alice visited: 85.0 % over 2.
    m = measure("customer_satisfaction", [cast.alice.pk], Span.of(Quarter(2024, 2)))
    assert (m.value, m.sample) == (85.0, 2)


def test_import_survey_refuses_a_file_without_the_needed_columns(
    cast: Cast, tmp_path: Path, capsys: Any
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("who,what\n1,2\n", encoding="utf-8")
    assert presales(["import-survey", str(path)]) == 2
    assert "missing column(s) account, score, date" in capsys.readouterr().err


def test_scoreboard_command_prints_json_with_references(cast: Cast, capsys: Any) -> None:
    scorecard_data.build(cast)
    assert presales(["scoreboard", "--team", "north", "--period", "2024-Q2", "--json"]) == 0
    board = json.loads(capsys.readouterr().out)
    (alice,) = board["people"]
    demos = next(f for f in alice["figures"] if f["key"] == "demos_delivered")
    assert (demos["value"], demos["sample"], demos["team_median"]) == (1.0, 1, 1.0)


def test_scoreboard_command_prints_a_table_and_rejects_unknown_teams(
    cast: Cast, capsys: Any
) -> None:
    scorecard_data.build(cast)
    assert presales(["scoreboard", "--team", "North", "--period", "2024-Q2"]) == 0
    assert "70 % (n=5; last —)" in capsys.readouterr().out
    assert presales(["scoreboard", "--team", "Atlantis"]) == 2
    assert "No team named 'Atlantis'." in capsys.readouterr().err
    assert presales(["scoreboard", "--team", "North", "--period", "soon"]) == 2


def test_dates_in_the_survey_are_the_answer_dates(cast: Cast, tmp_path: Path) -> None:
    make_account(cast.north, "Acme Freight")
    path = tmp_path / "s.csv"
    path.write_text("account,score,date\nAcme Freight,7,2024-01-31\n", encoding="utf-8")
    import_survey(path=path)
    assert SurveyResponse.objects.get().responded_on == date(2024, 1, 31)
