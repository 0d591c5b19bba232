"""Reads for comments and discussions: keyset pages of threads, one thread, what a viewer
may do, topics with their discussions."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core import signing
from django.db.models import Count, F, Q
from django.db.models.expressions import Window
from django.db.models.functions import RowNumber

from gemeinsam.accounts.selectors import blocked_user_ids, blocked_user_ids_query
from gemeinsam.conversations.models import (
    Comment,
    CommentQuerySet,
    DiscussionThread,
    DiscussionThreadQuerySet,
    DiscussionTopic,
)
from gemeinsam.core.caching import cached_fragment, collection_scope, reference_scope
from gemeinsam.core.engagement import EngagementState, Ref, refs_condition, target_reference

SORTS = ("oldest", "newest", "best")
DEFAULT_SORT = "oldest"
PAGE_SIZE = 20
REPLIES_PER_THREAD = 50
THREAD_PAGE_SIZE = 100
# Replies are indented up to this depth; deeper ones are shown flat, "in reply to …".
INDENT_LIMIT = 4
CURSOR_SALT = "conversations.cursor"
PATH_CURSOR = re.compile(r"^(\d{10}/){1,60}$")

# Sort -> (key field, whether "forward" runs from high to low).
_ORDER: dict[str, tuple[str, bool]] = {
    "oldest": ("created_at", False),
    "newest": ("created_at", True),
    "best": ("score", True),
}

# The discussion topics and their threads: a new thread or reply, a lock or a hide changes it.
DISCUSSIONS = collection_scope("discussions")


@dataclass(frozen=True)
class Cursor:
    """Where a keyset page starts: after (or before) the comment with this key and id."""

    sort: str
    key: Any
    id: int
    is_before: bool = False

    def encode(self) -> str:
        key = self.key.isoformat() if isinstance(self.key, datetime) else self.key
        return signing.dumps(
            [self.sort, key, self.id, int(self.is_before)], salt=CURSOR_SALT, compress=True
        )

    @classmethod
    def decode(cls, token: str | None, sort: str) -> Cursor | None:
        """The cursor in ``token``, or None when it is missing, forged or for another sort."""
        if not token:
            return None
        try:
            cursor_sort, key, comment_id, is_before = signing.loads(token, salt=CURSOR_SALT)
            if cursor_sort != sort or not isinstance(comment_id, int):
                return None
            key = float(key) if sort == "best" else datetime.fromisoformat(key)
        except (signing.BadSignature, ValueError, TypeError):
            return None
        return cls(sort=sort, key=key, id=comment_id, is_before=bool(is_before))


@dataclass
class CommentView:
    """One comment as a viewer sees it."""

    comment: Comment
    indent: int = 0
    in_reply_to: str = ""
    can_reply: bool = False
    can_edit: bool = False
    can_delete: bool = False


@dataclass
class ThreadView:
    """A top-level comment with the first of its replies in depth-first order."""

    top: CommentView
    replies: list[CommentView] = field(default_factory=list)
    has_more_replies: bool = False


@dataclass
class CommentPage:
    content_type_id: int
    object_id: int
    sort: str
    threads: list[ThreadView]
    total: int
    next_cursor: str | None = None
    previous_cursor: str | None = None
    is_first_page: bool = True


@dataclass
class Viewer:
    """What the selectors need to know about who is looking, computed once per request."""

    user: Any
    blocked_ids: set[int]
    can_moderate: bool
    # False where the target takes no new comments (a locked discussion): no reply links.
    replies_open: bool = True

    @classmethod
    def of(cls, user: Any, *, replies_open: bool = True) -> Viewer:
        if user is None or not user.is_authenticated:
            return cls(user=None, blocked_ids=set(), can_moderate=False)
        return cls(
            user=user,
            blocked_ids=blocked_user_ids(user),
            can_moderate=bool(user.is_staff and user.has_perm("conversations.delete_comment")),
            replies_open=replies_open,
        )

    def view(self, comment: Comment, *, parent_name: str = "") -> CommentView:
        user = self.user
        available = not comment.is_deleted and not comment.is_hidden
        return CommentView(
            comment=comment,
            indent=min(comment.depth, INDENT_LIMIT),
            in_reply_to=parent_name if comment.depth > INDENT_LIMIT else "",
            can_reply=user is not None and available and self.replies_open,
            can_edit=user is not None and comment.is_editable_by(user),
            can_delete=user is not None
            and not comment.is_deleted
            and (comment.author_id == user.pk or self.can_moderate),
        )


def _visible(viewer: Viewer) -> CommentQuerySet:
    return Comment.objects.visible().not_by(viewer.blocked_ids).select_related("author")


def comment_count(content_type_id: int, object_id: int) -> int:
    """Comments the public sees on a target (not hidden, not deleted).

    Cached until the next public change: counting 100,000 comments takes tens of
    milliseconds, and every comment written, deleted or hidden bumps the generation."""
    return int(
        cached_fragment(
            "comment-count",
            [reference_scope(content_type_id, object_id)],
            [],
            lambda: (
                Comment.objects.for_target(content_type_id, object_id)
                .visible()
                .filter(is_deleted=False)
                .count()
            ),
        )
    )


def comment_counts(targets: list[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """Public comment counts for many (content type id, object id) pairs in one query, for
    lists of stories; pairs without comments are left out."""
    if not targets:
        return {}
    rows = (
        Comment.objects.visible()
        .filter(refs_condition(targets), is_deleted=False)
        .values_list("content_type_id", "object_id")
        .annotate(number=Count("id"))
        .order_by()
    )
    return {(ct, obj): number for ct, obj, number in rows}


def read_comment_state(viewer: Any, refs: list[Ref], states: dict[Ref, EngagementState]) -> None:
    """Public comment counts of ``refs`` in one query; the conversations' part of
    ``engagement_state``."""
    for ref, number in comment_counts(refs).items():
        states[ref].comments = number


def _keyset(
    queryset: CommentQuerySet, sort: str, cursor: Cursor | None
) -> tuple[list[Comment], bool]:
    """One page in display order, and whether more lie beyond it in the read direction."""
    key, descending = _ORDER[sort]
    backwards = cursor is not None and cursor.is_before
    read_descending = descending != backwards
    if cursor is not None:
        # "key >= k AND NOT (key = k AND id <= i)" walks the index from k, like a row-value
        # comparison (key, id) > (k, i), on every database.
        if read_descending:
            queryset = queryset.filter(**{f"{key}__lte": cursor.key}).exclude(
                **{key: cursor.key, "id__gte": cursor.id}
            )
        else:
            queryset = queryset.filter(**{f"{key}__gte": cursor.key}).exclude(
                **{key: cursor.key, "id__lte": cursor.id}
            )
    prefix = "-" if read_descending else ""
    rows = list(queryset.order_by(f"{prefix}{key}", f"{prefix}id")[: PAGE_SIZE + 1])
    has_more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    if backwards:
        rows.reverse()
    return rows, has_more


def _replies(viewer: Viewer, top_ids: list[int]) -> dict[int, list[Comment]]:
    """Up to ``REPLIES_PER_THREAD`` replies of each thread, and one more where there are
    more (to know to link the whole thread), in one query."""
    if not top_ids:
        return {}
    rows = (
        _visible(viewer)
        .filter(root_id__in=top_ids)
        .select_related("parent__author")
        .annotate(
            position=Window(RowNumber(), partition_by=[F("root_id")], order_by=F("path").asc())
        )
        .filter(position__lte=REPLIES_PER_THREAD + 1)
        .order_by("root_id", "path")
    )
    replies: dict[int, list[Comment]] = {}
    for row in rows:
        replies.setdefault(row.root_id or row.pk, []).append(row)
    return replies


def parent_name(comment: Comment) -> str:
    parent = comment.parent
    if parent is None:
        return ""
    return "" if parent.is_deleted else parent.author_name


def comment_page(
    *,
    target: Any,
    user: Any,
    sort: str = DEFAULT_SORT,
    cursor: str | None = None,
    viewer: Viewer | None = None,
    replies_open: bool = True,
) -> CommentPage:
    """A page of ``PAGE_SIZE`` top-level comments on ``target`` with their first replies.

    Keyset pagination: the cursor names the last (or first) comment shown, so a deep page
    costs the same as the first and nothing is skipped or repeated when comments arrive.
    Comments by members blocked either way are left out. Four queries at most (blocks, count,
    top-level page, replies), whatever the number of comments; the count is cached until the
    next public change.
    """
    sort = sort if sort in SORTS else DEFAULT_SORT
    viewer = viewer or Viewer.of(user, replies_open=replies_open)
    content_type_id, object_id = target_reference(target)
    position = Cursor.decode(cursor, sort)
    top_level = _visible(viewer).for_target(content_type_id, object_id).top_level()
    rows, has_more = _keyset(top_level, sort, position)
    replies = _replies(viewer, [row.pk for row in rows])
    key_field = _ORDER[sort][0]

    def cursor_at(comment: Comment, *, before: bool) -> str:
        return Cursor(sort, getattr(comment, key_field), comment.pk, before).encode()

    next_cursor = previous_cursor = None
    if rows:
        backwards = position is not None and position.is_before
        if (has_more and not backwards) or backwards:
            next_cursor = cursor_at(rows[-1], before=False)
        if (has_more and backwards) or (position is not None and not backwards):
            previous_cursor = cursor_at(rows[0], before=True)
    threads = []
    for row in rows:
        thread_replies = replies.get(row.pk, [])
        threads.append(
            ThreadView(
                top=viewer.view(row),
                replies=[
                    viewer.view(r, parent_name=parent_name(r))
                    for r in thread_replies[:REPLIES_PER_THREAD]
                ],
                # Counted, not compared with ``reply_count``: deleted replies stay in place
                # but are counted out.
                has_more_replies=len(thread_replies) > REPLIES_PER_THREAD,
            )
        )
    return CommentPage(
        content_type_id=content_type_id,
        object_id=object_id,
        sort=sort,
        threads=threads,
        total=comment_count(content_type_id, object_id),
        next_cursor=next_cursor,
        previous_cursor=previous_cursor,
        is_first_page=position is None,
    )


@dataclass
class ThreadPage:
    thread: ThreadView
    next_cursor: str | None = None


def comment_thread(
    *, comment: Comment, user: Any, after: str | None = None, replies_open: bool = True
) -> ThreadPage:
    """The whole thread of ``comment``'s top-level comment, ``THREAD_PAGE_SIZE`` replies a
    page in depth-first order; ``after`` is the path of the last reply already shown."""
    viewer = Viewer.of(user, replies_open=replies_open)
    top = comment.root or comment
    queryset = _visible(viewer).filter(root=top).select_related("parent__author")
    if after and PATH_CURSOR.match(after):
        queryset = queryset.filter(path__gt=after)
    rows = list(queryset.order_by("path")[: THREAD_PAGE_SIZE + 1])
    has_more = len(rows) > THREAD_PAGE_SIZE
    rows = rows[:THREAD_PAGE_SIZE]
    return ThreadPage(
        thread=ThreadView(
            top=viewer.view(top),
            replies=[viewer.view(r, parent_name=parent_name(r)) for r in rows],
        ),
        next_cursor=rows[-1].path if has_more else None,
    )


def visible_comment(comment_id: int) -> Comment | None:
    """A comment that is not hidden, with its author, or None."""
    return Comment.objects.visible().select_related("author").filter(pk=comment_id).first()


def single_view(comment: Comment, user: Any) -> CommentView:
    """One comment as ``user`` sees it (after an edit or a delete, for htmx)."""
    parent_name = ""
    if comment.depth > INDENT_LIMIT and comment.parent_id is not None:
        parent = Comment.objects.select_related("author").filter(pk=comment.parent_id).first()
        parent_name = "" if parent is None or parent.is_deleted else parent.author_name
    return Viewer.of(user).view(comment, parent_name=parent_name)


# ---------------------------------------------------------------------------- discussions

DISCUSSION_PAGE_SIZE = 20
DISCUSSION_CURSOR_SALT = "conversations.discussions.cursor"


@dataclass
class DiscussionPage:
    """One keyset page of a topic's discussions, latest activity first."""

    threads: list[DiscussionThread]
    next_cursor: str | None = None


