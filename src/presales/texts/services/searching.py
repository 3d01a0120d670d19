"""Hybrid search: meaning (vectors) and words (full-text search), each scored on a fixed
scale and added (``presales.texts.fusion``), limited to what the user may see and to the
filters they chose."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import ForeignKey
from django.utils.safestring import SafeString

from presales.accounts.models import Account
from presales.core import access
from presales.deals.models import Opportunity
from presales.people.models import User
from presales.texts import embedding, fusion, vectors, words
from presales.texts.access import texts_for
from presales.texts.models import Text
from presales.texts.sources import registered
from presales.texts.visibility import Visibility

# Each ranking contributes this many candidates beyond the page asked for: enough for the
# fusion to reorder the page, few enough that a narrow permission filter stays cheap.
CANDIDATES = 50
# Below this cosine a text is not "about" the query at all; without a floor, meaning search
# would rank the whole index for a query about nothing in it.
MEANING_FLOOR = fusion.MEANING_FLOOR
MAX_QUERY = 500
WORDS_ONLY_NOTICE = (
    "Search by meaning is not installed (pip install 'presales[meaning]'), "
    "so these results match words only."
)
MEANING_OFF_NOTICE = "Search by meaning is turned off (PRESALES_TEXT_MODEL=off): words only."
NOT_ENCODED_NOTICE = (
    "No text has been encoded for search by meaning yet (run `presales index`): words only."
)


@dataclass
class SearchHit:
    text: Text
    score: float
    meaning_rank: int | None
    words_rank: int | None
    similarity: float | None
    snippet: SafeString


@dataclass
class SearchResult:
    query: str
    hits: list[SearchHit]
    total: int
    mode: str  # "hybrid" or "words"
    notice: str = ""
    filters: dict[str, Any] = field(default_factory=dict)


# Each filter and the lookup it applies to the visible texts.
_LOOKUPS = {
    "account_id": "account_id",
    "opportunity_id": "opportunity_id",
    "author_id": "author_id",
    "kind": "kind",
    "written_after": "written_at__gte",
    "written_before": "written_at__lt",
}


def _lookups(filters: dict[str, Any]) -> dict[str, Any]:
    return {_LOOKUPS[name]: value for name, value in filters.items() if value}


def _filtered(actor: User, filters: dict[str, Any]) -> Any:
    return texts_for(actor).filter(**_lookups(filters))


def _validate(query: str, limit: int, offset: int, filters: dict[str, Any]) -> str:
    query = " ".join(query.split())
    errors: dict[str, str] = {}
    if len(query) < 2:
        errors["q"] = "Type at least two characters."
    elif len(query) > MAX_QUERY:
        errors["q"] = f"Keep the query under {MAX_QUERY} characters."
    if not 1 <= limit <= 200:
        errors["limit"] = "Ask for between 1 and 200 results."
    if offset < 0:
        errors["offset"] = "The offset cannot be negative."
    kinds = {s.kind for s in registered()}
    if filters.get("kind") and filters["kind"] not in kinds:
        errors["kind"] = f"Unknown kind; use one of {sorted(kinds)}."
    after, before = filters.get("written_after"), filters.get("written_before")
    if isinstance(after, datetime) and isinstance(before, datetime) and after >= before:
        errors["written_before"] = "The end of the date range must come after its start."
    if errors:
        raise ValidationError(errors)
    return query


def search_texts(
    *,
    actor: User,
    query: str,
    limit: int = 20,
    offset: int = 0,
    account_id: int | None = None,
    opportunity_id: int | None = None,
    author_id: int | None = None,
    kind: str | None = None,
    written_after: datetime | None = None,
    written_before: datetime | None = None,
    fusion_method: str = "scores",
) -> SearchResult:
    """The texts ``actor`` may see that best answer ``query``, by meaning and words together.

    ``fusion_method="ranks"`` ranks with the former reciprocal rank fusion (for evaluation).
    """
    filters = {
        "account_id": account_id,
        "opportunity_id": opportunity_id,
        "author_id": author_id,
        "kind": kind,
        "written_after": written_after,
        "written_before": written_before,
    }
    query = _validate(query, limit, offset, filters)
    unrestricted = access.sees_everything(actor) and not any(filters.values())
    candidates = CANDIDATES + offset + limit
    found: dict[int, fusion.Candidate] = {}
    mode = "words"
    notice = MEANING_OFF_NOTICE if settings.TEXT_MODEL == "off" else WORDS_ONLY_NOTICE
    # The texts the actor may see, as ids kept per user (``presales.texts.visibility``): a
    # mask over the vector index, a filter over the word ranking on SQLite.
    visibility = None if unrestricted else Visibility(actor, _lookups(filters))
    # PostgreSQL plans the permission subquery well inside its own queries (words, pgvector).
    allowed = None if unrestricted or connection.vendor == "sqlite" else _filtered(actor, filters)
    if embedding.available():
        mode, notice = "hybrid", ""
        if not vectors.pgvector_enabled() and not len(vectors.matrix().ids):
            notice = NOT_ENCODED_NOTICE
        vector = embedding.encode_query(query)
        if visibility is not None and not vectors.pgvector_enabled():
            meaning = vectors.nearest_visible(
                vector, k=candidates, minimum=MEANING_FLOOR, visibility=visibility
            )
        else:
            meaning = vectors.nearest(vector, allowed=allowed, k=candidates, minimum=MEANING_FLOOR)
        for rank, (pk, similarity) in enumerate(meaning, start=1):
            found[pk] = fusion.Candidate(pk, similarity=similarity, meaning_rank=rank)
    matches = words.word_matches(
        query,
        allowed=allowed,
        k=candidates,
        visibility=visibility if connection.vendor == "sqlite" else None,
    )
    for rank, pk in enumerate(matches, start=1):
        found.setdefault(pk, fusion.Candidate(pk)).words_rank = rank
    _score_words(query, found)
    order = fusion.FUSIONS[fusion_method](list(found.values()))
    page = order[offset : offset + limit]
    texts = load_texts([c.pk for c in page])
    hits = [
        SearchHit(
            text=texts[c.pk],
            score=c.score,
            meaning_rank=c.meaning_rank,
            words_rank=c.words_rank,
            similarity=c.similarity,
            snippet=words.snippet(texts[c.pk].body, query),
        )
        for c in page
        if c.pk in texts
    ]
    return SearchResult(query, hits, len(order), mode, notice, filters)


# What a hit shows: the text and the names of its author, account and deal.
_SHOWN = (
    "id",
    "kind",
    "object_id",
    "body",
    "written_at",
    "author_id",
    "account_id",
    "opportunity_id",
    "labels",
)  # in the model's order of fields, as ``Model.from_db`` reads them
_NAMES: list[tuple[str, type[Any], tuple[str, ...]]] = [
    ("author", User, ("username", "first_name", "last_name")),
    ("account", Account, ("name",)),
    ("opportunity", Opportunity, ("name",)),
]


_RELATIONS = {
    name: key
    for name in ("author", "account", "opportunity")
    if isinstance(key := Text._meta.get_field(name), ForeignKey)
}


def load_texts(pks: list[int]) -> dict[int, Text]:
    """The texts of a page of hits by id, each with its author, account and deal in place
    (their names only; any other field is read when asked for, as Django does).

    One query for the page, the names joined in: ``select_related`` on the three costs three
    times as much in building whole rows of every related table.
    """
    names = [f"{relation}__{name}" for relation, _, fields in _NAMES for name in fields]
    rows = Text.objects.filter(pk__in=pks).order_by().values_list(*_SHOWN, *names)
    texts: dict[int, Text] = {}
    db = Text.objects.db
    for row in rows:
        text = Text.from_db(db, _SHOWN, row[: len(_SHOWN)])
        at = len(_SHOWN)
        for relation, model, fields in _NAMES:
            pk = getattr(text, f"{relation}_id")
            related = None
            if pk is not None:
                related = model.from_db(db, ("id", *fields), (pk, *row[at : at + len(fields)]))
            _RELATIONS[relation].set_cached_value(text, related)
            at += len(fields)
        texts[text.pk] = text
    return texts


def _score_words(query: str, found: dict[int, fusion.Candidate]) -> None:
    """Give each candidate the IDF-weighted share of the query's words it holds."""
    terms = words.fts_terms(query)
    if not terms or not found:
        return
    frequency, holds = words.term_presence(terms, list(found))
    weights = fusion.idf_weights(frequency, words.text_count())
    for pk, candidate in found.items():
        candidate.coverage = fusion.coverage(holds.get(pk, set()), weights)


