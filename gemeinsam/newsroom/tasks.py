"""Background tasks of the newsroom: each takes ids (or nothing) and calls one service."""

from __future__ import annotations

from django_tasks import task

from gemeinsam.newsroom import services


@task()
def publish_due_content_task() -> int:
    """Scheduled publishing and embargo lifts; run by the scheduler every few seconds."""
    return services.publish_due_content()
