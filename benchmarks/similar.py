"""Similar deals (``GET /api/opportunities/{id}/similar``): the former computation against the
current one, on the same data in the same run.

On a fresh SQLite database: accounts in five teams, ``--deals`` closed deals (won and lost)
with ``--notes`` notes spread over them, and one open deal with a few notes. The first
``--encode`` notes are encoded by the model; the others borrow the vector of an encoded note
of the same opening plus noise (as ``benchmarks/search.py --latency-texts`` does: the cost does
not depend on the values). Then, for an administrator and for a sales engineer (who sees one
team of five), the open deal's similar deals are asked for ``--repeat`` times by the former
computation (every candidate text loaded as a row, the visible texts filtered by the
permission query) and by the current one (ids only, vectors read from the shared index, only
the texts shown loaded): p50/p95 in milliseconds and the ratio former/current. Both must name
the same deals.

    python benchmarks/similar.py [--notes 20000] [--deals 600] [--repeat 10]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from typing import Any

import search  # the benchmark beside this one: note bodies, setup, borrowed vectors


def former_similar_deals(*, actor: Any, opportunity: Any, limit: int = 5) -> list[int]:
    """The computation before the shared index was used (meaning path), kept to measure."""
    import numpy as np

    from presales.deals.access import opportunities_for
    from presales.deals.models import CLOSED_STAGES
    from presales.texts import vectors
    from presales.texts.access import texts_for

    visible = texts_for(actor)
    own = list(visible.filter(opportunity=opportunity))
    found = vectors.vectors_for([t.pk for t in own])
    own_points = np.vstack([found[t.pk] for t in own if t.pk in found])
    closed = opportunities_for(actor).filter(stage__in=CLOSED_STAGES).exclude(pk=opportunity.pk)
    closed = closed.exclude(account_id=opportunity.account_id)
    theirs = list(
        visible.filter(opportunity__in=closed.values("pk")).order_by("-written_at")[:20000]
    )
    stored = vectors.vectors_for([t.pk for t in theirs])
    kept = [t for t in theirs if t.pk in stored]
    points = np.vstack([stored[t.pk] for t in kept])
    centre = own_points.mean(axis=0)
    centre /= np.linalg.norm(centre)
    groups: dict[int, list[int]] = {}
    for i, text in enumerate(kept):
        groups.setdefault(text.opportunity_id, []).append(i)
    scored = []
    for deal_id, index in groups.items():
        theirs_centre = points[index].mean(axis=0)
        scored.append((float(centre @ (theirs_centre / np.linalg.norm(theirs_centre))), deal_id))
        pairs = own_points @ points[index].T
        np.unravel_index(int(np.argmax(pairs)), pairs.shape)
    scored.sort(key=lambda s: (-s[0], s[1]))
    return [deal for _, deal in scored[:limit]]


def build(notes: int, deals: int, encode: int, rng: random.Random) -> tuple[Any, Any, Any]:
    from presales.accounts.models import Account
    from presales.deals.models import Opportunity, Stage
    from presales.notes.models import Note
    from presales.people.models import Region, Role, Team, User
    from presales.texts.models import Text
    from presales.texts.services import index_texts
    from presales.texts.services.indexing import encode_texts

    region = Region.objects.create(name="Bench")
    teams = [Team.objects.create(name=f"Team {i}", region=region) for i in range(5)]
    admin = User.objects.create(username="bench-admin", role=Role.ADMIN, is_superuser=True)
    se = User.objects.create(username="bench-se", role=Role.SE, team=teams[0])
    accounts = [Account.objects.create(name=f"Account {i}", team=teams[i % 5]) for i in range(100)]
    closed = [
        Opportunity.objects.create(
            name=f"Deal {i}",
            account=accounts[i % len(accounts)],
            team=accounts[i % len(accounts)].team,
            stage=Stage.WON if i % 2 else Stage.LOST,
        )
        for i in range(deals)
    ]
    current = Opportunity.objects.create(
        name="Open deal", account=accounts[0], team=teams[0], stage=Stage.DISCOVERY
    )
    batch = [
        Note(body=search.note_body(rng), account=d.account, opportunity=d, author=admin)
        for d in (closed[i % len(closed)] for i in range(notes))
    ]
    batch += [
        Note(body=search.note_body(rng), account=current.account, opportunity=current, author=se)
        for _ in range(6)
    ]
    Note.objects.bulk_create(batch, batch_size=5000)
    index_texts(meaning=False)
    first = list(Text.objects.order_by("pk").values_list("pk", flat=True)[:encode])
    own = list(Text.objects.filter(opportunity=current).values_list("pk", flat=True))
    encode_texts(text_ids=first + own)
    search.borrow_vectors()
    return admin, se, current


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=20_000)
    parser.add_argument("--deals", type=int, default=600)
    parser.add_argument("--encode", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    search.setup("")
    from presales.texts import embedding, vectors
    from presales.texts.services import similar_deals

    if not embedding.available():
        print("The meaning extra is not installed: pip install 'presales[meaning]'")
        return 2
    started = time.perf_counter()
    admin, se, current = build(args.notes, args.deals, args.encode, random.Random(3))
    print(
        f"{args.notes:,} notes on {args.deals} closed deals, first {args.encode:,} encoded, "
        f"built in {time.perf_counter() - started:.0f} s"
    )
    vectors.matrix()
    print(f"\n  {'':26} {'p50 ms':>8} {'p95 ms':>8}")
    for name, user in (("admin", admin), ("SE", se)):
        timings: dict[str, list[float]] = {"former": [], "now": []}
        for _ in range(args.repeat):
            t = time.perf_counter()
            before = former_similar_deals(actor=user, opportunity=current)
            timings["former"].append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            now = similar_deals(actor=user, opportunity=current)
            timings["now"].append((time.perf_counter() - t) * 1000)
            assert [d.opportunity.pk for d in now.deals] == before, (name, before)
        for which, times in timings.items():
            p50, p95 = search.percentile(times, 0.5), search.percentile(times, 0.95)
            print(f"  {name + ' ' + which:<26} {p50:8.1f} {p95:8.1f}")
        ratio = statistics.median(timings["former"]) / statistics.median(timings["now"])
        print(f"  {name} former/now p50 ratio  {ratio:8.1f}x   (goal: now p50 <= 200 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