def similar_texts(*, actor: User, text: Text, limit: int = 5) -> list[SearchHit]:
    """Texts closest in meaning to ``text`` (e.g. duplicate product gaps, likely topics)."""
    if not embedding.available():
        query = " ".join(words.query_terms(text.body)[:12])
        if len(query) < 2:
            return []
        hits = search_texts(actor=actor, query=query, limit=limit + 1).hits
        return [h for h in hits if h.text.pk != text.pk][:limit]
    vector = vectors.vectors_for([text.pk]).get(text.pk)
    if vector is None:
        vector = embedding.encode_query(text.body[:2000])
    if not vectors.pgvector_enabled():
        # The index ranked among the texts the actor may see (ids kept per user).
        near = vectors.nearest_visible(
            vector, k=limit + 1, minimum=0.3, visibility=Visibility(actor, {})
        )
        near = [(pk, similarity) for pk, similarity in near if pk != text.pk][:limit]
    else:
        near = vectors.nearest(
            vector, allowed=texts_for(actor).exclude(pk=text.pk), k=limit, minimum=0.3
        )
    found = load_texts([pk for pk, _ in near])
    return [
        SearchHit(found[pk], sim, rank, None, sim, words.snippet(found[pk].body, ""))
        for rank, (pk, sim) in enumerate(near, start=1)
        if pk in found
    ]
