"""The duplicate finder at 10k, 100k and 1M accounts with 5% duplicates.

Each size runs in its own process (so its peak memory is its own): synthetic companies
(``presales.intelligence.synthetic``: other legal suffixes, case, typos, web addresses and
phones written another way, empty fields), normalised into the account frame, then the same
``linkage.link`` the product runs: u by random sampling, m by expectation maximisation on the
blocking rules, scoring of the blocked pairs and clustering. Printed per size: records per
second, seconds, peak memory (resident set), pairs and clusters, pairwise precision, recall
and F1 against the known duplicates, and the ratio to a baseline measured in the same process:
grouping the same records by their exact normalised name (what CRMs that match on the exact
name do).

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
import time
from collections import defaultdict
from typing import Any


def one(size: int) -> dict[str, Any]:
    from presales.intelligence import specs, synthetic
    from presales.intelligence.linkage import link

    started = time.perf_counter()
    records = list(synthetic.accounts(size, duplicates=0.05, seed=11))
    frame = specs.frame(
        (specs.account_row(i, **fields) for i, fields, _ in records), specs.ACCOUNT_COLUMNS
    )
    prepared = time.perf_counter() - started

    base_start = time.perf_counter()
    by_name: dict[str, list[int]] = defaultdict(list)
    for pk, name in zip(frame["unique_id"], frame["name"], strict=True):
        by_name[name].append(pk)
    baseline = time.perf_counter() - base_start

    link_start = time.perf_counter()
    result = link([frame], specs.account_model(), threshold=0.9)
    linked = time.perf_counter() - link_start

    groups: dict[int, list[int]] = defaultdict(list)
    for pk, _, entity in records:
        groups[entity].append(pk)
    truth = {
        pair for members in groups.values() for pair in itertools.combinations(sorted(members), 2)
    }
    found = {(p.left, p.right) for p in result.pairs if p.probability >= 0.9}
    hits = len(found & truth)
    precision = hits / len(found) if found else 0.0
    recall = hits / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
    exact = {pair for m in by_name.values() for pair in itertools.combinations(sorted(m), 2)}
    exact_recall = len(exact & truth) / len(truth) if truth else 0.0
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "records": size,
        "prepare_s": round(prepared, 2),
        "link_s": round(linked, 2),
        "records_per_s": round(size / linked),
        "peak_mib": round(peak_kib / 1024),
        "pairs": len(found),
        "clusters": sum(1 for c in result.clusters if len(c) > 1),
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "baseline_exact_name_s": round(baseline, 3),
        "ratio_to_baseline": round(linked / baseline, 1) if baseline else None,
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
    env = dict(os.environ)
    src = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src")
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    print(
        f"{'records':>9} {'link s':>8} {'rec/s':>8} {'peak MiB':>9} {'P':>6} {'R':>6} "
        f"{'F1':>6} {'x exact-name':>13} {'exact-name R':>13}"
    )
    for size in (int(s) for s in args.sizes.split(",") if s.strip()):
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
        print(
            f"{r['records']:>9,} {r['link_s']:>8} {r['records_per_s']:>8,} {r['peak_mib']:>9} "
            f"{r['precision']:>6} {r['recall']:>6} {r['f1']:>6} {r['ratio_to_baseline']:>13} "
            f"{r['baseline_exact_name_recall']:>13}"
        )
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
