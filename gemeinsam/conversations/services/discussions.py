"""Writes for discussions: start one, count its replies, lock or hide it, erase a leaving
member's."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from gemeinsam.conversations.markdown import render_markdown
from gemeinsam.conversations.models import DiscussionThread, DiscussionTopic
from gemeinsam.conversations.selectors import DISCUSSIONS
from gemeinsam.conversations.services.comments import TargetUnavailableError
from gemeinsam.core import ratelimit
from gemeinsam.core.caching import public_content_changed
from gemeinsam.core.engagement import Tally
from gemeinsam.core.events import StartedThread, announce

THREAD_TITLE_MIN = 3
THREAD_TITLE_MAX = 200
THREAD_BODY_MAX = 10000


class DiscussionError(Exception):
    """A discussion write was refused; the message is shown to the member as it is."""


class DiscussionNotAllowedError(DiscussionError):
    pass


class TopicClosedError(DiscussionError):
    pass


class InvalidThreadError(DiscussionError):
    pass


def thread_limit() -> tuple[int, int]:
    """(discussions, seconds): how many discussions a member may start in how long."""
    return (
        int(getattr(settings, "GEMEINSAM_THREAD_RATE_LIMIT", 5)),
        int(getattr(settings, "GEMEINSAM_THREAD_RATE_PERIOD", 600)),
    )


def clean_thread_title(title: str) -> str:
    """The title as stored: plain text on one line, 3 to 200 characters."""
    text = " ".join((title or "").split())
    if len(text) < THREAD_TITLE_MIN:
        raise InvalidThreadError(
            _("Give the discussion a title of at least %(min)d characters.")
            % {"min": THREAD_TITLE_MIN}
        )
    if len(text) > THREAD_TITLE_MAX:
        raise InvalidThreadError(
            _("A title can be at most %(max)d characters long.") % {"max": THREAD_TITLE_MAX}
        )
    return text


@transaction.atomic
def start_thread(*, author: Any, topic: DiscussionTopic, title: str, body: str) -> DiscussionThread:
    """Start a discussion on ``topic``.

    Preconditions: ``author`` is an active, signed-in member; the topic is open; the title
    has 3 to 200 characters (plain text, whitespace collapsed); the text (Markdown, may be
    empty) is at most ``THREAD_BODY_MAX`` characters; a member may start
    ``thread_limit()`` discussions in its period (5 in 10 minutes by default).

    Side effects: stores the discussion with its rendered text, announces "started_thread"
    after commit and makes cached public pages stale.
    """
    if author is None or not author.is_authenticated or not author.is_active:
        raise DiscussionNotAllowedError(_("Sign in to start a discussion."))
    if not topic.is_open:
        raise TopicClosedError(_("This topic is closed for new discussions."))
    clean_title = clean_thread_title(title)
    text = (body or "").strip()
    if len(text) > THREAD_BODY_MAX:
        raise InvalidThreadError(
            _("The text can be at most %(limit)d characters long.") % {"limit": THREAD_BODY_MAX}
        )
    limit, period = thread_limit()
    ratelimit.check(
        f"conversations:thread:{author.pk}",
        limit=limit,
        period=period,
        message=_("You have started several discussions just now. Please wait a few minutes."),
    )
    now = timezone.now()
    thread = DiscussionThread.objects.create(
        topic=topic,
        author=author,
        title=clean_title,
        body=text,
        body_html=render_markdown(text) if text else "",
        created_at=now,
        last_activity_at=now,
    )
    announce(StartedThread(actor=author, target=thread))
    public_content_changed(thread, DISCUSSIONS)
    return thread


def record_thread_count_change(thread: DiscussionThread, counter: Tally, delta: int) -> None:
    """The engagement hook for discussions, called inside the write transaction: a reply
    (a comment on the discussion, ``Tally.COMMENTS``) raises ``reply_count`` and moves
    ``last_activity_at`` to now; a locked discussion refuses the reply (the transaction is
    rolled back). Replies deleted, hidden or restored (``Tally.SHOWN_COMMENTS``) move
    ``reply_count`` only, never below 0."""
    if counter == Tally.SHOWN_COMMENTS:
        DiscussionThread.objects.filter(pk=thread.pk).update(
            reply_count=Greatest(F("reply_count") + delta, Value(0))
        )
        public_content_changed(thread, DISCUSSIONS)
        return
    if counter != Tally.COMMENTS:
        return
    current = DiscussionThread.objects.select_for_update().filter(pk=thread.pk).first()
    if current is None or current.is_locked:
        raise TargetUnavailableError(_("This discussion is locked and takes no more replies."))
    DiscussionThread.objects.filter(pk=thread.pk).update(
        reply_count=Greatest(F("reply_count") + delta, Value(0)),
        last_activity_at=timezone.now(),
    )
    public_content_changed(thread, DISCUSSIONS)


def set_thread_locked(thread: DiscussionThread, locked: bool) -> None:
    """Lock the discussion (no more replies; the replies there stay readable) or unlock it.
    The moderation app decides who may."""
    DiscussionThread.objects.filter(pk=thread.pk).update(is_locked=locked)
    thread.is_locked = locked
    public_content_changed(thread, DISCUSSIONS)


def set_thread_hidden(thread: DiscussionThread, hidden: bool) -> None:
    """Hide the discussion from every output, or show it again (moderation decides)."""
    DiscussionThread.objects.filter(pk=thread.pk).update(is_hidden=hidden)
    public_content_changed(thread, DISCUSSIONS)


def erase_member_threads(threads: Any, options: dict[str, Any]) -> None:
    """What happens to a leaving member's discussions, following their choice for comments
    (option "comments"): "keep" leaves them in place by "deleted member"; "delete" (the
    default) hides each discussion and removes its text, so that the replies of others are
    kept (the title stays stored for the moderation record, but nobody sees it)."""
    if options.get("comments") == "keep":
        threads.update(author=None)
    else:
        threads.update(author=None, is_hidden=True, body="", body_html="")
    public_content_changed()  # a member's discussions anywhere: the whole site
