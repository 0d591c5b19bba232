"""The clock for periodic background work: django-tasks has none of its own.

Apps register jobs in ``AppConfig.ready()``; ``manage.py run_scheduler`` (one process, never
a web worker) enqueues each job when it is due. Jobs must be idempotent: a job whose last
run is still waiting or running is not enqueued again.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

logger = logging.getLogger(__name__)


@dataclass
class PeriodicJob:
    name: str
    task: Any
    every_seconds: float
    last_enqueued: float = field(default=0.0)


_jobs: dict[str, PeriodicJob] = {}


def register_periodic_job(name: str, task: Any, *, every_seconds: float) -> None:
    _jobs[name] = PeriodicJob(name=name, task=task, every_seconds=every_seconds)


def registered_jobs() -> list[PeriodicJob]:
    return list(_jobs.values())


def _is_pending(job: PeriodicJob) -> bool:
    """Whether an earlier run of this job is still waiting or running in the database queue."""
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # another backend: it keeps no queue we could look at
        return False
    return DBTaskResult.objects.filter(
        task_path=job.task.module_path, status__in=["READY", "RUNNING"]
    ).exists()


def run_due_jobs(*, now: float | None = None) -> list[str]:
    """Enqueue every job whose interval has passed; returns the names enqueued."""
    now = time.monotonic() if now is None else now
    enqueued = []
    for job in _jobs.values():
        if job.last_enqueued and now - job.last_enqueued < job.every_seconds:
            continue
        job.last_enqueued = now
        if _is_pending(job):
            continue
        job.task.enqueue()
        enqueued.append(job.name)
    return enqueued
