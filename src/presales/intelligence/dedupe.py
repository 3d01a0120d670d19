"""Find duplicate accounts or contacts over the whole base and keep the candidates for review.

``find_duplicates`` reads every record, scores candidate pairs (``linkage``), stores a run with
its pairs (reasons included) and clusters, and merges automatically the pairs at or above
``PRESALES_AUTO_MERGE_PROBABILITY`` when that setting is on (it is off by default).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction

from presales.accounts.models import Account, Contact
from presales.intelligence import loading, specs
from presales.intelligence.linkage import Progress, Result, link
from presales.intelligence.models import DedupeRun, DuplicatePair, Kind

DEFAULT_THRESHOLD = 0.9


def score(kind: str, *, threshold: float, progress: Progress | None = None) -> Result:
    """Read every record of ``kind`` into DuckDB, normalise it there and link it."""
    if kind not in (Kind.ACCOUNT, Kind.CONTACT):
        raise ValueError(f"Unknown kind {kind!r}: accounts or contacts.")
    if progress:
        progress("Reading the records", 0, 1)
    started = time.perf_counter()
    connection = loading.connect()
    try:
        if kind == Kind.ACCOUNT:
            table, model = loading.load_accounts(connection), specs.account_model()
        else:
            table, model = loading.load_contacts(connection), specs.contact_model()
        loaded = time.perf_counter() - started
        result = link([table], model, threshold=threshold, progress=progress, connection=connection)
    finally:
        connection.close()
    result.timings = {"loading and normalising": loaded, **result.timings}
    return result


def auto_merge_probability() -> float | None:
    value = getattr(settings, "PRESALES_AUTO_MERGE_PROBABILITY", None)
    return float(value) if value not in (None, "") else None


@dataclass
class Outcome:
    run: DedupeRun
    result: Result


def find_duplicates(
    kind: str,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    user: Any = None,
    progress: Progress | None = None,
    store: bool = True,
) -> Outcome:
    if not 0 < threshold < 1:
        raise ValueError("The threshold is a probability between 0 and 1, such as 0.9.")
    started = time.monotonic()
    result = score(kind, threshold=threshold, progress=progress)
    model = Account if kind == Kind.ACCOUNT else Contact
    run = DedupeRun(
        kind=kind,
        threshold=threshold,
        records=model.objects.count(),
        pairs=sum(1 for p in result.pairs if p.probability >= threshold),
        clusters=sum(1 for c in result.clusters if len(c) > 1),
        trained=result.trained,
        started_by=user if user is not None and getattr(user, "is_authenticated", False) else None,
    )
    if not store:
        return Outcome(run, result)
    writing = time.perf_counter()
    cluster_of = {m: n for n, members in enumerate(result.clusters, 1) for m in members}
    decided = {
        (a, b): status
        for a, b, status in DuplicatePair.objects.filter(kind=kind)
        .exclude(status=DuplicatePair.Status.OPEN)
        .values_list("left_id", "right_id", "status")
    }
    with transaction.atomic():
        run.save()
        # The open queue is replaced by this run; decisions already taken are kept.
        DuplicatePair.objects.filter(kind=kind, status=DuplicatePair.Status.OPEN).delete()
        DuplicatePair.objects.bulk_create(
            [
                DuplicatePair(
                    run=run,
                    kind=kind,
                    left_id=p.left,
                    right_id=p.right,
                    probability=p.probability,
                    match_weight=p.weight,
                    reasons=[r.as_dict() for r in p.reasons],
                    cluster=cluster_of.get(p.left),
                )
                for p in result.pairs
                if p.probability >= min(threshold, 0.5) and (p.left, p.right) not in decided
            ],
            batch_size=2000,
        )
    result.timings["storing pairs"] = time.perf_counter() - writing
    automatic = auto_merge_probability()
    if automatic is not None:
        run.merged_automatically = _merge_automatically(kind, automatic)
    run.seconds = round(time.monotonic() - started, 2)
    run.save(update_fields=["seconds", "merged_automatically"])
    return Outcome(run, result)


def _merge_automatically(kind: str, probability: float) -> int:
    """Merge open pairs at or above ``probability``: the lower id survives."""
    from presales.intelligence.merging import MergeError, merge

    done = 0
    for pair in DuplicatePair.objects.filter(
        kind=kind, status=DuplicatePair.Status.OPEN, probability__gte=probability
    ).order_by("-probability"):
        pair.refresh_from_db()
        if pair.status != DuplicatePair.Status.OPEN:
            continue
        try:
            merge(kind, pair.left_id, [pair.right_id], automatic=True, check=False)
        except MergeError:
            continue
        done += 1
    return done


def clusters_json(kind: str, result: Result) -> dict[str, Any]:
    """The ``presales dedupe --json`` contract: each record in one cluster at most."""
    model = Account if kind == Kind.ACCOUNT else Contact
    members = [m for c in result.clusters for m in c]
    objects = model.objects.in_bulk(members)
    out = []
    for cluster, probability in zip(result.clusters, result.cluster_probabilities(), strict=True):
        if len(cluster) < 2:
            continue
        out.append(
            {
                "probability": round(probability, 4),
                "members": [
                    {
                        "id": pk,
                        "source": objects[pk].source,
                        "external_id": objects[pk].external_id,
                        "name": str(objects[pk]),
                    }
                    for pk in cluster
                    if pk in objects
                ],
            }
        )
    out.sort(key=lambda c: -float(c["probability"]))  # type: ignore[arg-type]
    return {"clusters": out}