def open_topics() -> list[DiscussionTopic]:
    """Open topics in their order, each with ``thread_count`` (discussions the public sees);
    one query."""
    return list(
        DiscussionTopic.objects.filter(is_open=True).annotate(
            thread_count=Count("threads", filter=Q(threads__is_hidden=False))
        )
    )


def open_topic(slug: str) -> DiscussionTopic | None:
    return DiscussionTopic.objects.filter(slug=slug, is_open=True).first()


def _encode_discussion_cursor(thread: DiscussionThread) -> str:
    return signing.dumps(
        [thread.last_activity_at.isoformat(), thread.pk], salt=DISCUSSION_CURSOR_SALT
    )


def _decode_discussion_cursor(token: str | None) -> tuple[datetime, int] | None:
    if not token:
        return None
    try:
        key, thread_id = signing.loads(token, salt=DISCUSSION_CURSOR_SALT)
        if not isinstance(thread_id, int) or not isinstance(key, str):
            return None
        return datetime.fromisoformat(key), thread_id
    except (signing.BadSignature, ValueError, TypeError):
        return None


def discussion_page(
    *,
    topic: DiscussionTopic,
    cursor: str | None = None,
    size: int = DISCUSSION_PAGE_SIZE,
    user: Any = None,
) -> DiscussionPage:
    """The public discussions of ``topic`` after ``cursor`` (a signed (last activity, id)
    pair; a missing or forged one starts at the top), with their authors; one query.
    Discussions started by members ``user`` blocks or is blocked by are left out."""
    queryset = _not_by_blocked(DiscussionThread.objects.filter(topic=topic, is_hidden=False), user)
    queryset = queryset.select_related("author").order_by("-last_activity_at", "-id")
    after = _decode_discussion_cursor(cursor)
    if after is not None:
        key, thread_id = after
        queryset = queryset.filter(
            Q(last_activity_at__lt=key) | Q(last_activity_at=key, id__lt=thread_id)
        )
    rows = list(queryset[: size + 1])
    threads = rows[:size]
    for thread in threads:
        thread.topic = topic
    next_cursor = _encode_discussion_cursor(threads[-1]) if len(rows) > size else None
    return DiscussionPage(threads=threads, next_cursor=next_cursor)


