"""Planted paraphrases: does search find a note when the query says the same thing in other
words?

The set (``presales/texts/evaluation/planted.jsonl``, one JSON object a line: ``text`` and
``query``) pairs notes with queries that share almost no word with them. The evaluation plants
the notes among the texts already in the database (the demo's, a team's), encodes them, runs
each query as an administrator, records where its note comes in the ranking users see and in
the meaning ranking alone, and rolls everything back: the database is left as it was.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from presales.texts import embedding, vectors
from presales.texts.models import Text

PLANTED_SET = Path(__file__).resolve().parents[1] / "evaluation" / "planted.jsonl"
TOP = 3
DEPTH = 50  # how deep a ranking is read; a note further down counts as not found


@dataclass
class PlantedPair:
    text: str
    query: str
    fused_rank: int | None = None
    meaning_rank: int | None = None
    rank_fusion_rank: int | None = None  # the former reciprocal rank fusion


@dataclass
class PlantedEvaluation:
    among: int  # texts already in the database
    pairs: list[PlantedPair] = field(default_factory=list)
    skipped: str = ""

    def found(self, ranking: str, top: int = TOP) -> int:
        ranks = [getattr(p, f"{ranking}_rank") for p in self.pairs]
        return sum(1 for r in ranks if r is not None and r <= top)

    def as_dict(self) -> dict[str, Any]:
        return {
            "part": "planted",
            "among": self.among,
            "pairs": len(self.pairs),
            "skipped": self.skipped,
            "top": TOP,
            "fused_top": self.found("fused"),
            "meaning_top": self.found("meaning"),
            "rank_fusion_top": self.found("rank_fusion"),
            "fused_first": self.found("fused", 1),
            "meaning_first": self.found("meaning", 1),
            "ranks": [
                {
                    "query": p.query,
                    "fused_rank": p.fused_rank,
                    "meaning_rank": p.meaning_rank,
                    "rank_fusion_rank": p.rank_fusion_rank,
                }
                for p in self.pairs
            ],
        }


def load_planted(path: Path | None = None) -> list[PlantedPair]:
    path = path or PLANTED_SET
    pairs = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            pairs.append(PlantedPair(text=row["text"].strip(), query=row["query"].strip()))
        except (ValueError, KeyError, AttributeError, TypeError) as exc:
            raise ValidationError(
                {"file": f"{path.name}, line {number}: not a planted pair ({exc})"}
            ) from exc
    return pairs


class _RollBack(Exception):
    pass


def evaluate_planted(*, path: Path | None = None) -> PlantedEvaluation:
    """Where each planted note ranks for its paraphrase, fused and by meaning alone.

    Needs the meaning model; without it the result says so and ranks nothing.
    """
    pairs = load_planted(path)
    result = PlantedEvaluation(among=Text.objects.count(), pairs=pairs)
    if not embedding.available():
        result.skipped = "the meaning model is not installed"
        return result
    try:
        with transaction.atomic():
            _plant_and_rank(pairs)
            raise _RollBack
    except _RollBack:
        pass
    finally:
        vectors.invalidate()
    return result


def _plant_and_rank(pairs: list[PlantedPair]) -> None:
    from presales.accounts.models import Account
    from presales.notes.models import Note
    from presales.people.models import Role, User
    from presales.texts.services.indexing import encode_texts
    from presales.texts.services.searching import search_texts
    from presales.texts.sources import sync_saved_now

    admin = User.objects.create(username="planted-eval-admin", role=Role.ADMIN)
    account = Account.objects.create(name="Planted evaluation account")
    notes = [Note.objects.create(body=p.text, author=admin, account=account) for p in pairs]
    sync_saved_now()  # this transaction rolls back: its texts are needed before that
    texts = dict(
        Text.objects.filter(kind="note", object_id__in=[n.pk for n in notes]).values_list(
            "object_id", "pk"
        )
    )
    encode_texts(text_ids=list(texts.values()))
    vectors.invalidate()
    for pair, note in zip(pairs, notes, strict=True):
        target = texts[note.pk]
        fused = search_texts(actor=admin, query=pair.query, limit=DEPTH).hits
        pair.fused_rank = next((i for i, h in enumerate(fused, 1) if h.text.pk == target), None)
        ranks = search_texts(actor=admin, query=pair.query, limit=DEPTH, fusion_method="ranks").hits
        pair.rank_fusion_rank = next(
            (i for i, h in enumerate(ranks, 1) if h.text.pk == target), None
        )
        meaning = vectors.nearest(embedding.encode_query(pair.query), allowed=None, k=DEPTH)
        pair.meaning_rank = next((i for i, (pk, _) in enumerate(meaning, 1) if pk == target), None)
