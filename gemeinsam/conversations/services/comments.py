"""Writes for comments: post, reply, edit, delete, import, hide, count faves, erase a
leaving member's."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from gemeinsam.accounts.models import User
from gemeinsam.accounts.selectors import is_blocked_between
from gemeinsam.conversations.markdown import render_markdown
from gemeinsam.conversations.models import MAX_DEPTH, Comment, place_in_thread
from gemeinsam.conversations.services.mentions import _announce_mentions, mentioned_members
from gemeinsam.core import ratelimit
from gemeinsam.core.caching import Scope, public_content_changed, reference_scope
from gemeinsam.core.engagement import (
    Capability,
    Tally,
    TargetError,
    is_registered,
    kind_of,
    public_kind,
    resolve_target,
    target_reference,
)
from gemeinsam.core.events import Commented, Replied, announce
from gemeinsam.core.ranking import wilson_lower_bound

MAX_BODY_LENGTH = 5000
DUPLICATE_SECONDS = 60


def _scope_of(comment: Comment) -> Scope:
    """The cache scope of what ``comment`` is on: its list and counts are part of it."""
    return reference_scope(comment.content_type_id, comment.object_id)


class CommentError(Exception):
    """A comment write was refused; the message is shown to the member as it is."""


class NotAllowedError(CommentError):
    pass


class TargetUnavailableError(CommentError):
    pass


class CommentsClosedError(TargetUnavailableError):
    """The target takes no new comments now (a locked discussion)."""


class InvalidCommentError(CommentError):
    pass


class ReplyBlockedError(CommentError):
    pass


class ParentUnavailableError(CommentError):
    pass


class EditWindowClosedError(CommentError):
    pass


class DuplicateCommentError(CommentError):
    pass


def edit_minutes() -> int:
    """How long an author may edit (read at call time, so tests and admins can change it)."""
    return int(getattr(settings, "GEMEINSAM_COMMENT_EDIT_MINUTES", 15))


def post_limit() -> int:
    """Comments a member may post per minute."""
    return int(getattr(settings, "GEMEINSAM_COMMENT_RATE_PER_MINUTE", 10))


def comment_score(*, fave_count: int, reply_count: int) -> float:
    """The "best" sort key: the Wilson lower bound (95 %) of the share of engagement that
    endorsed the comment, with positives = faves and n = faves + replies + 1.

    There is no downvote and no per-comment view count, so every reply in the thread
    stands for a reader who engaged without (yet) endorsing, and the +1 for the author
    keeps a fresh comment at 0. A comment that only draws argument therefore sinks below
    one that draws agreement, and the lower bound keeps one fave out of one from
    outranking twenty out of twenty-five.
    """
    return wilson_lower_bound(fave_count, fave_count + reply_count + 1)


def _refresh_scores(comment_ids: list[int]) -> None:
    """Recompute the score of these comments from their current counters. Called after an
    UPDATE of the counters in the same transaction, so the rows are already locked."""
    rows = list(Comment.objects.filter(pk__in=comment_ids).only("pk", "fave_count", "reply_count"))
    for row in rows:
        row.score = comment_score(fave_count=row.fave_count, reply_count=row.reply_count)
    Comment.objects.bulk_update(rows, ["score"])


def _require_member(user: Any, message: str) -> User:
    if user is None or not user.is_authenticated or not user.is_active:
        raise NotAllowedError(message)
    return user


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise InvalidCommentError(_("Write something before you post."))
    if len(body) > MAX_BODY_LENGTH:
        raise InvalidCommentError(
            _("A comment can be at most %(limit)d characters long.") % {"limit": MAX_BODY_LENGTH}
        )
    return body


def _insert_comment(
    *,
    content_type_id: int,
    object_id: int,
    author: User | None,
    body: str,
    parent: Comment | None,
    created_at: datetime,
    is_official: bool,
    guest_name: str = "",
) -> Comment:
    """Store a comment (``body`` already cleaned) with its place in the thread, and count it
    as a reply on every ancestor, whose scores follow. The one way comment rows are made.

    Checks nothing: the caller has decided that the comment may be stored and runs this
    inside its write transaction (the ancestors' rows are updated, so locked until it ends).
    """
    above = parent.place if parent is not None else None
    # Depth and root do not depend on the new row's id; the path does, so it follows the INSERT.
    shape = place_in_thread(0, above)
    comment = Comment.objects.create(
        content_type_id=content_type_id,
        object_id=object_id,
        author=author,
        guest_name=guest_name,
        body=body,
        body_html=render_markdown(body),
        parent=parent,
        root_id=shape.root_id,
        depth=shape.depth,
        created_at=created_at,
        is_official=is_official,
    )
    comment.path = place_in_thread(comment.pk, above).path
    comment.save(update_fields=["path"])
    if parent is not None:
        ancestors = comment.ancestor_ids
        Comment.objects.filter(pk__in=ancestors).update(reply_count=F("reply_count") + 1)
        _refresh_scores(ancestors)
    return comment


@transaction.atomic
def post_comment(*, author: Any, target: Any, body: str, parent: Comment | None = None) -> Comment:
    """Post a comment on ``target``, or a reply to ``parent`` (a comment on the same target).

    Preconditions: ``author`` is an active, signed-in member; ``target`` is a registered,
    public target that takes comments now (a locked discussion does not); a reply's parent
    is neither deleted nor hidden, is not by a member blocked either way, and is less than
    ``MAX_DEPTH`` deep. A member may post ``post_limit()`` comments a minute and not the
    same text twice within a minute.

    Side effects: stores the comment with its chain of ancestors, counts the reply on every
    ancestor, announces "commented" or "replied" and "mentioned" after commit, and makes
    cached public pages stale.
    """
    member = _require_member(author, _("Sign in to comment."))
    try:
        kind = public_kind(target, Capability.COMMENT)
    except TargetError:
        raise TargetUnavailableError(_("Comments cannot be posted here.")) from None
    closed = kind.closed_reason(target)
    if closed:
        raise CommentsClosedError(closed)
    text = _clean_body(body)
    content_type_id, object_id = target_reference(target)
    if parent is not None:
        if (parent.content_type_id, parent.object_id) != (content_type_id, object_id):
            raise ParentUnavailableError(_("That comment belongs to another page."))
        if parent.is_deleted or parent.is_hidden:
            raise ParentUnavailableError(_("That comment is no longer available for replies."))
        if parent.depth + 1 >= MAX_DEPTH:
            raise ParentUnavailableError(_("This conversation is too deep for another reply."))
        if is_blocked_between(member, parent.author):
            raise ReplyBlockedError(_("You cannot reply to this member's comments."))
    now = timezone.now()
    if Comment.objects.filter(
        author=member, body=text, created_at__gte=now - timedelta(seconds=DUPLICATE_SECONDS)
    ).exists():
        raise DuplicateCommentError(_("You have just posted this same comment."))
    ratelimit.check(
        f"conversations:post:{member.pk}",
        limit=post_limit(),
        period=60,
        message=_("You are commenting very quickly. Please wait a minute and try again."),
    )
    comment = _insert_comment(
        content_type_id=content_type_id,
        object_id=object_id,
        author=member,
        body=text,
        parent=parent,
        created_at=now,
        is_official=member.is_staff,
    )
    # The target may keep its own count (a discussion counts its replies) or refuse.
    kind.count_changed(target, Tally.COMMENTS, 1)
    mentioned = mentioned_members(author=member, body=text)
    if parent is not None:
        announce(
            Replied(
                actor=member, target=target, comment=comment, parent=parent, mentioned=mentioned
            )
        )
    else:
        announce(Commented(actor=member, target=target, comment=comment, mentioned=mentioned))
    _announce_mentions(author=member, target=target, comment=comment, users=mentioned)
    public_content_changed(target)
    return comment


@transaction.atomic
def edit_comment(*, user: Any, comment: Comment, body: str, target: Any = None) -> Comment:
    """Replace the text of ``comment``, marking it edited.

    Preconditions: ``user`` wrote it, it is neither deleted nor hidden, and it is at most
    ``GEMEINSAM_COMMENT_EDIT_MINUTES`` (default 15) old. Side effects: members mentioned
    for the first time are announced (``target`` is what the comment is on; looked up when
    not given), and cached public pages turn stale. An unchanged text changes nothing.
    """
    member = _require_member(user, _("Sign in to edit comments."))
    if comment.author_id != member.pk:
        raise NotAllowedError(_("Only the author can edit a comment."))
    if comment.is_deleted or comment.is_hidden:
        raise NotAllowedError(_("This comment can no longer be edited."))
    if not comment.is_editable_by(member):
        raise EditWindowClosedError(
            _("Comments can be edited for %(minutes)d minutes after posting.")
            % {"minutes": edit_minutes()}
        )
    text = _clean_body(body)
    if text == comment.body:
        return comment
    before = {user.pk for user in mentioned_members(author=member, body=comment.body)}
    comment.body = text
    comment.body_html = render_markdown(text)
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "body_html", "edited_at"])
    newly = [u for u in mentioned_members(author=member, body=text) if u.pk not in before]
    if newly:
        if target is None:
            target = comment.content_type.get_object_for_this_type(pk=comment.object_id)
            target = getattr(target, "specific", target)
        _announce_mentions(author=member, target=target, comment=comment, users=newly)
    public_content_changed(_scope_of(comment))
    return comment


@transaction.atomic
def delete_comment(*, user: Any, comment: Comment) -> Comment:
    """Soft-delete ``comment``: its text is removed and it shows as "[deleted]", so that its
    replies stay readable in place.

    Preconditions: ``user`` wrote it, or is staff with the permission to delete comments.
    Deleting a deleted comment changes nothing. Side effects: the reply counts above it go
    down (unless it was hidden, and so counted out already); cached public pages turn stale.
    """
    member = _require_member(user, _("Sign in to delete comments."))
    if not comment.is_deletable_by(member):
        raise NotAllowedError(_("Only the author or a moderator can delete a comment."))
    state = _locked_state(comment)
    if state is None or state[0]:
        return comment
    comment.is_deleted = True
    comment.body = ""
    comment.body_html = ""
    comment.save(update_fields=["is_deleted", "body", "body_html"])
    was_hidden = state[1]
    if not was_hidden:
        _move_shown_counts([comment], -1)
    public_content_changed(_scope_of(comment))
    return comment


def _locked_state(comment: Comment) -> tuple[bool, bool] | None:
    """The comment's current (deleted, hidden) flags, its row locked until the transaction
    ends, so that a deletion and a moderator's decision never count the same change twice."""
    return (
        Comment.objects.select_for_update()
        .filter(pk=comment.pk)
        .values_list("is_deleted", "is_hidden")
        .first()
    )


def _move_shown_counts(comments: list[Comment], delta: int) -> None:
    """``comments`` stopped being shown to readers (``delta`` -1: deleted or hidden) or are
    shown again (1: restored). Moves the reply count of each one's ancestors and the count
    its target keeps of its comments (a discussion's replies), never below 0. Runs inside
    the write transaction."""
    by_ancestor: Counter[int] = Counter()
    by_target: Counter[tuple[int, int]] = Counter()
    for comment in comments:
        by_ancestor.update(comment.ancestor_ids)
        by_target[(comment.content_type_id, comment.object_id)] += 1
    by_times: dict[int, list[int]] = {}
    for comment_id, times in by_ancestor.items():
        by_times.setdefault(times, []).append(comment_id)
    for times, ids in by_times.items():
        Comment.objects.filter(pk__in=ids).update(
            reply_count=Greatest(F("reply_count") + delta * times, Value(0))
        )
    if by_ancestor:
        _refresh_scores(list(by_ancestor))
    for (content_type_id, object_id), times in by_target.items():
        try:
            target = resolve_target(content_type_id, object_id)
        except TargetError:
            continue
        kind_of(target).count_changed(target, Tally.SHOWN_COMMENTS, delta * times)


def record_count_change(comment: Comment, counter: Tally, delta: int) -> None:
    """The engagement hook: another app counted a fave on ``comment`` (inside its write
    transaction). Updates ``fave_count`` with F() so parallel faves add up, then the score."""
    if counter != Tally.FAVES:
        return
    Comment.objects.filter(pk=comment.pk).update(
        fave_count=Greatest(F("fave_count") + delta, Value(0))
    )
    _refresh_scores([comment.pk])
    public_content_changed(_scope_of(comment))


def erase_member_comments(comments: Any, options: dict[str, Any]) -> None:
    """What happens to a leaving member's comments, as they chose (option "comments"):
    "keep" leaves the text and shows it by "deleted member"; "delete" (the default)
    soft-deletes every comment, removing the text, so replies to it stay readable, and
    counts them out of the reply counts."""
    if options.get("comments") == "keep":
        comments.update(author=None, guest_name="")
    else:
        shown = list(
            comments.filter(is_deleted=False, is_hidden=False).only(
                "pk", "path", "content_type_id", "object_id"
            )
        )
        comments.update(is_deleted=True, body="", body_html="", author=None, guest_name="")
        _move_shown_counts(shown, -1)
    public_content_changed()  # a member's comments anywhere: the whole site


@transaction.atomic
def import_comment(
    *,
    target: Any,
    body: str,
    created_at: Any,
    guest_name: str = "",
    author: User | None = None,
    parent: Comment | None = None,
) -> Comment:
    """Store a comment brought in from elsewhere (a blog export), as it was written then.

    Preconditions: ``target`` is registered; the caller (an import run by staff) is trusted,
    so there are no rate limits, edit windows or announcements. Guests keep their name.
    Side effects: counts the reply on its ancestors; cached public pages turn stale.
    """
    if not is_registered(target):
        raise TargetUnavailableError(_("Comments cannot be posted here."))
    content_type_id, object_id = target_reference(target)
    text = (body or "").strip()
    comment = _insert_comment(
        content_type_id=content_type_id,
        object_id=object_id,
        author=author,
        guest_name="" if author is not None else guest_name.strip()[:80],
        body=text,
        parent=parent,
        created_at=created_at,
        is_official=bool(author is not None and author.is_staff),
    )
    public_content_changed(target)
    return comment


@transaction.atomic
def set_comment_hidden(comment: Comment, hidden: bool) -> None:
    """Hide the comment from every output, or show it again (moderation decides). The reply
    counts above it (its ancestors', its discussion's) go down when it is hidden and up
    again when it is restored; a deleted comment stays counted out."""
    state = _locked_state(comment)
    if state is None or state[1] == hidden:
        return
    Comment.objects.filter(pk=comment.pk).update(is_hidden=hidden)
    comment.is_hidden = hidden
    was_deleted = state[0]
    if not was_deleted:
        _move_shown_counts([comment], -1 if hidden else 1)
    public_content_changed(_scope_of(comment))
