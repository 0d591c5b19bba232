"""Writes of the newsroom: scheduled publishing and embargo lifts, embargo links."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import partial

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import timezone
from wagtail.models import Page, Revision

from gemeinsam.accounts.models import User
from gemeinsam.core.caching import SITE, invalidate
from gemeinsam.core.jobs import run_isolated
from gemeinsam.newsroom.models import EmbargoAccess, EmbargoLink, PressReleasePage

logger = logging.getLogger(__name__)

MAX_LINK_DAYS = 60


class EmbargoLinkError(ValueError):
    """An embargo link cannot be made; the message says why, for the press officer."""


def publish_due_content(*, now: datetime | None = None) -> int:
    """Publish every revision whose go-live time has passed and unpublish expired pages.

    A press release that goes live takes its translations with it, so all language versions
    lift together even when their times were set apart. Each page and each revision is its
    own transaction: one that fails is rolled back, logged and backed off, and the others
    still go out. Idempotent: a second run finds nothing due. Returns how many revisions
    were published.
    """
    now = now or timezone.now()
    published = 0
    expired = 0
    for page in Page.objects.filter(live=True, expire_at__lt=now):
        expired += run_isolated(
            job=PUBLISH_JOB,
            item=f"unpublish page {page.pk}",
            action=partial(_unpublish_expired, page),
            failed=0,
        )
    due = list(Revision.page_revisions.filter(approved_go_live_at__lte=now).order_by("pk"))
    for revision in due:
        published += run_isolated(
            job=PUBLISH_JOB,
            item=f"revision {revision.pk} of page {revision.object_id}",
            action=partial(_publish_revision, revision),
            failed=0,
        )
    if published or expired:
        invalidate(SITE)
    if published:
        logger.info("Published %d scheduled revision(s).", published)
    return published


PUBLISH_JOB = "publish-due-content"


def _unpublish_expired(page: Page) -> int:
    page.unpublish(set_expired=True, log_action="wagtail.unpublish.scheduled")
    return 1


def _publish_revision(revision: Revision) -> int:
    """Publish one due revision (a press release with its translations); how many went live.

    The revision is read again under a row lock: a run on another worker that loaded the
    same due list (two workers, or a run reclaimed after its lease while still alive) finds
    it published already and leaves it, instead of publishing it twice.
    """
    current = (
        Revision.page_revisions.select_for_update()
        .filter(pk=revision.pk, approved_go_live_at__isnull=False)
        .first()
    )
    if current is None:
        return 0
    revision = current
    revision.publish(log_action="wagtail.publish.scheduled")
    page = Page.objects.get(pk=revision.object_id).specific
    return 1 + (_lift_translations(page) if isinstance(page, PressReleasePage) else 0)


def _lift_translations(release: PressReleasePage) -> int:
    lifted = 0
    for translation in release.get_translations().not_live().specific():
        revision = translation.scheduled_revision
        if revision is not None:
            # Its own go-live time lies ahead; publishing as is would only schedule it again.
            revision.content["go_live_at"] = None
            revision.save(update_fields=["content"])
            revision.publish(log_action="wagtail.publish.scheduled")
            lifted += 1
    return lifted


def create_embargo_link(
    *,
    actor: User,
    release: PressReleasePage,
    recipient: str,
    outlet: str = "",
    valid_days: int = 14,
) -> EmbargoLink:
    """Make a link for one journalist to read ``release`` before its embargo lifts.

    Preconditions: the actor may read embargoed releases; the release is scheduled and not
    live; the link is valid for 1 to 60 days.
    """
    if not actor.has_perm("newsroom.view_embargoed"):
        raise EmbargoLinkError("You may not share embargoed releases.")
    if release.live or release.embargo_lifts_at is None:
        raise EmbargoLinkError("This release is not under embargo: schedule it first.")
    if not recipient.strip():
        raise EmbargoLinkError("Name the journalist the link is for.")
    if not 1 <= valid_days <= MAX_LINK_DAYS:
        raise EmbargoLinkError(f"A link is valid for 1 to {MAX_LINK_DAYS} days.")
    return EmbargoLink.objects.create(
        release=release,
        recipient=recipient.strip(),
        outlet=outlet.strip(),
        expires_at=timezone.now() + timedelta(days=valid_days),
        created_by=actor,
    )


@transaction.atomic
def revoke_embargo_link(*, actor: User, link: EmbargoLink) -> None:
    if not actor.has_perm("newsroom.view_embargoed"):
        raise EmbargoLinkError("You may not manage embargo links.")
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])


def record_embargo_access(
    *,
    release: PressReleasePage,
    link: EmbargoLink | None,
    user: User | AnonymousUser | None,
    user_agent: str,
) -> EmbargoAccess:
    """Log one early reading of an embargoed release."""
    return EmbargoAccess.objects.create(
        release=release,
        link=link,
        user=user if isinstance(user, User) else None,
        user_agent=user_agent[:200],
    )