def public_discussion(
    topic_slug: str, thread_id: int, *, user: Any = None
) -> DiscussionThread | None:
    """The discussion with this id in the open topic with this slug, unless hidden or
    started by a member ``user`` blocks or is blocked by."""
    found = DiscussionThread.objects.public().filter(pk=thread_id, topic__slug=topic_slug)
    return _not_by_blocked(found, user).select_related("topic", "author").first()


def _not_by_blocked(threads: DiscussionThreadQuerySet, user: Any) -> DiscussionThreadQuerySet:
    """Without discussions started by members ``user`` blocks or is blocked by (a subquery,
    no query of its own); discussions by deleted members stay."""
    if user is None or not user.is_authenticated:
        return threads
    return threads.exclude(author_id__in=blocked_user_ids_query(user))


STAFF_STATES = ("all", "locked", "hidden")
STAFF_PAGE_SIZE = 200


def discussions_for_staff(*, state: str = "all", query: str = "") -> list[DiscussionThread]:
    """Discussions for the community managers' screen, hidden ones included, latest activity
    first: every one, the locked or the hidden ones (``state``), with ``query`` in the
    title; at most ``STAFF_PAGE_SIZE``, with topic and author; one query."""
    threads = DiscussionThread.objects.select_related("topic", "author")
    if state == "locked":
        threads = threads.filter(is_locked=True)
    elif state == "hidden":
        threads = threads.filter(is_hidden=True)
    if query.strip():
        threads = threads.filter(title__icontains=query.strip())
    return list(threads.order_by("-last_activity_at", "-id")[:STAFF_PAGE_SIZE])
