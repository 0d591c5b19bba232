"""A periodic job for the worker fault tests: its first run blocks until the worker is
killed, every later run finishes at once."""

from __future__ import annotations

import os
import time
from pathlib import Path

from django.conf import settings
from django_tasks import task

from gemeinsam.core import scheduler


def runs_dir() -> Path:
    path = Path(settings.DATA_DIR) / "fault-runs"
    path.mkdir(parents=True, exist_ok=True)
    return path


@task()
def block_first_run() -> str:
    """The first run blocks (for the test to kill its worker); later runs return "done"."""
    first = runs_dir() / "first-started"
    if first.exists():
        (runs_dir() / "later-run-done").write_text(str(os.getpid()))
        return "done"
    first.write_text(str(os.getpid()))
    time.sleep(600)
    return "unreachable"


def tick(lease_seconds: float) -> list[str]:
    """One scheduler tick with only this job registered; returns the names enqueued."""
    scheduler._jobs.clear()
    scheduler.register_periodic_job(
        "blocking-test-job", block_first_run, every_seconds=1, lease_seconds=lease_seconds
    )
    return scheduler.run_due_jobs()


def create_queue() -> None:
    """Create the task table in a fresh database (the rest of the schema is not needed)."""
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    with connection.schema_editor() as editor:
        editor.create_model(DBTaskResult)


def tick_until_enqueued(lease_seconds: float, timeout: float) -> list[str]:
    """Tick like the scheduler (every 0.2 s) until the job is enqueued or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while True:
        enqueued = tick(lease_seconds)
        if enqueued or time.monotonic() > deadline:
            return enqueued
        time.sleep(0.2)


def statuses() -> list[str]:
    from django_tasks_db.models import DBTaskResult

    rows = DBTaskResult.objects.filter(task_path=block_first_run.module_path)
    return [f"{row.status} {row.exception_class_path}" for row in rows.order_by("enqueued_at")]
