"""Run the scheduler: enqueue periodic jobs when due, until interrupted."""

from __future__ import annotations

import logging
import signal
import time
from typing import Any

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from gemeinsam.core.scheduler import registered_jobs, run_due_jobs

logger = logging.getLogger("gemeinsam.scheduler")


class Command(BaseCommand):
    help = "Enqueue periodic background jobs (publishing, embargo lifts, feed pulls) on time."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--tick", type=float, default=2.0, help="Seconds between checks.")
        parser.add_argument("--once", action="store_true", help="Enqueue what is due and exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        stopping = False

        def stop(signum: int, frame: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        names = ", ".join(
            f"{job.name} every {job.every_seconds:g} s (lease {job.lease_seconds:g} s)"
            for job in registered_jobs()
        )
        logger.info("Scheduler started: %s", names or "no jobs")
        while not stopping:
            close_old_connections()
            try:
                for name in run_due_jobs():
                    logger.debug("Enqueued %s", name)
            except Exception:  # a database hiccup must not stop the clock
                logger.exception("Could not enqueue periodic jobs; trying again.")
            if options["once"]:
                break
            time.sleep(options["tick"])
        logger.info("Scheduler stopped.")
