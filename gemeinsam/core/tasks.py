"""Background tasks of the core: each takes ids (or nothing) and calls one service."""

from __future__ import annotations

from django_tasks import task

from gemeinsam.core import privacy


@task()
def purge_due_deletions_task() -> int:
    """Delete the accounts whose grace period has ended; run hourly by the scheduler."""
    return privacy.purge_due_deletions()
