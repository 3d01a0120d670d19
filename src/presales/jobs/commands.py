"""`presales worker`: run background jobs."""

from __future__ import annotations

import argparse
import logging
import sys

from presales.core.commandline import CommandGroup, arg

commands = CommandGroup("Background jobs")


@commands.command(
    "worker",
    "Run background jobs (imports, indexing, scheduled refreshes) until SIGTERM",
    arg("--interval", type=float, default=1.0, help="Seconds between looks at an empty queue"),
    arg("--batch", action="store_true", help="Run what is queued, then stop"),
    arg("--max-jobs", type=int, default=None, help="Stop after N jobs"),
    arg("--queue", default="default", help="Queue to take jobs from"),
)
def worker(args: argparse.Namespace) -> int:
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
