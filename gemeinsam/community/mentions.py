"""Mention mail: a member hears by e-mail when someone mentions them, unless they said no."""

from __future__ import annotations

import logging

from django.utils.translation import gettext as _

from gemeinsam.accounts.mail import send_member_mail
from gemeinsam.accounts.models import MailPreference
from gemeinsam.community.models import Notification
from gemeinsam.community.selectors import unread_notification

logger = logging.getLogger(__name__)


def send_mention_mail(*, notification_id: int) -> bool:
    """Mail the recipient of a "mentioned you" notification; True if a mail went out.

    Sent from the site's address, with one-click unsubscribe from mention mail. Nothing is
    sent when the member switched mention mail off, already read the notification, muted
    the author or blocks them either way (also if that happened since the mention), when the
    comment was hidden or deleted since, or when the notification is of another kind.
    """
    notification = unread_notification(notification_id=notification_id)
    if notification is None or notification.verb != Notification.Verb.MENTIONED:
        return False
    actor_name = notification.actor.public_name if notification.actor else _("Someone")
    sent = send_member_mail(
        user=notification.recipient,
        kind=MailPreference.Kind.MENTIONS,
        subject=_("%(name)s mentioned you") % {"name": actor_name},
        template="community/mail/mention",
        context={"notification": notification, "actor_name": actor_name},
    )
    if not sent:
        logger.info("Mention mail for member %s not sent.", notification.recipient_id)
    return sent
