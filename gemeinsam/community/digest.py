"""The opt-in notification digest: at most one mail a day with what a member has not read."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gemeinsam.accounts.mail import send_member_mail
from gemeinsam.accounts.models import MailPreference, User
from gemeinsam.community.models import DigestState
from gemeinsam.community.selectors import unread_since
from gemeinsam.core.jobs import run_isolated

logger = logging.getLogger(__name__)

DIGEST_EVERY = timedelta(days=1)
MAX_ITEMS = 20


def send_digest(*, user: User, now: datetime) -> bool:
    """Mail ``user`` their unread notifications since the last digest; True if sent.

    Idempotent: the digest is claimed by storing its time under a row lock before the mail
    goes out, so a member gets at most one digest per day. When the mail cannot be sent (the
    mail server is down), the claim is given back before the error is raised, so a later
    run sends the same notifications. It lists what the notifications page would show:
    nothing from muted or blocked members, nothing about content hidden since.
    """
    with transaction.atomic():
        state = DigestState.objects.select_for_update().filter(user=user).first()
        previous = state.last_sent_at if state else None
        since = previous or now - DIGEST_EVERY
        if state and now - state.last_sent_at < DIGEST_EVERY:
            return False
        items = unread_since(user=user, since=since, limit=MAX_ITEMS)
        if not items:
            return False
        DigestState.objects.update_or_create(user=user, defaults={"last_sent_at": now})
    try:
        sent = send_member_mail(
            user=user,
            kind=MailPreference.Kind.DIGEST,
            subject=_("%(count)d new notifications") % {"count": len(items)},
            template="community/mail/digest",
            context={"notifications": items},
        )
    except Exception:
        claimed = DigestState.objects.filter(user=user, last_sent_at=now)
        if previous is None:
            claimed.delete()
        else:
            claimed.update(last_sent_at=previous)
        raise
    if not sent:
        logger.info("Digest for member %s not sent (switched off or no address).", user.pk)
    return sent


def send_due_digests(*, now: datetime | None = None) -> int:
    """Send every due digest to the members who asked for one; returns how many went out."""
    now = now or timezone.now()
    members = User.objects.filter(
        is_active=True,
        mail_preferences__kind=MailPreference.Kind.DIGEST,
        mail_preferences__is_enabled=True,
    )
    sent = 0
    for member in members.iterator():
        # One member whose digest fails (a bad address, a broken notification) is skipped.
        sent += run_isolated(
            job="notification-digests",
            item=f"member {member.pk}",
            action=partial(send_digest, user=member, now=now),
            failed=False,
            atomic=False,  # it keeps its own transaction short, without the mail inside
        )
    return sent
