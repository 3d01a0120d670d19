"""The meeting planner: everything an SE and rep should know before a customer call, gathered
from what the team recorded. Read-only; the Markdown and PDF exports render this same object."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Model, QuerySet
from django.utils import timezone

from presales.accounts.models import Contact
from presales.activities.models import Activity
from presales.core import access
from presales.meetings import similarity
from presales.meetings.models import Commitment, Debrief, MeetingPlan, RaisedGap, Topic
from presales.notes.models import Note
from presales.people.models import User
from presales.qualification import services as qualification

NOTES_IN_DIGEST = 8
DIGEST_CHARS = 320
SIMILAR_CANDIDATES = 400
SIMILAR_SHOWN = 3


@dataclass
class Attendee:
    name: str
    title: str
    role: str
    needs: str
    sentiment: str
    last_touch: datetime | None
    invited: bool


@dataclass
class DigestNote:
    when: datetime
    author: str
    text: str
    new: bool


@dataclass
class LikelyTopic:
    name: str
    answer: str
    why: str


@dataclass
class SimilarMeeting:
    activity: Activity
    score: float
    went_right: str
    went_wrong: str


@dataclass
class CommitmentLists:
    overdue: list[Commitment] = field(default_factory=list)
    open: list[Commitment] = field(default_factory=list)
    kept_since_last: list[Commitment] = field(default_factory=list)
    broken_since_last: list[Commitment] = field(default_factory=list)


@dataclass
class Plan:
    activity: Activity
    saved: MeetingPlan | None
    outcomes: list[str]
    attendees: list[Attendee]
    our_people: list[User]
    last_meeting: Activity | None
    notes: list[DigestNote]
    debriefs: list[Debrief]
    commitments: CommitmentLists
    gaps: list[RaisedGap]
    issues: list[Any]
    missing_criteria: list[str]
    warnings: list[str]
    topics: list[LikelyTopic]
    similar: list[SimilarMeeting]
    today: date
    agenda: list[str] = field(default_factory=list)

    @property
    def has_history(self) -> bool:
        return bool(self.notes or self.debriefs or self.last_meeting)


def _scope(viewer: User | None, model: type[Model]) -> QuerySet[Any]:
    """What the viewer may see; the CLI (no viewer) plans as an operator and sees everything."""
    if viewer is None:
        return model._default_manager.all()
    return access.visible(viewer, model)


def build_plan(*, activity: Activity, viewer: User | None, now: datetime | None = None) -> Plan:
    now = now or timezone.now()
    today = timezone.localdate(now)
    saved = MeetingPlan.objects.filter(activity=activity).first()
    account_id = activity.account_id
    last_meeting = None
    if account_id is not None:
        last_meeting = (
            _scope(viewer, Activity)
            .filter(
                account_id=account_id,
                customer_facing=True,
                status=Activity.Status.HELD,
                starts_at__lt=activity.starts_at,
            )
            .exclude(pk=activity.pk)
            .order_by("-starts_at")
            .first()
        )
    since = last_meeting.starts_at if last_meeting else None
    notes = _digest(viewer, activity, since)
    debriefs = _debriefs(viewer, activity)
    gaps = list(
        _scope(viewer, RaisedGap)
        .filter(account_id=account_id, created_at__lte=now)
        .exclude(debrief__activity=activity)
        .select_related("raised_by")[:10]
        if account_id
        else []
    )
    issues: list[Any] = []
    missing: list[str] = []
    warnings: list[str] = []
    stance: dict[int, qualification.StakeholderRow] = {}
    if activity.opportunity is not None:
        deal = activity.opportunity
        issues = list(deal.business_issues.all())
        missing = [c.name for c in qualification.assess(deal).missing]
        stakeholder_map = qualification.stakeholder_map(deal, now=now)
        warnings = stakeholder_map.warnings
        stance = {r.contact.pk: r for r in stakeholder_map.rows}
    outcomes = saved.outcome_list if saved else []
    topics = _likely_topics(viewer, activity, outcomes, notes, gaps)
    return Plan(
        activity=activity,
        saved=saved,
        outcomes=outcomes,
        attendees=_attendees(activity, stance),
        our_people=list(activity.participants.all()),
        last_meeting=last_meeting,
        notes=notes,
        debriefs=debriefs,
        commitments=_commitments(viewer, activity, since, today),
        gaps=gaps,
        issues=issues,
        missing_criteria=missing,
        warnings=warnings,
        topics=topics,
        similar=_similar(viewer, activity, outcomes),
        today=today,
        agenda=saved.agenda_list if saved else [],
    )


def _attendees(activity: Activity, stance: dict[int, Any]) -> list[Attendee]:
    roles = dict(Contact.DealRole.choices)
    out = []
    for c in activity.contacts.order_by("last_name", "first_name"):
        row = stance.get(c.pk)
        out.append(
            Attendee(
                name=c.full_name,
                title=c.title,
                role=row.role_label if row else roles.get(c.deal_role, "—"),
                needs=c.needs,
                sentiment=row.sentiment_label if row else "Unknown",
                last_touch=row.last_touch if row else None,
                invited=True,
            )
        )
    return out


def _digest(viewer: User | None, activity: Activity, since: datetime | None) -> list[DigestNote]:
    if activity.account_id is None and activity.opportunity_id is None:
        return []
    rows = _scope(viewer, Note).select_related("author").order_by("-created_at", "-id")
    rows = (
        rows.filter(account_id=activity.account_id)
        if activity.account_id
        else rows.filter(opportunity_id=activity.opportunity_id)
    )
    out = []
    for n in rows.exclude(activity=activity)[:NOTES_IN_DIGEST]:
        text = " ".join(n.body.split())
        if len(text) > DIGEST_CHARS:
            text = text[: DIGEST_CHARS - 1].rsplit(" ", 1)[0] + "…"
        out.append(
            DigestNote(
                when=n.created_at,
                author=str(n.author) if n.author else "unknown",
                text=text,
                new=since is None or n.created_at >= since,
            )
        )
    return out


def _debriefs(viewer: User | None, activity: Activity) -> list[Debrief]:
    if activity.account_id is None:
        return []
    return list(
        _scope(viewer, Debrief)
        .filter(
            activity__account_id=activity.account_id, activity__starts_at__lt=activity.starts_at
        )
        .exclude(activity=activity)
        .select_related("activity", "author")
        .order_by("-activity__starts_at")[:3]
    )


def _commitments(
    viewer: User | None, activity: Activity, since: datetime | None, today: date
) -> CommitmentLists:
    lists = CommitmentLists()
    if activity.account_id is None:
        return lists
    rows = (
        _scope(viewer, Commitment)
        .filter(account_id=activity.account_id)
        .select_related("owner")
        .order_by("due_on", "id")
    )
    for c in rows.filter(status=Commitment.Status.OPEN):
        (lists.overdue if c.due_on < today else lists.open).append(c)
    resolved = rows.exclude(status=Commitment.Status.OPEN)
    if since is not None:
        resolved = resolved.filter(resolved_at__gte=since)
    for c in resolved.order_by("-resolved_at")[:20]:
        kept = c.status == Commitment.Status.KEPT
        (lists.kept_since_last if kept else lists.broken_since_last).append(c)
    return lists


def _likely_topics(
    viewer: User | None,
    activity: Activity,
    outcomes: list[str],
    notes: list[DigestNote],
    gaps: list[RaisedGap],
) -> list[LikelyTopic]:
    text = " ".join(
        [activity.subject, activity.description, *outcomes, *(n.text for n in notes[:4])]
        + [g.text for g in gaps]
    ).lower()
    topics = _scope(viewer, Topic).prefetch_related("leads_to")
    team_id = activity.opportunity.team_id if activity.opportunity else None
    if team_id is None and activity.account is not None:
        team_id = activity.account.team_id
    # The shared map plus the meeting's team's own topics; a team topic replaces a shared one
    # of the same name.
    chosen: dict[str, Topic] = {}
    for t in sorted(topics, key=lambda t: t.team_id is not None):
        if t.team_id in (None, team_id):
            chosen[t.name.lower()] = t
    found: dict[str, LikelyTopic] = {}
    for t in chosen.values():
        hit = next((k for k in t.keyword_list if _mentions(text, k)), None)
        if hit is None or t.name in found:
            continue
        found[t.name] = LikelyTopic(name=t.name, answer=t.answer, why=f"mentions “{hit}”")
    for name in list(found):
        for follow in chosen[name.lower()].leads_to.all():
            follow = chosen.get(follow.name.lower(), follow)
            if follow.name not in found:
                found[follow.name] = LikelyTopic(
                    name=follow.name, answer=follow.answer, why=f"often follows {name}"
                )
    return list(found.values())


def _mentions(text: str, keyword: str) -> bool:
    """A keyword counts at the start of a word: "cve" finds "CVEs", not "recover"."""
    return bool(keyword) and re.search(rf"\b{re.escape(keyword)}", text) is not None


def _similar(viewer: User | None, activity: Activity, outcomes: list[str]) -> list[SimilarMeeting]:
    """Past meetings like this one, from their debriefs: by meaning among every debrief the
    viewer may see, and by words among the recent ones the index does not cover yet."""
    from presales.texts.access import texts_for
    from presales.texts.models import Text

    query = " ".join([activity.subject, activity.description, *outcomes])
    others = _scope(viewer, Debrief).exclude(activity=activity)
    pool = list(
        others.select_related("activity").order_by("-activity__starts_at")[:SIMILAR_CANDIDATES]
    )
    candidates = [
        (d.pk, f"{d.activity.subject} {d.activity.description} {d.went_right} {d.next_steps}")
        for d in pool
    ]
    ranked = similarity.similar_debriefs(
        query,
        candidates,
        debriefs=others,
        texts=Text.objects.all() if viewer is None else texts_for(viewer),
        limit=SIMILAR_SHOWN,
    )
    found = others.select_related("activity", "activity__account").in_bulk([pk for pk, _ in ranked])
    return [
        SimilarMeeting(
            activity=found[pk].activity,
            score=score,
            went_right=found[pk].went_right,
            went_wrong=found[pk].went_wrong,
        )
        for pk, score in ranked
        if pk in found
    ]
