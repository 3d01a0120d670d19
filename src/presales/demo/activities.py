"""The demo's activities and notes: the customer meetings along each deal's stages (held once
they ended, planned when still ahead), the SEs' internal and out-of-band work, notes on the
meetings held and a closing note on every closed deal. Steps of the demo generator, run after
the deals.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from presales.accounts.models import Account, Contact
from presales.activities.models import CUSTOMER_FACING_KINDS, Activity, Kind
from presales.deals.models import Opportunity, Stage
from presales.demo._common import SOURCE, _at, _bulk, _stage_on, _workday
from presales.demo.text import NoteContext, activity_subject, loss_reason, note_body, win_reason
from presales.notes.models import Note
from presales.people.models import User

# What the SE and rep do with the customer at each stage.
STAGE_KINDS: dict[str, list[str]] = {
    Stage.PROSPECTING: [Kind.MEETING],
    Stage.DISCOVERY: [Kind.MEETING, Kind.MEETING, Kind.WORKSHOP],
    Stage.DEMO: [Kind.DEMO, Kind.DEMO, Kind.MEETING],
    Stage.POC: [Kind.POC, Kind.POC, Kind.MEETING, Kind.WORKSHOP],
    Stage.PROPOSAL: [Kind.MEETING, Kind.DEMO],
    Stage.NEGOTIATION: [Kind.MEETING],
}
DURATIONS: dict[str, list[int]] = {
    Kind.MEETING: [30, 45, 60],
    Kind.DEMO: [45, 60, 90],
    Kind.POC: [60, 90, 120, 180],
    Kind.WORKSHOP: [120, 180, 240],
    Kind.INTERNAL: [15, 30, 45, 60],
    Kind.OUT_OF_BAND: [20, 30, 60, 90, 120],
}


def populate(builder: Any) -> None:
    """Customer meetings along each deal's stages, and the SEs' internal and out-of-band work."""
    rng: random.Random = builder.rng
    activities: list[Activity] = []
    participants: list[tuple[int, list[User]]] = []
    attendees: list[tuple[int, list[Contact]]] = []
    contexts: list[NoteContext | None] = []
    horizon = builder.today + timedelta(days=21)
    for n_deal, deal in enumerate(builder.deal_list):
        opp = deal.obj
        account_contacts = builder.contacts.get(opp.account_id or -1, [])
        boundaries = [at for _, at in deal.path]
        end = boundaries[-1] if opp.stage in (Stage.WON, Stage.LOST) else _at(horizon, 17)
        for i, (stage, start_at) in enumerate(deal.path):
            if stage in (Stage.WON, Stage.LOST):
                continue
            stop = boundaries[i + 1] if i + 1 < len(boundaries) else end
            span = max(1.0, (stop - start_at).total_seconds() / 86400)
            for _ in range(rng.choice([1, 2, 3, 3, 4, 4, 5])):
                kind = rng.choice(STAGE_KINDS[stage])
                day = _workday((start_at + timedelta(days=rng.uniform(0, span))).date())
                if day > stop.date():  # a Sunday moved past the stage's end: the Friday
                    day -= timedelta(days=3)
                rep: list[User | None] = [opp.owner]
                people = rep + list(deal.ses)
                if kind in (Kind.DEMO, Kind.POC, Kind.WORKSHOP) and deal.ses:
                    people = [*deal.ses, *(rep if rng.random() < 0.6 else [])]
                met = rng.sample(account_contacts, k=min(len(account_contacts), rng.randint(1, 3)))
                ctx = _context(builder, deal, kind, stage, met, people)
                activities.append(_activity(builder, kind, day, ctx, opp, opp.account))
                participants.append((len(activities) - 1, [p for p in people if p]))
                attendees.append((len(activities) - 1, met))
                contexts.append(ctx)
        if n_deal % 250 == 0:
            builder.progress("activities", n_deal, len(builder.deal_list))
    # The SEs' internal work and the out-of-band requests that pull them away from customers.
    per_se = max(10, round(560 * builder.scale))
    first_day = builder.today - timedelta(days=730)
    for se in builder.all_ses:
        for _ in range(per_se):
            kind = Kind.INTERNAL if rng.random() < 0.55 else Kind.OUT_OF_BAND
            offset = rng.randint(0, 744)
            day = _workday(first_day + timedelta(days=offset))
            deal, stage = _deal_open_on(builder, day)
            ctx = _context(builder, deal, kind, stage, [], [se])
            # Internal work on a deal that had already closed is not filed on the account,
            # so an open deal's plan never quotes another deal's outcome as current news.
            on_account = kind == Kind.INTERNAL and stage not in (Stage.WON, Stage.LOST)
            account = deal.obj.account if on_account and rng.random() < 0.5 else None
            activities.append(_activity(builder, kind, day, ctx, None, account))
            participants.append((len(activities) - 1, [se]))
            attendees.append((len(activities) - 1, []))
            contexts.append(ctx)
    _bulk(Activity, activities)
    link = Activity.participants.through
    _bulk(
        link,
        [
            link(activity_id=activities[i].pk, user_id=u.pk)
            for i, users in participants
            for u in {u.pk: u for u in users}.values()
        ],
        batch=5000,
    )
    clink = Activity.contacts.through
    _bulk(
        clink,
        [clink(activity_id=activities[i].pk, contact_id=c.pk) for i, cs in attendees for c in cs],
        batch=5000,
    )
    builder.activity_list = activities
    builder.activity_people = {activities[i].pk: users for i, users in participants}
    builder.contexts = contexts
    builder.counts["activities"] = len(activities)
    builder.progress("activities", len(builder.deal_list), len(builder.deal_list))


def _deal_open_on(builder: Any, day: date) -> tuple[Any, str]:
    """A deal and its stage on ``day``, preferring deals that were open then."""
    deal, stage = builder.rng.choice(builder.deal_list), None
    for _ in range(6):
        stage = _stage_on(deal.path, day)
        if stage is not None and stage not in (Stage.WON, Stage.LOST):
            return deal, stage
        deal = builder.rng.choice(builder.deal_list)
    return deal, _stage_on(deal.path, day) or Stage.PROSPECTING


def _context(
    builder: Any, deal: Any, kind: str, stage: str, met: list[Contact], people: list[User | None]
) -> NoteContext:
    contact = met[0] if met else None
    author = next((p for p in people if p), None)
    return NoteContext(
        account=deal.obj.account.name if deal.obj.account else "the prospect",
        product=deal.product.name,
        competitor=deal.competitor,
        contact_name=contact.full_name if contact else "the customer",
        contact_title=contact.title if contact else "team lead",
        kind=kind,
        stage=stage,
        flavor=deal.obj.flavor,
        author_first_name=author.first_name if author else "the team",
    )


def _activity(
    builder: Any,
    kind: str,
    day: date,
    ctx: NoteContext,
    opp: Opportunity | None,
    account: Account | None,
) -> Activity:
    rng: random.Random = builder.rng
    start = _at(day, rng.choice([8, 9, 10, 11, 13, 14, 15, 16]), rng.choice([0, 0, 15, 30]))
    minutes = rng.choice(DURATIONS[kind])
    # Held once it ended; a meeting still running (or to come) is planned.
    if start + timedelta(minutes=minutes) <= builder.now:
        status = Activity.Status.CANCELLED if rng.random() < 0.03 else Activity.Status.HELD
    else:
        status = Activity.Status.PLANNED
    return Activity(
        kind=kind,
        subject=activity_subject(rng, ctx)[:255],
        starts_at=start,
        ends_at=start + timedelta(minutes=minutes),
        status=status,
        account=account,
        opportunity=opp,
        customer_facing=kind in CUSTOMER_FACING_KINDS,
        source=SOURCE,
        external_id=f"ACT-{next(builder.activity_ids):07d}",
        created_at=min(start - timedelta(days=rng.randint(1, 10)), builder.now),
    )


def write_notes(builder: Any) -> None:
    """Notes on about a quarter of the meetings held, and a closing note on each closed deal."""
    rng: random.Random = builder.rng
    notes: list[Note] = []
    held = [
        (a, ctx)
        for a, ctx in zip(builder.activity_list, builder.contexts, strict=True)
        if a.status == Activity.Status.HELD and ctx is not None
    ]
    for i, (activity, ctx) in enumerate(held):
        if rng.random() > 0.24:
            continue
        people = builder.activity_people.get(activity.pk) or []
        author = rng.choice(people) if people else None
        notes.append(
            Note(
                body=note_body(rng, ctx),
                author=author,
                activity=activity,
                opportunity=activity.opportunity,
                account=activity.account,
                created_at=min(
                    activity.ends_at + timedelta(minutes=rng.randint(5, 600)), builder.now
                ),
                source=SOURCE,
                external_id=f"NOTE-A{i:06d}",
            )
        )
        if i % 2000 == 0:
            builder.progress("notes", i, len(held))
    for deal in builder.deal_list:
        opp = deal.obj
        if opp.stage not in (Stage.WON, Stage.LOST) or opp.close_date is None:
            continue
        ctx = _context(builder, deal, "none", opp.stage, [], [opp.owner, *deal.ses])
        won = opp.stage == Stage.WON
        reason = win_reason(rng, ctx) if won else loss_reason(rng, ctx)
        # The account's other deals' plans show this note too: it names the deal it is about.
        about = opp.name.split(" – ", 1)[-1]
        closed_at = deal.path[-1][1]
        notes.append(
            Note(
                body=f"Why we {'won' if won else 'lost'} the {about} deal: {reason}",
                author=rng.choice([opp.owner, *deal.ses]),
                opportunity=opp,
                account=opp.account,
                created_at=min(closed_at + timedelta(minutes=rng.randint(30, 600)), builder.now),
                source=SOURCE,
                external_id=f"NOTE-D{opp.pk:06d}",
            )
        )
    _bulk(Note, notes)
    builder.counts["notes"] = len(notes)
    builder.progress("notes", len(held), len(held))
