"""Words: the database's full-text search, highlighted snippets, and bag-of-words vectors for
grouping when the meaning model is not installed."""

from __future__ import annotations

import re
import time
import zlib
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
from django.db import connection
from django.db.models import QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

if TYPE_CHECKING:
    from presales.texts.visibility import Visibility

FIRST_PASS = 500
# A word held by more than this share of the texts (and by more than COMMON_MINIMUM of them)
# is common: ranking its thousands of holders by BM25 costs tens of milliseconds and says
# little, so the word ranking goes by the query's rarer words, or, when every word is common,
# takes the newest texts holding all of them, then any of them (the fusion then orders the
# candidates by meaning and by how much of the query they hold).
COMMON_SHARE = 0.02
COMMON_MINIMUM = 1000
FREQUENCY_SECONDS = 10.0
_frequencies: dict[tuple[str, str], tuple[float, int]] = {}
TOKEN = re.compile(r"[a-z0-9][a-z0-9'+#.-]*[a-z0-9+#]|[a-z0-9]", re.IGNORECASE)
_STOPWORDS = """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers him his how i if in into is it its itself just
    me more most my no nor not now of off on once only or other our ours out over own same she
    should so some such than that the their them then there these they this those through to
    too under until up very was we were what when where which while who whom why will with
    would you your yours also us said says asked told get got one two new via per let lets
    week today tomorrow call meeting team"""
STOPWORDS = frozenset(_STOPWORDS.split())


def tokens(text: str) -> list[str]:
    return [t.lower().strip("'.-") for t in TOKEN.findall(text)]


def query_terms(query: str) -> list[str]:
    terms = [t for t in tokens(query) if t not in STOPWORDS and len(t) > 1]
    return list(dict.fromkeys(terms or [t for t in tokens(query) if len(t) > 1]))


def _stem(term: str) -> str:
    # Enough to match "freeze" with "freezes" and "integrations" with "integration" in snippets.
    for suffix in ("ations", "ation", "ings", "ing", "ies", "es", "ed", "s"):
        if term.endswith(suffix) and len(term) - len(suffix) >= 4:
            return term[: -len(suffix)]
    return term


def word_matches(
    query: str,
    *,
    allowed: QuerySet[Any] | None,
    k: int,
    allowed_ids: np.ndarray | None = None,
    visibility: Visibility | None = None,
) -> list[int]:
    """Ids of texts (in ``allowed``, None meaning all) that contain the query's words, best
    first by BM25 (SQLite FTS5) or ts_rank_cd (PostgreSQL). ``allowed_ids`` may carry the ids
    of ``allowed`` already fetched; on SQLite, ``visibility`` instead checks the best matches
    for the user a few hundred at a time (``allowed`` is then not read)."""
    terms = fts_terms(query)
    if not terms:
        return []
    if connection.vendor == "sqlite":
        if visibility is not None:
            from presales.texts.visibility import first_check, ranked_visible

            return ranked_visible(_sqlite_ranking(terms), k, visibility, first=first_check(k))
        if allowed is not None and allowed_ids is None:
            allowed_ids = np.fromiter(allowed.values_list("pk", flat=True), dtype=np.int64)
        visible = None if allowed_ids is None else set(allowed_ids.tolist())
        return _sqlite_matches(_sqlite_ranking(terms), visible, k)
    if connection.vendor == "postgresql":
        phrases = [f"({t.replace(' ', ' <-> ')})" if " " in t else t for t in terms]
        return _postgres_matches(" | ".join(phrases), allowed, k)
    return []  # pragma: no cover - only SQLite and PostgreSQL are supported


