"""Background tasks of the newsroom: each takes ids (or nothing) and calls one service."""

from __future__ import annotations

from django_tasks import task

from gemeinsam.newsroom import press, services


@task()
def publish_due_content_task() -> int:
    """Scheduled publishing and embargo lifts; run by the scheduler every few seconds."""
    return services.publish_due_content()


@task()
def build_press_kit_archive_task(page_id: int) -> str | None:
    """Build the ZIP of one press kit; enqueued by the download view when it is missing."""
    return press.build_press_kit_archive(page_id=page_id)
