"""Keyset pages of threads: sorts, no gaps or repeats, blocks, hidden comments, flattening."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from gemeinsam.accounts.models import Block, User
from gemeinsam.conversations import selectors, services
from gemeinsam.conversations.models import Comment
from gemeinsam.conversations.selectors import PAGE_SIZE, Cursor, comment_page
from gemeinsam.conversations.tests.factories import make_comment

pytestmark = pytest.mark.django_db


def _ids(page: selectors.CommentPage) -> list[int]:
    return [thread.top.comment.pk for thread in page.threads]


def _walk(target: Any, sort: str, user: Any = None) -> list[list[int]]:
    pages, cursor = [], None
    while True:
        page = comment_page(target=target, user=user, sort=sort, cursor=cursor)
        pages.append(_ids(page))
        if page.next_cursor is None:
            return pages
        cursor = page.next_cursor


@pytest.fixture
def many(story: Any, member: User) -> list[Comment]:
    """45 top-level comments; pairs share a timestamp and scores repeat, to test ties."""
    start = timezone.now() - timedelta(days=1)
    comments = []
    for number in range(45):
        comments.append(
            make_comment(
                target=story,
                author=member,
                body=f"Comment {number}",
                created_at=start + timedelta(minutes=number // 2),
                score=float(number % 5),
            )
        )
    return comments


@pytest.mark.parametrize(
    ("sort", "key"),
    [
        ("oldest", lambda c: (c.created_at, c.pk)),
        ("newest", lambda c: (-c.created_at.timestamp(), -c.pk)),
        ("best", lambda c: (-c.score, -c.pk)),
    ],
)
def test_keyset_pages_cover_every_comment_once_in_order(
    story: Any, many: list[Comment], sort: str, key: Any
) -> None:
    pages = _walk(story, sort)
    assert [len(page) for page in pages] == [20, 20, 5]
    flat = [pk for page in pages for pk in page]
    assert flat == [c.pk for c in sorted(many, key=key)]


def test_previous_links_walk_back_to_the_first_page(story: Any, many: list[Comment]) -> None:
    first = comment_page(target=story, user=None, sort="newest")
    assert first.previous_cursor is None
    assert first.is_first_page
    second = comment_page(target=story, user=None, sort="newest", cursor=first.next_cursor)
    third = comment_page(target=story, user=None, sort="newest", cursor=second.next_cursor)
    assert third.next_cursor is None
    back = comment_page(target=story, user=None, sort="newest", cursor=third.previous_cursor)
    assert _ids(back) == _ids(second)
    assert back.next_cursor is not None
    assert back.previous_cursor is not None
    start = comment_page(target=story, user=None, sort="newest", cursor=back.previous_cursor)
    assert _ids(start) == _ids(first)
    assert start.previous_cursor is None


def test_new_comments_do_not_shift_the_pages(story: Any, many: list[Comment], member: User) -> None:
    first = comment_page(target=story, user=None, sort="oldest")
    make_comment(target=story, author=member, created_at=timezone.now() - timedelta(days=2))
    second = comment_page(target=story, user=None, sort="oldest", cursor=first.next_cursor)
    assert _ids(second) == [c.pk for c in many[20:40]]


@pytest.mark.parametrize("token", ["garbage", Cursor("best", 1.0, 5).encode(), ""])
def test_forged_or_foreign_cursors_give_the_first_page(
    story: Any, many: list[Comment], token: str
) -> None:
    page = comment_page(target=story, user=None, sort="oldest", cursor=token)
    assert _ids(page) == [c.pk for c in many[:PAGE_SIZE]]


def test_unknown_sort_falls_back_to_oldest(story: Any, many: list[Comment]) -> None:
    assert comment_page(target=story, user=None, sort="random").sort == "oldest"


def test_hidden_and_blocked_comments_are_left_out(
    story: Any, member: User, other_member: User
) -> None:
    visible = make_comment(target=story, author=member)
    make_comment(target=story, author=member, is_hidden=True)
    by_other = make_comment(target=story, author=other_member)
    reply_by_other = make_comment(target=story, author=other_member, parent=visible)
    Block.objects.create(blocker=other_member, blocked=member)
    seen_by_member = comment_page(target=story, user=member)
    assert _ids(seen_by_member) == [visible.pk]
    assert seen_by_member.threads[0].replies == []
    seen_by_public = comment_page(target=story, user=None)
    assert _ids(seen_by_public) == [visible.pk, by_other.pk]
    assert [r.comment.pk for r in seen_by_public.threads[0].replies] == [reply_by_other.pk]
    assert seen_by_public.total == 3


def test_replies_come_depth_first_and_flatten_below_four_levels(
    story: Any, member: User, other_member: User
) -> None:
    top = make_comment(target=story, author=member, body="Top")
    chain = [top]
    for _depth in range(1, 7):
        chain.append(make_comment(target=story, author=other_member, parent=chain[-1]))
    sibling = make_comment(target=story, author=member, parent=top)
    page = comment_page(target=story, user=None)
    replies = page.threads[0].replies
    assert [r.comment.pk for r in replies] == [c.pk for c in chain[1:]] + [sibling.pk]
    assert [r.indent for r in replies] == [1, 2, 3, 4, 4, 4, 1]
    assert [bool(r.in_reply_to) for r in replies] == [False] * 4 + [True, True, False]
    assert replies[4].in_reply_to == other_member.public_name


def test_long_threads_show_the_first_replies_and_link_the_rest(story: Any, member: User) -> None:
    top = make_comment(target=story, author=member)
    for _ in range(selectors.REPLIES_PER_THREAD + 3):
        make_comment(target=story, author=member, parent=top)
    Comment.objects.filter(pk=top.pk).update(reply_count=selectors.REPLIES_PER_THREAD + 3)
    thread = comment_page(target=story, user=None).threads[0]
    assert len(thread.replies) == selectors.REPLIES_PER_THREAD
    assert thread.has_more_replies
    whole = selectors.comment_thread(comment=top, user=None)
    assert len(whole.thread.replies) == selectors.REPLIES_PER_THREAD + 3
    assert whole.next_cursor is None


def test_viewer_rights_follow_author_staff_and_window(
    story: Any, member: User, other_member: User, staff_user: User
) -> None:
    services.post_comment(author=member, target=story, body="Mine")
    rights = {}
    for name, user in [("author", member), ("other", other_member), ("staff", staff_user)]:
        view = comment_page(target=story, user=user).threads[0].top
        rights[name] = (view.can_reply, view.can_edit, view.can_delete)
    anonymous = comment_page(target=story, user=None).threads[0].top
    rights["anonymous"] = (anonymous.can_reply, anonymous.can_edit, anonymous.can_delete)
    assert rights == {
        "author": (True, True, True),
        "other": (True, False, False),
        "staff": (True, False, True),
        "anonymous": (False, False, False),
    }


def test_comment_counts_for_many_targets_in_one_query(
    story: Any, newsroom: Any, member: User, django_assert_num_queries: Any
) -> None:
    from gemeinsam.core.engagement import target_reference

    other = newsroom.add_story(title="Quiet story")
    make_comment(target=story, author=member)
    make_comment(target=story, author=member)
    make_comment(target=story, author=member, is_hidden=True)
    refs = [target_reference(story), target_reference(other)]
    with django_assert_num_queries(1):
        counts = selectors.comment_counts(refs)
    assert counts == {target_reference(story): 2}
