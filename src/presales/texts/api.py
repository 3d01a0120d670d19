"""The text service over HTTP: search, a text and its labels, corrections, themes, similar
deals. Handlers only parse, call presales.texts.services and shape the answer."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from presales.core.api import actor, get_visible
from presales.deals.models import Opportunity
from presales.texts import services
from presales.texts.models import Text

router = Router(tags=["texts"])


class TextOut(Schema):
    id: int
    kind: str
    object_id: int
    body: str
    written_at: datetime
    author_id: int | None
    account_id: int | None
    opportunity_id: int | None
    labels: dict[str, Any]


class HitOut(Schema):
    text: TextOut
    score: float = Field(description="Reciprocal rank fusion of the two rankings")
    meaning_rank: int | None
    words_rank: int | None
    similarity: float | None = Field(description="Cosine similarity to the query, if by meaning")
    snippet: str = Field(description="HTML: escaped text with the query's words in <mark>")


class SearchOut(Schema):
    query: str
    mode: Literal["hybrid", "words"]
    notice: str
    total: int
    hits: list[HitOut]


class SearchQuery(Schema):
    q: str = Field(min_length=2, max_length=500, description="Words or a question")
    limit: int = Field(20, ge=1, le=200)
    offset: int = Field(0, ge=0)
    account_id: int | None = None
    opportunity_id: int | None = None
    author_id: int | None = None
    kind: str | None = Field(None, description="note, activity, or another registered kind")
    written_after: datetime | None = None
    written_before: datetime | None = None


class CorrectionIn(Schema):
    value: str = Field(description="problem/opportunity/none for flavor; yes/no for the others")


class ThemeOut(Schema):
    label: str
    terms: list[str]
    count: int
    share: float
    member_ids: list[int]


class ThemesOut(Schema):
    scope: str
    sample: int
    population: int
    by_meaning: bool
    themes: list[ThemeOut]


class SimilarDealOut(Schema):
    opportunity_id: int
    name: str
    stage: str
    similarity: float
    our_text_id: int
    their_text_id: int
    our_snippet: str
    their_snippet: str


class SimilarDealsOut(Schema):
    own_texts: int
    closed_deals_compared: int
    by_meaning: bool
    deals: list[SimilarDealOut]


def _hit(hit: services.SearchHit) -> dict[str, Any]:
    return {
        "text": hit.text,
        "score": hit.score,
        "meaning_rank": hit.meaning_rank,
        "words_rank": hit.words_rank,
        "similarity": hit.similarity,
        "snippet": str(hit.snippet),
    }


@router.get("/texts/search", response=SearchOut)
def search_texts(request: HttpRequest, params: Query[SearchQuery]) -> dict[str, Any]:
    result = services.search_texts(
        actor=actor(request), query=params.q, **params.dict(exclude={"q"})
    )
    return {
        "query": result.query,
        "mode": result.mode,
        "notice": result.notice,
        "total": result.total,
        "hits": [_hit(h) for h in result.hits],
    }


@router.get("/texts/themes", response=ThemesOut)
def group_texts(
    request: HttpRequest,
    scope: Literal["all", "lost", "gaps", "risks"] = "all",
    kind: str | None = None,
) -> dict[str, Any]:
    result = services.group_texts(actor=actor(request), scope=scope, kind=kind)
    return {
        "scope": result.scope,
        "sample": result.sample,
        "population": result.population,
        "by_meaning": result.by_meaning,
        "themes": [
            {
                "label": t.label,
                "terms": t.terms,
                "count": t.count,
                "share": t.share,
                "member_ids": [m.pk for m in t.members],
            }
            for t in result.themes
        ],
    }


@router.get("/texts/{text_id}", response=TextOut)
def get_text(request: HttpRequest, text_id: int) -> Text:
    return get_visible(request, Text, text_id)


@router.put("/texts/{text_id}/labels/{label}", response=TextOut)
def correct_label(request: HttpRequest, text_id: int, label: str, payload: CorrectionIn) -> Text:
    text = get_visible(request, Text, text_id)
    return services.correct_label(actor=actor(request), text=text, label=label, value=payload.value)


@router.get("/opportunities/{opportunity_id}/similar", response=SimilarDealsOut)
def similar_deals(request: HttpRequest, opportunity_id: int) -> dict[str, Any]:
    opportunity = get_visible(request, Opportunity, opportunity_id)
    result = services.similar_deals(actor=actor(request), opportunity=opportunity)
    return {
        "own_texts": result.own_texts,
        "closed_deals_compared": result.closed_deals_compared,
        "by_meaning": result.by_meaning,
        "deals": [
            {
                "opportunity_id": d.opportunity.pk,
                "name": d.opportunity.name,
                "stage": d.opportunity.stage,
                "similarity": d.similarity,
                "our_text_id": d.ours.pk,
                "their_text_id": d.theirs.pk,
                "our_snippet": d.ours.body[:300],
                "their_snippet": d.theirs.body[:300],
            }
            for d in result.deals
        ],
    }
