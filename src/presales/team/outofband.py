"""Out-of-band work ("the organization of last resort"): internal requests that are no
customer's, the time they take and who asks for them. Read-only.

Per SE and for the team since a date: out-of-band hours and their share of all recorded hours
(``n`` of ``N`` hours), against customer-facing hours; the weekly trend; the requesting
departments; and the repeat problems, grouped by meaning through the text service's vectors
(or by words when the meaning model is not installed). A problem handed to a czar gets a
scoreboard: how often it came back each week before and since the handover.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import numpy as np
from django.db.models import Q
from django.utils import timezone

from presales.activities.models import Activity, Kind
from presales.core.stats import median_or_none
from presales.people.models import Team, User
from presales.team.capacity import team_members, week_start
from presales.team.models import OutOfBandSource, ProblemOwner
from presales.texts import embedding, vectors, words
from presales.texts.models import Text

SIMILAR = {"meaning": 0.72, "words": 0.5}
MAX_GROUPED = 3000


@dataclass
class SEOutOfBand:
    user: User
    hours: float
    recorded_hours: float
    customer_facing_hours: float
    requests: int
    top_problems: list[str] = field(default_factory=list)

    @property
    def share(self) -> float | None:
        return self.hours / self.recorded_hours if self.recorded_hours else None


@dataclass
class Problem:
    label: str
    count: int
    hours: float
    people: list[str]
    examples: list[str]


@dataclass
class Scoreboard:
    owner: ProblemOwner
    weekly: list[tuple[date, int]]
    before_per_week: float
    since_per_week: float


@dataclass
class TeamOutOfBand:
    team: Team
    since: date
    rows: list[SEOutOfBand]
    weekly: list[tuple[date, float]]
    departments: list[tuple[str, int, float]]
    problems: list[Problem]
    by_meaning: bool
    scoreboards: list[Scoreboard]
    median_share: float | None

    @property
    def hours(self) -> float:
        return sum(r.hours for r in self.rows)

    @property
    def recorded_hours(self) -> float:
        return sum(r.recorded_hours for r in self.rows)

    @property
    def requests(self) -> int:
        return sum(r.requests for r in self.rows)

    @property
    def share(self) -> float | None:
        return self.hours / self.recorded_hours if self.recorded_hours else None


def _hours(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 3600


def _group(items: list[tuple[int, str]]) -> tuple[list[list[int]], bool]:
    """Indexes of ``items`` (activity id, subject) that say the same thing, largest group first."""
    if not items:
        return [], False
    by_meaning = embedding.available()
    points: np.ndarray | None = None
    if by_meaning:
        texts = dict(
            Text.objects.filter(kind="activity", object_id__in=[pk for pk, _ in items]).values_list(
                "object_id", "pk"
            )
        )
        found = vectors.vectors_for(list(texts.values()))
        if len(found) == len(items) or (found and len(found) >= 0.9 * len(items)):
            dim = next(iter(found.values())).shape[0]
            points = np.vstack(
                [found.get(texts.get(pk, -1), np.zeros(dim, dtype=np.float32)) for pk, _ in items]
            )
        else:
            by_meaning = False
    if points is None:
        points = words.bag_of_words([subject for _, subject in items])
    points = points.astype(np.float32)
    threshold = SIMILAR["meaning" if by_meaning else "words"]
    centres: list[np.ndarray] = []
    groups: list[list[int]] = []
    for i, vector in enumerate(points):
        if centres:
            scores = np.vstack(centres) @ vector
            best = int(np.argmax(scores))
            if scores[best] >= threshold:
                groups[best].append(i)
                total = points[groups[best]].sum(axis=0)
                centres[best] = total / (np.linalg.norm(total) or 1.0)
                continue
        centres.append(vector)
        groups.append([i])
    groups.sort(key=len, reverse=True)
    return groups, by_meaning


def _matches(owner: ProblemOwner, subject: str) -> bool:
    lowered = subject.lower()
    return any(word.lower() in lowered for word in owner.keyword_list)


def team_out_of_band(*, team: Team, since: date | None = None, problems: int = 8) -> TeamOutOfBand:
    today = timezone.localdate()
    since = since or week_start(today) - timedelta(weeks=12)
    tz = timezone.get_current_timezone()
    start = datetime.combine(since, time.min, tzinfo=tz)
    people = team_members(team)
    ids = [p.pk for p in people]
    link = Activity.participants.through.objects.filter(
        user_id__in=ids, activity__starts_at__gte=start, activity__starts_at__lte=timezone.now()
    ).exclude(activity__status=Activity.Status.CANCELLED)
    recorded: dict[int, float] = defaultdict(float)
    facing: dict[int, float] = defaultdict(float)
    oob: list[tuple[int, int, str, datetime, datetime]] = []
    for user_id, pk, kind, cf, subject, begin, end in link.values_list(
        "user_id",
        "activity_id",
        "activity__kind",
        "activity__customer_facing",
        "activity__subject",
        "activity__starts_at",
        "activity__ends_at",
    ).order_by("activity__starts_at", "activity_id"):
        hours = _hours(begin, end)
        recorded[user_id] += hours
        if cf:
            facing[user_id] += hours
        if kind == Kind.OUT_OF_BAND:
            oob.append((user_id, pk, subject, begin, end))
    per_user: dict[int, list[tuple[int, str, float]]] = defaultdict(list)
    weekly: dict[date, float] = defaultdict(float)
    for user_id, pk, subject, begin, end in oob:
        per_user[user_id].append((pk, subject, _hours(begin, end)))
        weekly[week_start(timezone.localdate(begin))] += _hours(begin, end)
    first = week_start(since)
    weeks = [first + timedelta(weeks=w) for w in range((week_start(today) - first).days // 7 + 1)]

    departments: Counter[str] = Counter()
    department_hours: dict[str, float] = defaultdict(float)
    sources = dict(
        OutOfBandSource.objects.filter(activity_id__in={pk for _, pk, *_ in oob}).values_list(
            "activity_id", "department"
        )
    )
    seen: set[int] = set()
    for _, pk, _, begin, end in oob:
        if pk in seen:
            continue
        seen.add(pk)
        name = sources.get(pk, "not recorded")
        departments[name] += 1
        department_hours[name] += _hours(begin, end)

    unique = list({pk: (pk, subject) for _, pk, subject, *_ in oob}.values())[-MAX_GROUPED:]
    groups, by_meaning = _group(unique)
    who = defaultdict(set)
    hours_of: dict[int, float] = {}
    for user_id, pk, _, begin, end in oob:
        who[pk].add(user_id)
        hours_of[pk] = _hours(begin, end)
    names = {p.pk: str(p) for p in people}
    found = []
    top_of_user: dict[int, list[str]] = defaultdict(list)
    for group in groups[:problems]:
        if len(group) < 2:
            break
        members = [unique[i] for i in group]
        subjects = [s for _, s in members]
        others = [s for i, (_, s) in enumerate(unique) if i not in set(group)][:2000]
        terms = words.distinctive_terms(subjects, others)
        label = ", ".join(terms) or subjects[0]
        users = sorted({u for pk, _ in members for u in who[pk]}, key=lambda u: names.get(u, ""))
        for u in users:
            top_of_user[u].append(label)
        found.append(
            Problem(
                label=label,
                count=len(members),
                hours=round(sum(hours_of[pk] for pk, _ in members), 1),
                people=[names[u] for u in users if u in names],
                examples=list(dict.fromkeys(subjects))[:3],
            )
        )
    rows = [
        SEOutOfBand(
            user=p,
            hours=round(sum(h for _, _, h in per_user[p.pk]), 1),
            recorded_hours=round(recorded[p.pk], 1),
            customer_facing_hours=round(facing[p.pk], 1),
            requests=len(per_user[p.pk]),
            top_problems=top_of_user[p.pk][:3],
        )
        for p in people
    ]
    rows.sort(key=lambda r: (-r.hours, str(r.user)))
    owners = list(ProblemOwner.objects.filter(team=team).select_related("czar"))
    boards = [_scoreboard(o, team, ids) for o in owners]
    return TeamOutOfBand(
        team=team,
        since=since,
        rows=rows,
        weekly=[(w, round(weekly.get(w, 0.0), 1)) for w in weeks],
        departments=[
            (name, n, round(department_hours[name], 1)) for name, n in departments.most_common()
        ],
        problems=found,
        by_meaning=by_meaning,
        scoreboards=boards,
        median_share=median_or_none([r.share for r in rows if r.share is not None]),
    )


def _scoreboard(owner: ProblemOwner, team: Team, ids: list[int], weeks: int = 8) -> Scoreboard:
    """How often the problem came back each week, eight weeks before the handover and since."""
    today = timezone.localdate()
    begin = week_start(owner.handed_over_on) - timedelta(weeks=weeks)
    tz = timezone.get_current_timezone()
    words_q = Q()
    for word in owner.keyword_list:
        words_q |= Q(subject__icontains=word)
    subjects = (
        Activity.objects.filter(
            kind=Kind.OUT_OF_BAND,
            starts_at__gte=datetime.combine(begin, time.min, tzinfo=tz),
            participants__in=ids,
        )
        .filter(words_q)
        .distinct()
        .values_list("pk", "starts_at", "subject")
        if owner.keyword_list
        else []
    )
    counts: Counter[date] = Counter(
        week_start(timezone.localdate(at))
        for _, at, subject in subjects
        if _matches(owner, subject)
    )
    all_weeks = [
        begin + timedelta(weeks=w) for w in range((week_start(today) - begin).days // 7 + 1)
    ]
    handed = week_start(owner.handed_over_on)
    before = [counts[w] for w in all_weeks if w < handed]
    after = [counts[w] for w in all_weeks if w >= handed]
    return Scoreboard(
        owner=owner,
        weekly=[(w, counts[w]) for w in all_weeks],
        before_per_week=round(sum(before) / len(before), 2) if before else 0.0,
        since_per_week=round(sum(after) / len(after), 2) if after else 0.0,
    )


def out_of_band_json(report: TeamOutOfBand) -> dict[str, Any]:
    return {
        "team": report.team.name,
        "since": str(report.since),
        "by_meaning": report.by_meaning,
        "hours": round(report.hours, 1),
        "share": {
            "value": round(report.share, 3) if report.share is not None else None,
            "n": round(report.hours, 1),
            "N": round(report.recorded_hours, 1),
        },
        "ses": [
            {
                "user": r.user.username,
                "name": str(r.user),
                "hours": r.hours,
                "share": {
                    "value": round(r.share, 3) if r.share is not None else None,
                    "n": r.hours,
                    "N": r.recorded_hours,
                    "reference": round(report.median_share, 3)
                    if report.median_share is not None
                    else None,
                },
                "customer_facing_hours": r.customer_facing_hours,
                "requests": r.requests,
                "top_problems": r.top_problems,
            }
            for r in report.rows
        ],
        "weekly": [{"week": str(w), "hours": h} for w, h in report.weekly],
        "departments": [
            {"department": d, "requests": n, "hours": h} for d, n, h in report.departments
        ],
        "problems": [
            {"problem": p.label, "requests": p.count, "hours": p.hours, "people": p.people}
            for p in report.problems
        ],
    }
