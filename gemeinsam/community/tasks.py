"""Background tasks of the community: each calls one service."""

from __future__ import annotations

from django_tasks import task

from gemeinsam.community import digest


@task()
def send_due_digests_task() -> int:
    """Notification digests for the members who asked; run hourly by the scheduler."""
    return digest.send_due_digests()
