"""Background tasks of the accounts: account mail leaves the request that asked for it."""

from __future__ import annotations

import logging
import smtplib
import uuid
from datetime import timedelta
from typing import Any

from django.utils import timezone
from django_tasks import task

from gemeinsam.accounts.mail import OutgoingMail, deliver_mail

logger = logging.getLogger(__name__)

# Tries of one account mail; the waits between them grow: 1, 4, 16, 64 minutes.
MAX_ATTEMPTS = 5
# What sending raises when the mail server refuses, fails or cannot be reached.
MAIL_SERVER_ERRORS = (smtplib.SMTPException, OSError)


def retry_delay(attempt: int) -> timedelta:
    return timedelta(minutes=4 ** (attempt - 1))


@task()
def send_account_mail_task(
    *,
    subject: str,
    body: str,
    from_email: str,
    to: list[str],
    html: str = "",
    headers: dict[str, str] | None = None,
    attempt: int = 1,
    delivery_id: str = "",
) -> None:
    """Send one rendered account mail (confirmation, password reset, notice).

    When the mail server fails or cannot be reached, the mail is enqueued again for later,
    up to ``MAX_ATTEMPTS`` tries, if the task backend can run tasks later; this try still
    ends as failed, so the task log shows the outage.

    Side effect: once this try is over, sent or not, the mail is wiped from this try's stored
    task arguments (found by ``delivery_id``), so no confirmation or password-reset link
    outlives its delivery in the task table; only a queued retry still holds it.
    """
    mail = OutgoingMail(
        subject=subject, body=body, from_email=from_email, to=to, html=html, headers=headers
    )
    try:
        deliver_mail(mail=mail)
    except MAIL_SERVER_ERRORS:
        retry_later(
            send_account_mail_task,
            attempt=attempt,
            **mail.as_kwargs(),
            delivery_id=new_delivery_id(),
        )
        raise
    finally:
        forget_delivery(delivery_id)


def retry_later(mail_task: Any, *, attempt: int, **kwargs: Any) -> bool:
    """Enqueue ``mail_task`` again with ``kwargs`` after the wait for this ``attempt``, up
    to ``MAX_ATTEMPTS`` tries, if the task backend can run tasks later; True if it did."""
    backend: Any = mail_task.get_backend()
    if attempt >= MAX_ATTEMPTS or not backend.supports_defer:
        return False
    later = mail_task.using(run_after=timezone.now() + retry_delay(attempt))
    later.enqueue(**kwargs, attempt=attempt + 1)
    logger.warning("A mail could not be sent (try %d); will retry.", attempt)
    return True


def new_delivery_id() -> str:
    return uuid.uuid4().hex


def forget_delivery(delivery_id: str) -> None:
    """Blank the stored arguments of the task run that carried ``delivery_id``."""
    if not delivery_id:
        return
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(args_kwargs__kwargs__delivery_id=delivery_id).update(
        args_kwargs={"args": [], "kwargs": {"delivery_id": delivery_id}}
    )


@task()
def process_avatar_task(*, profile_id: int, pending_name: str) -> str:
    """Turn a member's pending avatar upload into their avatar (decoding happens here, off
    the request); enqueued when the profile form saves a new picture."""
    from gemeinsam.accounts.services import process_avatar

    return process_avatar(profile_id=profile_id, pending_name=pending_name)
