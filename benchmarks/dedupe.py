"""The duplicate finder at 10k, 100k and 1M accounts with 5% duplicates, end to end.

Each size gets a fresh SQLite database. One process writes the synthetic companies
(``presales.intelligence.synthetic``: other legal suffixes, case, typos, web addresses and
phones written another way, empty fields) to the accounts, domains and addresses tables in
bulk; another runs ``dedupe.find_duplicates`` exactly as the job does, so its peak memory is
the finder's own: the accounts are read into DuckDB and normalised there, u is learned by
random sampling and m by expectation maximisation on the blocking rules, the blocked pairs are
scored, the likely ones clustered and stored in the review queue.

Printed per size: the seconds of the whole run and of each phase, accounts per second, peak
memory (resident set of the finder's process), pairwise precision, recall and F1 against the
known duplicates, and the ratio to a baseline measured in the same process: grouping the same
accounts by their exact stored name, lower-cased (what CRMs that match on the exact name do),
with that baseline's recall.

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

ACCOUNT = ["id", "source", "external_id", "created_at", "updated_at", "name", "sector", "size",
           "country"]  # fmt: skip
ADDRESS = ["id", "account_id", "street", "postal_code", "city", "phone", "website"]


def write(size: int, home: str) -> dict[str, Any]:
    """Write ``size`` synthetic accounts (ids 1..size) with their domains and addresses in
    bulk, and each account's true entity to ``truth.json`` in ``home``."""
    _django()
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from presales.accounts.models import Account, AccountDomain
    from presales.imports.services.sql import insert_rows
    from presales.intelligence import synthetic
    from presales.intelligence.models import AccountAddress

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    now = timezone.now()
    entity: list[int] = []
    accounts: list[tuple[Any, ...]] = []
    domains: list[tuple[Any, ...]] = []
    addresses: list[tuple[Any, ...]] = []

    def flush() -> None:
        insert_rows(Account._meta.db_table, ACCOUNT, accounts)
        insert_rows(AccountDomain._meta.db_table, ["id", "account_id", "domain"], domains)
        insert_rows(AccountAddress._meta.db_table, ADDRESS, addresses)
        for rows in (accounts, domains, addresses):
            rows.clear()

    originals = size - int(size * 0.05)
    with transaction.atomic():
        for pk, fields, of in synthetic.accounts(size, duplicates=0.05, seed=11):
            entity.append(of)
            copy = pk > originals
            source, external = ("hubspot", str(pk)) if copy else ("salesforce", f"001{pk:012d}")
            accounts.append(
                (pk, source, external, now, now, fields["name"], "", "", fields["country"])
            )
            if not copy and fields["domain"]:
                domains.append((pk, pk, fields["domain"].removeprefix("https://www.")))
            addresses.append(
                (pk, pk, fields["street"], fields["postal_code"], fields["city"],
                 fields["phone"], fields["domain"])
            )  # fmt: skip
            if len(accounts) >= 50_000:
                flush()
        flush()
    with open(os.path.join(home, "truth.json"), "w") as out:
        json.dump(entity, out)
    return {"write_s": round(time.perf_counter() - started, 1)}


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "presales.settings")
    import django

    django.setup()


def _pairs_of(groups: dict[Any, list[int]]) -> set[tuple[int, int]]:
    return {p for members in groups.values() for p in itertools.combinations(sorted(members), 2)}


def find(size: int, home: str) -> dict[str, Any]:
    """Run the finder as the job does, in a process of its own (its peak memory is the
    finder's), and score its pairs against the truth."""
    _django()
    from django.db.models.functions import Lower, Trim

    from presales.accounts.models import Account
    from presales.intelligence.dedupe import find_duplicates

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
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = outcome.result

    with open(os.path.join(home, "truth.json")) as given:
        entity = json.load(given)
    groups: dict[int, list[int]] = defaultdict(list)
    for pk, of in enumerate(entity, 1):
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
        "seconds": round(seconds, 2),
        "phases": {k: round(v, 2) for k, v in result.timings.items()},
        "records_per_s": round(size / seconds),
        "peak_mib": round(peak),
        "stored": outcome.run.pairs,
        "clusters": outcome.run.clusters,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "ratio_to_baseline": round(seconds / baseline, 1) if baseline else None,
        "baseline_exact_name_recall": round(exact_recall, 4),
    }


def _step(step: str, size: int, env: dict[str, str]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, f"--{step}", str(size)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"{step} failed: {done.stderr.strip().splitlines()[-1:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--write", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--find", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.write or args.find:
        home = os.environ["PRESALES_HOME"]
        print(json.dumps(write(args.write, home) if args.write else find(args.find, home)))
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
            try:
                written = _step("write", size, env)
                r = _step("find", size, env)
            except RuntimeError as failed:
                print(f"{size:>9,} {failed}")
                continue
        phases = ", ".join(f"{k} {v}" for k, v in r["phases"].items())
        print(
            f"{r['records']:>9,} {r['seconds']:>8} {r['records_per_s']:>7,} {r['peak_mib']:>9} "
            f"{r['precision']:>6} {r['recall']:>6} {r['f1']:>6} {r['ratio_to_baseline']:>13} "
            f"{r['baseline_exact_name_recall']:>13}   {phases} "
            f"(writing the synthetic accounts took {written['write_s']} s)"
        )
        sys.stdout.flush()
    print(
        "seconds: the whole find_duplicates run (read, normalise, train, score, cluster, store),"
        " in a process of its own; peak MiB: that process's resident set; x exact-name: that"
        " time over grouping by the exact lower-cased name, measured in the same process;"
        " P/R/F1: pairwise, at probability 0.9, against the known duplicates."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