def _sqlite_ranked(match: str, n: int, order: str = "rank") -> list[int]:
    sql = (
        "SELECT rowid FROM texts_text_fts WHERE texts_text_fts MATCH %s "  # noqa: S608
        f"ORDER BY {'rank' if order == 'rank' else 'rowid DESC'} LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [match, n])
        return [int(row[0]) for row in cursor.fetchall()]


def _sqlite_ranking(terms: list[str]) -> Callable[[int], list[int]]:
    """The word ranking for ``terms``: the best ``n`` ids, best first (see ``COMMON_SHARE``)."""
    total = text_count()
    common = max(COMMON_MINIMUM, COMMON_SHARE * total)
    rare = [t for t in terms if 0 < document_frequency(t) <= common]
    if rare or not any(document_frequency(t) for t in terms):
        match = " OR ".join(f'"{t}"' for t in (rare or terms))
        return lambda n: _sqlite_ranked(match, n)
    held = [t for t in terms if document_frequency(t)]
    every = " AND ".join(f'"{t}"' for t in held)
    some = " OR ".join(f'"{t}"' for t in held)

    def newest(n: int) -> list[int]:
        ids = _sqlite_ranked(every, n, order="newest")
        if len(ids) < n and len(held) > 1:
            first = set(ids)
            ids += [pk for pk in _sqlite_ranked(some, n, order="newest") if pk not in first]
        return ids[:n]

    return newest


def _cached(key: tuple[str, str], count: Callable[[], int]) -> int:
    """``count()``, kept for ``FREQUENCY_SECONDS`` when it is large (a small count is cheap
    to make again, and stays exact)."""
    now = time.monotonic()
    cached = _frequencies.get(key)
    if cached is None or now - cached[0] > FREQUENCY_SECONDS:
        if len(_frequencies) > 5000:
            _frequencies.clear()
        cached = (now, count())
        if cached[1] >= COMMON_MINIMUM:
            _frequencies[key] = cached
    return cached[1]


def text_count() -> int:
    """How many texts the index holds, counted at most every ``FREQUENCY_SECONDS``."""
    from presales.texts.models import Text

    return _cached((str(connection.settings_dict["NAME"]), ""), Text.objects.count)


def document_frequency(term: str) -> int:
    """How many texts hold ``term`` (the database's stemming), counted at most every
    ``FREQUENCY_SECONDS``: a word's weight barely moves with a few more texts."""

    def count() -> int:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute(
                    "SELECT count(*) FROM texts_text_fts WHERE texts_text_fts MATCH %s",
                    [f'"{term}"'],
                )
            else:
                cursor.execute(
                    "SELECT count(*) FROM texts_text "
                    "WHERE body_tsv @@ phraseto_tsquery('english', %s)",
                    [term],
                )
            return int(cursor.fetchone()[0])

    return _cached((str(connection.settings_dict["NAME"]), term), count)


def fts_terms(query: str) -> list[str]:
    """The query's words as the full-text index is asked for them (no punctuation)."""
    # "INC-4821" is two tokens to the index: ask for them as a phrase.
    terms = [" ".join(re.sub(r"[^\w]", " ", t).split()) for t in query_terms(query)]
    return list(dict.fromkeys(t for t in terms if t))


def term_presence(
    terms: list[str], candidates: list[int]
) -> tuple[dict[str, int], dict[int, set[str]]]:
    """For each term, how many texts hold it (the whole index), and which terms each candidate
    text holds, both by the database's own stemming."""
    frequency = {term: document_frequency(term) for term in terms}
    holds: dict[int, set[str]] = {pk: set() for pk in candidates}
    asked = [term for term in terms if frequency[term]]
    if not asked or not candidates:
        return frequency, holds
    if connection.vendor == "sqlite":
        found = _sqlite_presence(asked, candidates)
    else:
        found = _postgres_presence(asked, candidates)
    for pk, term in found:
        holds[pk].add(term)
    return frequency, holds


def _sqlite_presence(terms: list[str], candidates: list[int]) -> list[tuple[int, str]]:
    """Which of ``terms`` each candidate holds, asked of a scratch full-text table that holds
    the candidates alone (a temporary table of this connection, tokenised as the index is).

    Asking the index itself costs a pass over each term's whole list of texts (thousands for
    a common word, one query per term); the scratch table holds a few hundred texts, so one
    query answers for every term in a fraction of a millisecond. Nothing is stored: the table
    is contentless and lives in the connection's temporary database (no lock on the main one).
    """
    with connection.cursor() as cursor:
        # Cheap when it exists; a rolled-back transaction may have taken it away.
        cursor.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.texts_scratch_fts USING fts5("
            "body, content='', tokenize='porter unicode61')"
        )
        cursor.execute(
            "INSERT INTO temp.texts_scratch_fts(texts_scratch_fts) VALUES ('delete-all')"
        )
        marks = ",".join(["%s"] * len(candidates))
        cursor.execute(
            "INSERT INTO temp.texts_scratch_fts(rowid, body) "  # noqa: S608 - placeholders only
            f"SELECT id, body FROM texts_text WHERE id IN ({marks})",
            candidates,
        )
        each = "SELECT %s, rowid FROM temp.texts_scratch_fts WHERE texts_scratch_fts MATCH %s"
        cursor.execute(
            " UNION ALL ".join([each] * len(terms)),
            [value for i, term in enumerate(terms) for value in (i, f'"{term}"')],
        )
        return [(int(pk), terms[i]) for i, pk in cursor.fetchall()]


def _postgres_presence(terms: list[str], candidates: list[int]) -> list[tuple[int, str]]:
    """Which of ``terms`` each candidate holds: one query over the candidates' rows."""
    checks = ", ".join(["body_tsv @@ phraseto_tsquery('english', %s)"] * len(terms))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, ARRAY[{checks}] FROM texts_text WHERE id = ANY(%s)",  # noqa: S608
            [*terms, candidates],
        )
        return [
            (int(pk), term)
            for pk, held in cursor.fetchall()
            for term, yes in zip(terms, held, strict=True)
            if yes
        ]


