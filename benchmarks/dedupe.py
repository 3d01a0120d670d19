"""The duplicate finder at 10k, 100k and 1M accounts with 5% duplicates, end to end.

Each size runs in its own process on a fresh SQLite database (so its peak memory is its own):
synthetic companies (``presales.intelligence.synthetic``: other legal suffixes, case, typos,
web addresses and phones written another way, empty fields) are written to the accounts,
domains and addresses tables in bulk, then ``dedupe.find_duplicates`` runs exactly as the job
does: the accounts are read into DuckDB and normalised there, u is learned by random sampling
and m by expectation maximisation on the blocking rules, the blocked pairs are scored, the
likely ones clustered and stored in the review queue.

Printed per size: the seconds of the whole run and of each phase, accounts per second, peak
memory (resident set of the process, data generation included), pairwise precision, recall and
F1 against the known duplicates, and the ratio to a baseline measured in the same process:
grouping the same accounts by their exact stored name, lower-cased (what CRMs that match on
the exact name do), with that baseline's recall.

    python benchmarks/dedupe.py [--sizes 10000,100000,1000000]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from typing import Any


def _write_accounts(size: int) -> dict[int, int]:
    """Write ``size`` synthetic accounts (ids 1..size) with their domains and addresses in
    bulk; return each account's true entity."""
    from django.db import transaction
    from django.utils import timezone

    from presales.accounts.models import Account, AccountDomain
    from presales.imports.services.sql import insert_rows
    from presales.intelligence import synthetic
    from presales.intelligence.models import AccountAddress

    def insert(model: Any, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
        insert_rows(model._meta.db_table, columns, rows)

    now = timezone.now()
    entity: dict[int, int] = {}
    accounts, domains, addresses = [], [], []
    originals = size - int(size * 0.05)
    with transaction.atomic():
        for pk, fields, of in synthetic.accounts(size, duplicates=0.05, seed=11):
            entity[pk] = of
            copy = pk > originals
            source, external = ("hubspot", str(pk)) if copy else ("salesforce", f"001{pk:012d}")
            accounts.append(
                (pk, source, external, now, now, fields["name"], "", "", fields["country"])
            )
            if not copy and fields["domain"]:
                domains.append((pk, pk, fields["domain"].removeprefix("https://www.")))
            addresses.append(
                (
                    pk,
                    pk,
                    fields["street"],
                    fields["postal_code"],
                    fields["city"],
                    fields["phone"],
                    fields["domain"],
                )
            )
            if len(accounts) >= 50_000:
                insert(Account, ["id", "source", "external_id", "created_at", "updated_at",
                                 "name", "sector", "size", "country"], accounts)  # fmt: skip
                accounts.clear()
        insert(Account, ["id", "source", "external_id", "created_at", "updated_at", "name",
                         "sector", "size", "country"], accounts)  # fmt: skip
        insert(AccountDomain, ["id", "account_id", "domain"], domains)
        insert(AccountAddress, ["id", "account_id", "street", "postal_code", "city", "phone",
                                "website"], addresses)  # fmt: skip
    return entity


def _pairs_of(groups: dict[Any, list[int]]) -> set[tuple[int, int]]:
    return {p for members in groups.values() for p in itertools.combinations(sorted(members), 2)}


def one(size: int) -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "presales.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db.models.functions import Lower, Trim

    from presales.accounts.models import Account
    from presales.intelligence.dedupe import find_duplicates

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    entity = _write_accounts(size)
    written = time.perf_counter() - started

    base_start = time.perf_counter()
    by_name: dict[str, list[int]] = defaultdict(list)
    for key, pk in (
        Account.objects.order_by()
        .annotate(key=Lower(Trim("name")))
        .values_list("key", "pk")
        .iterator(chunk_size=50_000)
    ):
        by_name[key].append(pk)
    baseline = time.perf_counter() - base_start

    run_start = time.perf_counter()
    outcome = find_duplicates("account", threshold=0.9)
    seconds = time.perf_counter() - run_start
    result = outcome.result

    groups: dict[int, list[int]] = defaultdict(list)
    for pk, of in entity.items():
        groups[of].append(pk)
    truth = _pairs_of(groups)
    found = {(p.left, p.right) for p in result.pairs if p.probability >= 0.9}
    hits = len(found & truth)
    precision = hits / len(found) if found else 0.0
    recall = hits / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
    exact_recall = len(_pairs_of(by_name) & truth) / len(truth) if truth else 0.0
    return {
        "records": size,
        "write_s": round(written, 1),
        "seconds": round(seconds, 2),
        "phases": {k: round(v, 2) for k, v in result.timings.items()},
        "records_per_s": round(size / seconds),
        "peak_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "stored": outcome.run.pairs,
        "clusters": outcome.run.clusters,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "ratio_to_baseline": round(seconds / baseline, 1) if baseline else None,
        "baseline_exact_name_recall": round(exact_recall, 4),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--one", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one)))
        return 0
    src = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src")
    print(
        f"{'accounts':>9} {'seconds':>8} {'acc/s':>7} {'peak MiB':>9} {'P':>6} {'R':>6} "
        f"{'F1':>6} {'x exact-name':>13} {'exact-name R':>13}   seconds per phase"
    )
    for size in (int(s) for s in args.sizes.split(",") if s.strip()):
        with tempfile.TemporaryDirectory() as home:
            env = {k: v for k, v in os.environ.items() if not k.startswith("PRESALES_")}
            env["PRESALES_HOME"] = home
            env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
            done = subprocess.run(
                [sys.executable, __file__, "--one", str(size)],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
        if done.returncode:
            print(f"{size:>9} failed: {done.stderr.strip().splitlines()[-1:]}")
            continue
        r = json.loads(done.stdout.strip().splitlines()[-1])
        phases = ", ".join(f"{k} {v}" for k, v in r["phases"].items())
        print(
            f"{r['records']:>9,} {r['seconds']:>8} {r['records_per_s']:>7,} {r['peak_mib']:>9} "
            f"{r['precision']:>6} {r['recall']:>6} {r['f1']:>6} {r['ratio_to_baseline']:>13} "
            f"{r['baseline_exact_name_recall']:>13}   {phases}"
        )
        sys.stdout.flush()
    print(
        "seconds: the whole find_duplicates run (read, normalise, train, score, cluster, store); "
        "x exact-name: that time over grouping by the exact lower-cased name, measured in the "
        "same process; P/R/F1: pairwise, at probability 0.9, against the known duplicates."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
