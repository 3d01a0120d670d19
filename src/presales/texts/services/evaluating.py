"""Precision and recall of the labels on the shipped evaluation set.

The set (``presales/texts/evaluation/labelled.jsonl``) was written by hand, independently of
the demo generator, one JSON object a line: ``text``, ``date``, ``flavor`` (problem /
opportunity / none), ``product_gap`` (bool), ``competitors`` (names), ``risks`` (names) and
``commitment`` (null or ``{"who", "due"}``) and ``part``: the rules were tuned while looking
at the mistakes on the ``tuning`` part only, so the ``held-out`` part is the honest figure.
The competitor list it is scored against is
``EVAL_COMPETITORS``. Read-only: it labels with the rules, as a fresh install would.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError

from presales.texts import rules
from presales.texts.models import RISK_LABELS

EVAL_SET = Path(__file__).resolve().parents[1] / "evaluation" / "labelled.jsonl"
EVAL_COMPETITORS = [
    "Quillstone",
    "Meridian Analytics",
    "Helix Cloud",
    "Torvane",
    "Brightpath",
    "Cobalt Stack",
    "Ardent Data",
    "Lumio",
]


@dataclass
class LabelScore:
    label: str
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0

    @property
    def support(self) -> int:
        """Texts (or mentions) that truly carry the label."""
        return self.true_positives + self.false_negatives

    @property
    def predicted(self) -> int:
        return self.true_positives + self.false_positives

    @property
    def precision(self) -> float | None:
        return self.true_positives / self.predicted if self.predicted else None

    @property
    def recall(self) -> float | None:
        return self.true_positives / self.support if self.support else None

    def count(self, truth: bool, guess: bool) -> None:
        self.true_positives += truth and guess
        self.false_positives += guess and not truth
        self.false_negatives += truth and not guess


@dataclass
class Evaluation:
    texts: int
    scores: list[LabelScore]
    part: str | None = None
    due_dates_right: int = 0
    due_dates_checked: int = 0
    mistakes: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "texts": self.texts,
            "part": self.part or "all",
            "labels": [
                {
                    "label": s.label,
                    "precision": s.precision,
                    "recall": s.recall,
                    "support": s.support,
                    "predicted": s.predicted,
                    "true_positives": s.true_positives,
                }
                for s in self.scores
            ],
            "commitment_due_dates": {
                "right": self.due_dates_right,
                "checked": self.due_dates_checked,
            },
        }


def load_eval_set(path: Path) -> list[dict[str, Any]]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            row["when"] = date.fromisoformat(row["date"])
            assert isinstance(row["text"], str) and row["text"].strip()
            assert row["flavor"] in {"problem", "opportunity", "none"}
        except (ValueError, KeyError, AssertionError, TypeError) as exc:
            raise ValidationError(
                {"file": f"{path.name}, line {number}: not a labelled text ({exc})"}
            ) from exc
        rows.append(row)
    return rows


def evaluate_labels(*, path: Path | None = None, part: str | None = None) -> Evaluation:
    """Per-label precision and recall of the rules on the set (or on one ``part`` of it)."""
    rows = [r for r in load_eval_set(path or EVAL_SET) if part is None or r.get("part") == part]
    scores = {
        name: LabelScore(name)
        for name in (
            "flavor=problem",
            "flavor=opportunity",
            "product_gap",
            *RISK_LABELS,
            "competitor",
            "commitment",
        )
    }
    evaluation = Evaluation(texts=len(rows), scores=list(scores.values()), part=part)
    for row in rows:
        guess = rules.predict(row["text"], row["when"], EVAL_COMPETITORS)
        for value in ("problem", "opportunity"):
            scores[f"flavor={value}"].count(row["flavor"] == value, guess["flavor"] == value)
        scores["product_gap"].count(bool(row.get("product_gap")), guess["product_gap"] == "yes")
        for risk in RISK_LABELS:
            scores[risk].count(risk in row.get("risks", []), guess[risk] == "yes")
        truth_names = {n.lower() for n in row.get("competitors", [])}
        guess_names = {n.lower() for n in guess["competitors"]}
        for name in truth_names | guess_names:
            scores["competitor"].count(name in truth_names, name in guess_names)
        commitment = row.get("commitment")
        scores["commitment"].count(bool(commitment), bool(guess["commitments"]))
        if commitment and guess["commitments"]:
            evaluation.due_dates_checked += 1
            evaluation.due_dates_right += guess["commitments"][0]["due"] == commitment["due"]
        wrong = [
            name
            for name in ("flavor", "product_gap", *RISK_LABELS)
            if (guess[name] if name == "flavor" else guess[name] == "yes")
            != (
                row["flavor"]
                if name == "flavor"
                else bool(row.get(name))
                if name == "product_gap"
                else name in row.get("risks", [])
            )
        ]
        if wrong or bool(commitment) != bool(guess["commitments"]):
            evaluation.mistakes.append({"text": row["text"], "wrong": wrong, "guess": guess})
    return evaluation
