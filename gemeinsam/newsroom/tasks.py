"""Background tasks of the newsroom: each takes ids (or nothing) and calls one service."""

from __future__ import annotations

from django_tasks import task

from gemeinsam.newsroom import channels, press, services


@task()
def publish_due_content_task() -> int:
    """Scheduled publishing and embargo lifts; run by the scheduler every few seconds."""
    return services.publish_due_content()


@task()
def build_press_kit_archive_task(page_id: int) -> str | None:
    """Build the ZIP of one press kit; enqueued by the download view when it is missing."""
    return press.build_press_kit_archive(page_id=page_id)


@task()
def pull_channel_task(channel_id: int) -> str:
    """Fetch one outside channel's feed and store its items; returns the channel's status."""
    return channels.pull_channel(channel_id=channel_id)


@task()
def pull_all_channels_task() -> int:
    """Fetch every active outside channel; run by the scheduler. Returns how many."""
    return channels.pull_all_channels()
