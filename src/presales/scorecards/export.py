"""The scoreboard as rows (for CSV and the CLI) and as plain data (for JSON)."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict
from decimal import Decimal
from typing import Any

from presales.imports.services.report import safe_cell
from presales.scorecards.analytics import Figure, Scoreboard

HEADER = [
    "period",
    "team",
    "person",
    "metric",
    "unit",
    "value",
    "sample",
    "sample_of",
    "last_period",
    "last_period_sample",
    "team_median",
    "team_median_of",
    "note",
]


def _cell(value: Any) -> str:
    # Numbers stay numbers (a negative growth is not a formula); text is neutralised.
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return str(value)
    return safe_cell(value)


def _row(board: Scoreboard, person: str, fig: Figure) -> list[Any]:
    return [
        board.period,
        board.team,
        person,
        fig.key,
        fig.unit,
        fig.value,
        fig.sample,
        fig.sample_of,
        fig.last_period,
        fig.last_period_sample,
        fig.team_median,
        fig.team_median_of,
        fig.note,
    ]


def scoreboard_rows(board: Scoreboard) -> list[list[Any]]:
    rows = []
    for row in board.rows:
        for metric in board.metrics:
            rows.append(_row(board, row.person, row.figures[metric.key]))
    for metric in board.metrics:
        rows.append(_row(board, "(whole team)", board.team_figures[metric.key]))
    return rows


def scoreboard_csv(board: Scoreboard) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    for row in scoreboard_rows(board):
        writer.writerow([_cell(c) for c in row])
    return buffer.getvalue()


def scoreboard_json(board: Scoreboard) -> dict[str, Any]:
    return {
        "team_id": board.team_id,
        "team": board.team,
        "period": board.period,
        "metrics": [
            {"key": m.key, "name": m.name, "unit": m.unit, "definition": m.definition}
            for m in board.metrics
        ],
        "people": [
            {
                "person_id": row.person_id,
                "person": row.person,
                "figures": [asdict(row.figures[m.key]) for m in board.metrics],
            }
            for row in board.rows
        ],
        "team_figures": [asdict(board.team_figures[m.key]) for m in board.metrics],
        "team_goals": [asdict(g) for g in board.team_goals],
    }
