"""Background tasks of the community: each calls one service."""

from __future__ import annotations

from django_tasks import task

from gemeinsam.accounts.tasks import MAIL_SERVER_ERRORS, retry_later
from gemeinsam.community import digest, mentions


@task()
def send_due_digests_task() -> int:
    """Notification digests for the members who asked; run hourly by the scheduler."""
    return digest.send_due_digests()


@task()
def send_mention_mail_task(notification_id: int, attempt: int = 1) -> bool:
    """The e-mail about one "mentioned you" notification, if the member wants it. While the
    mail server cannot be reached it is tried again later, like account mail."""
    try:
        return mentions.send_mention_mail(notification_id=notification_id)
    except MAIL_SERVER_ERRORS:
        retry_later(send_mention_mail_task, attempt=attempt, notification_id=notification_id)
        raise
