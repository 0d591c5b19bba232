"""Background tasks of the community: each calls one service."""

from __future__ import annotations

from django_tasks import task

from gemeinsam.community import digest, mentions


@task()
def send_due_digests_task() -> int:
    """Notification digests for the members who asked; run hourly by the scheduler."""
    return digest.send_due_digests()


@task()
def send_mention_mail_task(notification_id: int) -> bool:
    """The e-mail about one "mentioned you" notification, if the member wants it."""
    return mentions.send_mention_mail(notification_id=notification_id)
