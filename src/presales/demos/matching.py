"""Finding the demos an activity showed from what people wrote: a free text in the quick log or
on the meeting's page ("showed the SSO flow") suggests demos by meaning, and the subjects of
imported activities ("Demo: SSO flow") name them. A sure match counts at once; an unsure one
waits as "to confirm" until the user confirms or rejects it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from difflib import SequenceMatcher

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from presales.activities.models import Activity
from presales.demos import facts
from presales.demos.access import demos_for
from presales.demos.models import Demo, DemoShown
from presales.demos.services import _activity
from presales.demos.texts import KIND
from presales.people.models import User
from presales.texts.services.searching import search_texts

SUGGESTIONS = 5
# An imported subject at least this close to a title (difflib's ratio) records the demo as
# shown; at least UNSURE, it is recorded "to confirm"; below, it is not a demo's name.
SURE = 0.92
UNSURE = 0.75
# "Demo: SSO flow", "demo - SSO flow", "[Demo] SSO flow": the marker an imported subject uses.
MARKER = re.compile(r"^\s*[\[(]?\s*demo\b\s*[\])]?\s*[:\-–—]?\s*", re.IGNORECASE)
STOP = frozenset(
    [
        "the",
        "a",
        "an",
        "of",
        "to",
        "and",
        "or",
        "in",
        "on",
        "for",
        "with",
        "we",
        "our",
        "their",
        "showed",
        "show",
        "shown",
        "demo",
    ]
)


@dataclass
class Suggestions:
    demos: list[Demo]
    notice: str = ""
    by_words: bool = False


def _by_words(seen: Iterable[Demo], text: str) -> list[Demo]:
    """Demos ranked by how many of the text's words their title and summary hold."""
    words = {w for w in re.findall(r"\w+", text.lower()) if len(w) > 1 and w not in STOP}
    scored = []
    for demo in seen:
        own = set(re.findall(r"\w+", f"{demo.title} {demo.summary}".lower()))
        hits = len(words & own)
        if hits:
            scored.append((-hits, demo.title, demo))
    return [demo for *_, demo in sorted(scored, key=lambda s: s[:2])]


def suggest_demos(*, actor: User, text: str, limit: int = SUGGESTIONS) -> Suggestions:
    """The catalog's demos (that ``actor`` sees, not retired) best answering ``text``: by meaning
    through the text service, then by words for demos its index does not hold yet."""
    text = " ".join(text.split())
    if len(text) < 3:
        raise ValidationError({"about": "Write what you showed, e.g. “showed the SSO flow”."})
    seen = demos_for(actor).exclude(state=Demo.State.RETIRED)
    notice = ""
    ids: list[int] = []
    try:
        result = search_texts(actor=actor, query=text[:500], kind=KIND, limit=limit * 2)
        ids = [hit.text.object_id for hit in result.hits]
        notice = result.notice
    except ValidationError as exc:
        notice = " ".join(exc.messages)
    found = seen.in_bulk(ids)
    ranked = [found[pk] for pk in ids if pk in found]
    by_words = False
    if len(ranked) < limit:
        extra = _by_words(seen.exclude(pk__in=[d.pk for d in ranked])[:2000], text)
        by_words = bool(extra) and not ranked
        ranked += extra
    return Suggestions(ranked[:limit], notice, by_words)


@transaction.atomic
def record_shown(
    *, actor: User, activity: Activity, demo_ids: Iterable[int], how: str = DemoShown.Matched.HAND
) -> list[Demo]:
    """Add ``demo_ids`` to the demos ``activity`` showed (confirming any that waited)."""
    _activity(actor, activity)
    wanted = list(dict.fromkeys(demo_ids))
    if not wanted:
        raise ValidationError({"demos": "Tick the demos you showed."})
    demos = list(demos_for(actor).filter(pk__in=wanted))
    if len(demos) != len(wanted):
        raise ValidationError({"demos": "Choose demos from the catalog."})
    now = timezone.now()
    for demo in demos:
        DemoShown.objects.update_or_create(
            activity=activity,
            demo=demo,
            defaults={"status": DemoShown.Status.SHOWN, "recorded_by": actor, "recorded_at": now},
            create_defaults={
                "status": DemoShown.Status.SHOWN,
                "recorded_by": actor,
                "recorded_at": now,
                "matched": how,
            },
        )
    return demos