def _sqlite_matches(
    ranking: Callable[[int], list[int]], visible: set[int] | None, k: int
) -> list[int]:
    # FTS5 cannot push a permission subquery into its index (``rowid IN (...)`` made one query
    # take seconds on 20,000 texts), so rank the matches and keep the visible ones, taking ten
    # times more while too few of them are visible.
    wanted = k if visible is None else max(FIRST_PASS, k)
    while True:
        ranked = ranking(wanted)
        if visible is None:
            return ranked
        survivors = [pk for pk in ranked if pk in visible]
        if len(survivors) >= k or len(ranked) < wanted:
            return survivors[:k]
        wanted *= 10


def _postgres_matches(tsquery: str, allowed: QuerySet[Any] | None, k: int) -> list[int]:
    from presales.texts.vectors import id_filter_sql

    where, params = id_filter_sql(allowed, column="id", keyword="AND")
    sql = (
        "SELECT id FROM texts_text, to_tsquery('english', %s) AS q "  # noqa: S608
        f"WHERE body_tsv @@ q {where} "
        "ORDER BY ts_rank_cd(body_tsv, q, 1) DESC, id DESC LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [tsquery, *params, k])
        return [int(row[0]) for row in cursor.fetchall()]


@lru_cache(maxsize=256)
def _highlighter(query: str) -> re.Pattern[str] | None:
    """The words of ``query`` (and longer forms of them) as one pattern: a page's snippets
    are all cut for the same query."""
    stems = [_stem(t) for t in query_terms(query)]
    if not stems:
        return None
    return re.compile(r"\b(" + "|".join(re.escape(s) for s in stems) + r")[\w'-]*", re.IGNORECASE)


def snippet(body: str, query: str, *, width: int = 240) -> SafeString:
    """The part of ``body`` richest in the query's words, HTML-escaped, words in <mark>."""
    pattern = _highlighter(query)
    if pattern is None:
        return escape(body[:width] + ("…" if len(body) > width else ""))
    hits = [m.start() for m in pattern.finditer(body)]
    start = 0
    if hits:
        best = max(hits, key=lambda h: sum(1 for o in hits if h <= o < h + width))
        start = max(0, best - width // 4)
        if start:
            space = body.find(" ", start)
            start = space + 1 if 0 <= space < best else start
    piece = body[start : start + width]
    html: list[str] = []
    last = 0
    for m in pattern.finditer(piece):
        html.append(escape(piece[last : m.start()]))
        html.append(f"<mark>{escape(m.group(0))}</mark>")
        last = m.end()
    html.append(escape(piece[last:]))
    text = "".join(html)
    prefix = "…" if start else ""
    suffix = "…" if start + width < len(body) else ""
    return mark_safe(prefix + text + suffix)  # noqa: S308 - every piece is escaped above


def bag_of_words(bodies: list[str], *, dimensions: int = 2048) -> np.ndarray:
    """Hashed, L2-normalised word counts: a stand-in for meaning vectors in a lean install."""
    out = np.zeros((len(bodies), dimensions), dtype=np.float32)
    for row, body in enumerate(bodies):
        for term in tokens(body):
            if term not in STOPWORDS and len(term) > 2:
                out[row, zlib.crc32(_stem(term).encode()) % dimensions] += 1.0
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.where(norms == 0, 1.0, norms)


def distinctive_terms(
    members: list[str], others: list[str], *, top: int = 3, ignore: AbstractSet[str] = frozenset()
) -> list[str]:
    """Words frequent in ``members`` and rare elsewhere: a readable label for a group."""

    def doc_freq(bodies: list[str]) -> dict[str, int]:
        counts: dict[str, int] = {}
        for body in bodies:
            for term in {t for t in tokens(body) if t not in STOPWORDS and len(t) > 2} - ignore:
                counts[term] = counts.get(term, 0) + 1
        return counts

    inside, outside = doc_freq(members), doc_freq(others)
    n_in, n_out = max(len(members), 1), max(len(others), 1)
    scored = sorted(
        (
            (count / n_in - outside.get(term, 0) / n_out, count, term)
            for term, count in inside.items()
            if count >= 2 or len(members) < 3
        ),
        reverse=True,
    )
    return [term for _, _, term in scored[:top]]
