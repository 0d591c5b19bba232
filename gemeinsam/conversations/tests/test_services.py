"""Posting, replying, mentions, editing, deleting and counting faves on comments."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from gemeinsam.accounts.models import Block, User
from gemeinsam.conversations import services
from gemeinsam.conversations.models import Comment
from gemeinsam.conversations.tests.factories import make_comment
from gemeinsam.core.engagement import Tally, kind_of
from gemeinsam.core.personal_data import is_registered, registered
from gemeinsam.core.ratelimit import RateLimitedError

pytestmark = pytest.mark.django_db


def test_posting_stores_sanitised_html_and_announces_commented(
    story: Any, member: User, events: list[dict[str, Any]], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        comment = services.post_comment(author=member, target=story, body="  *Great* video  ")
    assert comment.body == "*Great* video"
    assert comment.body_html == "<p><em>Great</em> video</p>"
    assert comment.depth == 0
    assert comment.parent is None
    assert comment.root is None
    assert comment.path == f"{comment.pk:010d}/"
    assert not comment.is_official
    assert [(e["verb"], e["target"], e["context"]["comment"]) for e in events] == [
        ("commented", story, comment)
    ]


def test_reply_stores_the_chain_and_counts_on_every_ancestor(
    story: Any,
    member: User,
    other_member: User,
    events: list[dict[str, Any]],
    django_capture_on_commit_callbacks: Any,
) -> None:
    top = services.post_comment(author=member, target=story, body="Top")
    middle = services.post_comment(author=other_member, target=story, body="Middle", parent=top)
    with django_capture_on_commit_callbacks(execute=True):
        leaf = services.post_comment(author=member, target=story, body="Leaf", parent=middle)
    assert leaf.depth == 2
    assert leaf.root == top
    assert leaf.ancestor_ids == [top.pk, middle.pk]
    assert leaf.path == f"{top.pk:010d}/{middle.pk:010d}/{leaf.pk:010d}/"
    top.refresh_from_db()
    middle.refresh_from_db()
    assert (top.reply_count, middle.reply_count) == (2, 1)
    assert top.score == services.comment_score(fave_count=0, reply_count=2)
    assert [e["verb"] for e in events] == ["replied"]
    assert events[0]["context"] == {"comment": leaf, "parent": middle, "mentioned": []}


def test_reply_to_another_targets_comment_is_refused(
    story: Any, newsroom: Any, member: User
) -> None:
    other_story = newsroom.add_story(title="Another story")
    parent = services.post_comment(author=member, target=other_story, body="Elsewhere")
    with pytest.raises(services.ParentUnavailableError):
        services.post_comment(author=member, target=story, body="Hi", parent=parent)


def test_staff_comments_carry_the_official_badge(story: Any, staff_user: User) -> None:
    comment = services.post_comment(author=staff_user, target=story, body="From the team")
    assert comment.is_official


def test_mentions_notify_named_members_but_never_blocked_ones(
    story: Any, member: User, events: list[dict[str, Any]], django_capture_on_commit_callbacks: Any
) -> None:
    jane = User.objects.create_user(email="jane@example.org", display_name="Jane Doe")
    blocker = User.objects.create_user(email="b@example.org", display_name="Blocker")
    twin_a = User.objects.create_user(email="t1@example.org", display_name="Twin")
    User.objects.create_user(email="t2@example.org", display_name="Twin")
    Block.objects.create(blocker=blocker, blocked=member)
    body = f"@jane_doe @Blocker @Twin @member-{twin_a.pk} @nobody `@Jane_Doe`"
    with django_capture_on_commit_callbacks(execute=True):
        comment = services.post_comment(author=member, target=story, body=body)
    mentioned = [e for e in events if e["verb"] == "mentioned"]
    assert len(mentioned) == 1
    assert mentioned[0]["context"] == {"comment": comment, "users": [jane, twin_a]}
    assert mentioned[0]["actor"] == member


def test_members_cannot_mention_themselves(
    story: Any, events: list[dict[str, Any]], django_capture_on_commit_callbacks: Any
) -> None:
    author = User.objects.create_user(email="me@example.org", display_name="Me Myself")
    with django_capture_on_commit_callbacks(execute=True):
        services.post_comment(author=author, target=story, body="@Me_Myself hello")
    assert [e["verb"] for e in events] == ["commented"]


def test_blocked_members_cannot_reply_to_each_other(
    story: Any, member: User, other_member: User
) -> None:
    Block.objects.create(blocker=member, blocked=other_member)
    theirs = services.post_comment(author=other_member, target=story, body="Mine")
    mine = services.post_comment(author=member, target=story, body="Also mine")
    with pytest.raises(services.ReplyBlockedError, match="cannot reply"):
        services.post_comment(author=member, target=story, body="Hey", parent=theirs)
    with pytest.raises(services.ReplyBlockedError):
        services.post_comment(author=other_member, target=story, body="Hey", parent=mine)
    assert Comment.objects.count() == 2


def test_anonymous_and_inactive_users_cannot_post(story: Any, member: User) -> None:
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(services.NotAllowedError):
        services.post_comment(author=AnonymousUser(), target=story, body="Hi")
    member.is_active = False
    with pytest.raises(services.NotAllowedError):
        services.post_comment(author=member, target=story, body="Hi")


def test_unpublished_targets_take_no_comments(newsroom: Any, member: User) -> None:
    draft = newsroom.add_story(title="Draft", publish=False)
    with pytest.raises(services.TargetUnavailableError):
        services.post_comment(author=member, target=draft, body="Early")


@pytest.mark.parametrize("body", ["", "   ", "x" * (services.MAX_BODY_LENGTH + 1)])
def test_empty_or_overlong_comments_are_refused(story: Any, member: User, body: str) -> None:
    with pytest.raises(services.InvalidCommentError):
        services.post_comment(author=member, target=story, body=body)


def test_posting_is_rate_limited_per_member(story: Any, member: User, settings: Any) -> None:
    settings.GEMEINSAM_COMMENT_RATE_PER_MINUTE = 3
    with time_machine.travel(timezone.now().replace(second=1), tick=False):
        for number in range(3):
            services.post_comment(author=member, target=story, body=f"Comment {number}")
        with pytest.raises(RateLimitedError, match="very quickly") as raised:
            services.post_comment(author=member, target=story, body="One too many")
    assert 0 < raised.value.retry_after <= 60
    assert Comment.objects.count() == 3


def test_the_same_text_twice_within_a_minute_is_refused(story: Any, member: User) -> None:
    services.post_comment(author=member, target=story, body="First!")
    with pytest.raises(services.DuplicateCommentError):
        services.post_comment(author=member, target=story, body="First!")
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        services.post_comment(author=member, target=story, body="First!")


def test_author_may_edit_within_the_window_only(story: Any, member: User, settings: Any) -> None:
    settings.GEMEINSAM_COMMENT_EDIT_MINUTES = 15
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        comment = services.post_comment(author=member, target=story, body="Typo")
    with time_machine.travel(start + timedelta(minutes=14), tick=False):
        services.edit_comment(user=member, comment=comment, body="**Fixed**")
    comment.refresh_from_db()
    assert comment.body_html == "<p><strong>Fixed</strong></p>"
    assert comment.edited_at is not None
    with (
        time_machine.travel(start + timedelta(minutes=16), tick=False),
        pytest.raises(services.EditWindowClosedError, match="15 minutes"),
    ):
        services.edit_comment(user=member, comment=comment, body="Too late")
    settings.GEMEINSAM_COMMENT_EDIT_MINUTES = 60
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        services.edit_comment(user=member, comment=comment, body="Longer window")


def test_others_and_staff_cannot_edit(
    story: Any, member: User, other_member: User, staff_user: User
) -> None:
    comment = services.post_comment(author=member, target=story, body="Mine")
    for user in (other_member, staff_user):
        with pytest.raises(services.NotAllowedError):
            services.edit_comment(user=user, comment=comment, body="Changed")
    comment.refresh_from_db()
    assert comment.body == "Mine"
    assert comment.edited_at is None


def test_editing_announces_only_new_mentions(
    story: Any, member: User, events: list[dict[str, Any]], django_capture_on_commit_callbacks: Any
) -> None:
    jane = User.objects.create_user(email="jane@example.org", display_name="Jane")
    joe = User.objects.create_user(email="joe@example.org", display_name="Joe")
    comment = services.post_comment(author=member, target=story, body="@Jane hi")
    with django_capture_on_commit_callbacks(execute=True):
        services.edit_comment(user=member, comment=comment, body="@Jane and @Joe hi")
    assert [e["context"]["users"] for e in events if e["verb"] == "mentioned"] == [[joe]]
    assert jane.pk != joe.pk


def test_soft_delete_keeps_replies_readable(story: Any, member: User, other_member: User) -> None:
    top = services.post_comment(author=member, target=story, body="Top")
    reply = services.post_comment(author=other_member, target=story, body="Reply", parent=top)
    services.delete_comment(user=member, comment=top)
    top.refresh_from_db()
    assert top.is_deleted
    assert top.body == ""
    assert top.body_html == ""
    reply.refresh_from_db()
    assert reply.body == "Reply"
    assert reply.parent == top
    with pytest.raises(services.ParentUnavailableError):
        services.post_comment(author=other_member, target=story, body="More", parent=top)


def test_delete_authorisation(
    story: Any, member: User, other_member: User, staff_user: User
) -> None:
    from django.contrib.auth.models import AnonymousUser

    comment = services.post_comment(author=member, target=story, body="Mine")
    for user in (AnonymousUser(), other_member):
        with pytest.raises(services.NotAllowedError):
            services.delete_comment(user=user, comment=comment)
    plain_staff = User.objects.create_user(email="s@example.org", is_staff=True)
    with pytest.raises(services.NotAllowedError):
        services.delete_comment(user=plain_staff, comment=comment)
    services.delete_comment(user=staff_user, comment=comment)
    comment.refresh_from_db()
    assert comment.is_deleted


def test_fave_hook_updates_count_and_score(story: Any, member: User) -> None:
    comment = services.post_comment(author=member, target=story, body="Nice")
    kind = kind_of(comment)
    assert kind.is_public(comment)
    kind.count_changed(comment, Tally.FAVES, 1)
    kind.count_changed(comment, Tally.FAVES, 1)
    kind.count_changed(comment, Tally.FAVES, -1)
    comment.refresh_from_db()
    assert comment.fave_count == 1
    assert comment.score == pytest.approx(services.wilson_lower_bound(1, 2))
    assert kind.get_url(comment).endswith(f"#comment-{comment.pk}")
    assert kind.get_owner(comment) == member


def test_wilson_lower_bound_prefers_more_evidence() -> None:
    assert services.wilson_lower_bound(0, 0) == 0.0
    assert services.comment_score(fave_count=0, reply_count=0) == 0.0
    one_of_one = services.comment_score(fave_count=1, reply_count=0)
    twenty = services.comment_score(fave_count=20, reply_count=4)
    assert twenty > one_of_one > 0
    assert services.comment_score(fave_count=5, reply_count=50) < services.comment_score(
        fave_count=5, reply_count=0
    )


def test_comment_is_registered_as_personal_data_with_a_choice(story: Any) -> None:
    assert is_registered(Comment, "author")
    entry = next(e for e in registered() if e.model is Comment)
    assert entry.policy == "custom"
    assert entry.on_delete is not None


@pytest.mark.parametrize("choice", ["delete", "keep"])
def test_leaving_member_chooses_what_happens_to_their_comments(
    story: Any, member: User, other_member: User, choice: str
) -> None:
    entry = next(e for e in registered() if e.model is Comment)
    mine = make_comment(target=story, author=member, body="Mine")
    theirs = make_comment(target=story, author=other_member, body="Theirs", parent=mine)
    assert entry.on_delete is not None
    entry.on_delete(Comment.objects.filter(author=member), {"comments": choice})
    member.delete()
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.author is None
    assert mine.author_name == "deleted member"
    assert theirs.body == "Theirs"
    if choice == "keep":
        assert mine.body == "Mine"
        assert not mine.is_deleted
    else:
        assert mine.body == ""
        assert mine.is_deleted


def test_imported_guest_comments_keep_their_name_and_thread(story: Any) -> None:
    from datetime import datetime

    written = datetime(2015, 3, 1, 12, 0, tzinfo=timezone.get_current_timezone())
    top = services.import_comment(
        target=story, body="From the old blog", created_at=written, guest_name="Jo Reader"
    )
    reply = services.import_comment(
        target=story, body="Agreed", created_at=written, guest_name="Sam", parent=top
    )
    top.refresh_from_db()
    assert top.author_name == "Jo Reader"
    assert top.created_at == written
    assert top.reply_count == 1
    assert reply.root == top
