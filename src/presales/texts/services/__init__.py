"""The text service: what other apps call to find, label and group what the team writes.

Index (writes; safe to interrupt and rerun)
    index_texts(*, batch_size=1024, progress=None, meaning=True) -> IndexReport
    encode_pending(*, batch_size=1024, progress=None) -> int
        (vectors only, most useful texts first, committed batches; progress(step, done, total))
    meaning_coverage() -> (texts with a current vector, all texts)
    sync_objects(*, source, object_ids) / forget_objects(*, source, object_ids)
        (called by the save/delete signals of every registered source)

Search (read-only; permissions applied through texts.access.texts_for)
    search_texts(*, actor, query, limit=20, offset=0, account_id=None, opportunity_id=None,
                 author_id=None, kind=None, written_after=None, written_before=None)
        -> SearchResult with .hits (text, score, ranks, highlighted snippet) and .mode
        ("hybrid", or "words" with a notice when the meaning model is not installed)

Labels
    text.labels: {"flavor", "product_gap", "budget_freeze", "champion_left", "timeline_slip",
                  "security_objection", "competitors": [...], "commitments": [{who, what, due}],
                  "corrected": [labels a user set]}
    correct_label(*, actor, text, label, value) -> Text   (teaches similar texts too)
    evaluate_labels(*, path=None) -> Evaluation            (precision/recall on the shipped set)
    evaluate_planted(*, path=None) -> PlantedEvaluation   (paraphrases planted among the texts)

Groups and neighbours (read-only)
    group_texts(*, actor, scope="all", themes=None) -> Themes
    similar_deals(*, actor, opportunity, limit=5) -> SimilarDeals
    similar_texts(*, actor, text, limit=5) -> list[SearchHit]   (e.g. duplicate product gaps)

New kinds of text are registered with ``presales.texts.sources.register``.
"""

from presales.texts.services.evaluating import Evaluation, evaluate_labels
from presales.texts.services.indexing import (
    IndexReport,
    encode_pending,
    encode_texts,
    forget_objects,
    index_texts,
    meaning_coverage,
    sync_objects,
)
from presales.texts.services.labelling import correct_label, label_texts
from presales.texts.services.planted import PlantedEvaluation, evaluate_planted
from presales.texts.services.searching import SearchHit, SearchResult, search_texts, similar_texts
from presales.texts.services.similar import SimilarDeal, SimilarDeals, similar_deals
from presales.texts.services.themes import SCOPES, Theme, Themes, group_texts

__all__ = [
    "SCOPES",
    "Evaluation",
    "IndexReport",
    "PlantedEvaluation",
    "SearchHit",
    "SearchResult",
    "SimilarDeal",
    "SimilarDeals",
    "Theme",
    "Themes",
    "correct_label",
    "encode_pending",
    "encode_texts",
    "evaluate_labels",
    "evaluate_planted",
    "forget_objects",
    "group_texts",
    "index_texts",
    "label_texts",
    "meaning_coverage",
    "search_texts",
    "similar_deals",
    "similar_texts",
    "sync_objects",
]
