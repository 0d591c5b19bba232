"""The rendered comment list, cached and shared by every reader who would see the same HTML.

Rendering a page of comments (up to 20 threads with their replies) is the most expensive part
of a story page, and for most readers the HTML is the same: every anonymous reader sees one
version, every signed-in member another (with "Reply" links). Only a member's own comments
differ (with "Edit" and "Delete"), so the list is rendered once per audience and cached under
the versions of the target's scope (which every comment, edit, deletion, hide or fave on it
changes) and of the site's (a member's new name, an erased member), and the viewer's own
comments are rendered on their own and put in place by their markers. Members with blocks
and moderators get a list of their own, rendered each time.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from gemeinsam.conversations.models import Comment
from gemeinsam.conversations.selectors import (
    DEFAULT_SORT,
    SORTS,
    CommentPage,
    CommentView,
    Cursor,
    ThreadView,
    Viewer,
    comment_page,
    parent_name,
)
from gemeinsam.core.caching import SITE, reads, target_scope
from gemeinsam.core.engagement import target_reference

OPEN_MARK = "<!--comment:{}-->"
CLOSE_MARK = "<!--/comment:{}-->"
TIMEOUT = 300


@dataclass(frozen=True)
class CommentList:
    """What a comment section shows: the list's HTML and the public count."""

    html: SafeString
    total: int
    content_type_id: int
    object_id: int


def _shared(view: CommentView) -> CommentView:
    return dataclasses.replace(view, can_edit=False, can_delete=False)


def _shared_page(page: CommentPage) -> CommentPage:
    return dataclasses.replace(
        page,
        threads=[
            ThreadView(
                top=_shared(thread.top),
                replies=[_shared(reply) for reply in thread.replies],
                has_more_replies=thread.has_more_replies,
            )
            for thread in page.threads
        ],
    )


def _authors(page: CommentPage) -> dict[int, int]:
    return {
        view.comment.pk: view.comment.author_id
        for thread in page.threads
        for view in (thread.top, *thread.replies)
        if view.comment.author_id is not None
    }


def _put_in_place(html: str, views: list[CommentView], request: HttpRequest) -> str:
    """Replace the shared rendering of each of ``views`` with the viewer's own."""
    for view in views:
        pk = view.comment.pk
        start, end = html.find(OPEN_MARK.format(pk)), html.find(CLOSE_MARK.format(pk))
        if start < 0 or end < 0:
            continue
        own = render_to_string("conversations/_comment.html", {"item": view}, request=request)
        html = html[:start] + own + html[end + len(CLOSE_MARK.format(pk)) :]
    return html


def comment_list(
    request: HttpRequest,
    target: Any,
    list_url: str,
    *,
    sort: str | None,
    cursor: str | None,
    replies_open: bool = True,
) -> CommentList:
    """The comment list of ``target`` for this request's viewer, cached where it is shared."""
    user = getattr(request, "user", None)
    signed_in = bool(user is not None and user.is_authenticated)
    viewer = Viewer.of(user, replies_open=replies_open)
    sort = sort if sort in SORTS else DEFAULT_SORT
    cursor = cursor if Cursor.decode(cursor, sort) is not None else None
    context: dict[str, Any] = {"list_url": list_url, "request": request}
    if viewer.blocked_ids or viewer.can_moderate:
        # Their own list: without the blocked members' comments, or with moderators' controls.
        page = comment_page(target=target, user=user, sort=sort, cursor=cursor, viewer=viewer)
        html = render_to_string(
            "conversations/_comment_list.html", context | {"comment_page": page}, request=request
        )
        return CommentList(mark_safe(html), page.total, page.content_type_id, page.object_id)
    content_type_id, object_id = target_reference(target)
    scope_versions = reads(SITE, target_scope(target))  # the site: members' names, erasures
    raw_key = "|".join(
        (
            *scope_versions.values(),
            get_language() or "",
            "member" if signed_in else "reader",
            "open" if replies_open else "closed",
            str(content_type_id),
            str(object_id),
            sort,
            cursor or "",
            list_url,
        )
    )
    key = "comment-list:" + hashlib.sha256(raw_key.encode()).hexdigest()
    cached = cache.get(key)
    own: list[CommentView] = []
    if cached is None:
        page = comment_page(target=target, user=user, sort=sort, cursor=cursor, viewer=viewer)
        # Rendered without the request: the shared list has no forms, and no viewer's CSRF
        # token may end up in a cache that other viewers read.
        html = render_to_string(
            "conversations/_comment_list.html", context | {"comment_page": _shared_page(page)}
        )
        cached = (html, page.total, _authors(page))
        cache.set(key, cached, TIMEOUT)
        own = [
            view
            for thread in page.threads
            for view in (thread.top, *thread.replies)
            if view.can_edit or view.can_delete
        ]
    elif signed_in:
        mine = [pk for pk, author in cached[2].items() if user is not None and author == user.pk]
        if mine:
            rows = Comment.objects.filter(pk__in=mine).select_related("author", "parent__author")
            own = [viewer.view(row, parent_name=parent_name(row)) for row in rows]
            own = [view for view in own if view.can_edit or view.can_delete]
    html, total, _authors_by_comment = cached
    # The cached string was rendered from our templates with autoescaping on.
    return CommentList(
        mark_safe(_put_in_place(html, own, request)),
        total,
        content_type_id,
        object_id,
    )
