"""`presales worker`: run background jobs."""

from __future__ import annotations

import argparse
import logging
import sys


def cmd_worker(args: argparse.Namespace) -> int:
    from presales.jobs.worker import Worker

    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(message)s"
    )
    worker = Worker(
        interval=args.interval, batch=args.batch, max_jobs=args.max_jobs, queue=args.queue
    )
    worker.install_signals()
    ran = worker.run()
    print(f"Worker stopped after {ran} job(s).", file=sys.stderr)
    return 0


def add_worker_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--interval", type=float, default=1.0, help="Seconds between looks at an empty queue"
    )
    parser.add_argument("--batch", action="store_true", help="Run what is queued, then stop")
    parser.add_argument("--max-jobs", type=int, default=None, help="Stop after N jobs")
    parser.add_argument("--queue", default="default", help="Queue to take jobs from")