@transaction.atomic
def decide(*, actor: User, activity: Activity, demo_id: int, shown: bool) -> Demo:
    """Confirm or reject a demo an import's subject seemed to name."""
    _activity(actor, activity)
    row = (
        DemoShown.objects.select_for_update()
        .filter(activity=activity, demo_id=demo_id, status=DemoShown.Status.TO_CONFIRM)
        .select_related("demo")
        .first()
    )
    if row is None:
        raise ValidationError({"demo": "That demo is no longer waiting to be confirmed here."})
    row.status = DemoShown.Status.SHOWN if shown else DemoShown.Status.REJECTED
    row.recorded_by = actor
    row.recorded_at = timezone.now()
    row.save(update_fields=["status", "recorded_by", "recorded_at"])  # the signal refreshes
    return row.demo


def _normal(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def subject_match(
    subject: str,
    titles: dict[str, int],
    loose: dict[str, tuple[int, float] | None] | None = None,
) -> tuple[int, float] | None:
    """The demo an imported subject names and how sure that is (1.0 for its exact title).
    Only a subject marked as a demo ("Demo: …") is compared loosely with every title; ``loose``
    keeps those comparisons' answers per name across the calls of one import's matching, as
    an export repeats the same few demo names over and over."""
    marked = MARKER.match(subject)
    name = _normal(subject[marked.end() :] if marked else subject)
    if not name:
        return None
    if name in titles:
        return titles[name], 1.0
    if not marked or len(name) < 4:
        return None
    if loose is None:
        return _closest(name, titles)
    if name not in loose:
        if len(loose) >= 1 << 16:
            loose.clear()
        loose[name] = _closest(name, titles)
    return loose[name]


def _closest(name: str, titles: dict[str, int]) -> tuple[int, float] | None:
    """The title most like ``name`` (difflib's ratio) if at least ``UNSURE`` alike."""
    best: tuple[int, float] | None = None
    matcher = SequenceMatcher(b=name, autojunk=False)
    for title, pk in titles.items():
        matcher.set_seq1(title)
        if matcher.real_quick_ratio() < UNSURE or matcher.quick_ratio() < UNSURE:
            continue
        score = matcher.ratio()
        if score >= UNSURE and (best is None or score > best[1]):
            best = (pk, score)
    return best


# Above this many distinct words the prefilter's conditions would cost the database more than
# the comparisons they spare.
PREFILTER_WORDS = 200


def _could_match(titles: dict[str, int]) -> Q | None:
    """A condition the database checks cheaply, which every subject that may name a demo meets:
    it holds the marker's word ("demo"), or the longest word of some title (a subject names a
    demo by its exact title unless marked). None when some title has no word the database can
    compare without case (ASCII), or there are too many: every subject is then compared."""
    words = {"demo"}
    for title in titles:
        plain = [w for w in title.split() if w.isascii()]
        if not plain:
            return None
        words.add(max(plain, key=len))
    if len(words) > PREFILTER_WORDS:
        return None
    condition = Q()
    for word in sorted(words):
        condition |= Q(subject__icontains=word)
    return condition


def match_imported(started_at: datetime, *, refresh: bool = True) -> int:
    """Record the demos named by the subjects of the activities an import wrote since
    ``started_at``, in bulk: sure matches as shown, unsure ones to confirm. A pair already
    recorded (or rejected) is left as it is. Returns how many rows were added. ``refresh=False``
    when the caller refreshes the facts of what the import wrote anyway."""
    titles = {
        _normal(title): pk
        for pk, title in Demo.objects.exclude(state=Demo.State.RETIRED)
        .order_by("-state", "pk")
        .values_list("pk", "title")
    }
    titles.pop("", None)
    if not titles:
        return 0
    imported = (
        Activity.objects.filter(updated_at__gte=started_at)
        .exclude(source="presales")
        .exclude(status=Activity.Status.CANCELLED)
        .exclude(subject="")
    )
    could_match = _could_match(titles)
    if could_match is not None:
        imported = imported.filter(could_match)
    rows = []
    deals = set()
    now = timezone.now()
    loose: dict[str, tuple[int, float] | None] = {}
    for pk, subject, deal in imported.values_list("pk", "subject", "opportunity_id").iterator(2000):
        found = subject_match(subject, titles, loose)
        if found is None:
            continue
        demo_id, score = found
        sure = score >= SURE
        rows.append(
            DemoShown(
                activity_id=pk,
                demo_id=demo_id,
                recorded_at=now,
                status=DemoShown.Status.SHOWN if sure else DemoShown.Status.TO_CONFIRM,
                matched=DemoShown.Matched.TITLE if score == 1.0 else DemoShown.Matched.FUZZY,
                similarity=round(score * 100),
            )
        )
        if sure and deal:
            deals.add(deal)
    before = DemoShown.objects.count()
    DemoShown.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    if deals and refresh:
        facts.refresh(deals)  # a bulk insert sends no signal
    return DemoShown.objects.count() - before
