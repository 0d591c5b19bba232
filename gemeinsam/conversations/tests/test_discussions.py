"""Discussions: topics, starting a discussion, replies as comments, moderation, paging."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.contrib.contenttypes.models import ContentType
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gemeinsam.accounts.models import User
from gemeinsam.accounts.roles import COMMUNITY_MANAGER
from gemeinsam.conversations import selectors, services
from gemeinsam.conversations.markdown import render_markdown
from gemeinsam.conversations.models import Comment, DiscussionThread, DiscussionTopic
from gemeinsam.conversations.tests.factories import make_comment
from gemeinsam.core import personal_data
from gemeinsam.core.engagement import kind_of, target_reference
from gemeinsam.core.ratelimit import RateLimitedError
from gemeinsam.moderation import services as moderation
from gemeinsam.moderation.models import Report

pytestmark = pytest.mark.django_db

LIST_URL = "/en/comments/discussions/"


@pytest.fixture
def topic(db: Any) -> DiscussionTopic:
    return DiscussionTopic.objects.create(
        name="Energy at home", slug="energy", description="Heat pumps, solar, insulation."
    )


@pytest.fixture
def manager(db: Any) -> User:
    user = User.objects.create_user(email="cm@example.org", is_staff=True)
    user.groups.add(Group.objects.get(name=COMMUNITY_MANAGER))
    return user


def make_thread(
    *, topic: DiscussionTopic, author: Any = None, title: str = "A discussion", **fields: Any
) -> DiscussionThread:
    now = timezone.now()
    body = fields.pop("body", "")
    fields.setdefault("created_at", now)
    fields.setdefault("last_activity_at", fields["created_at"])
    return DiscussionThread.objects.create(
        topic=topic,
        author=author,
        title=title,
        body=body,
        body_html=render_markdown(body) if body else "",
        **fields,
    )


def topic_url(topic: DiscussionTopic) -> str:
    return f"/en/comments/discussions/{topic.slug}/"


def thread_url(thread: DiscussionThread) -> str:
    return f"/en/comments/discussions/{thread.topic.slug}/{thread.pk}/"


def _client(user: User | None = None) -> Client:
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    return client


def _csrf(client: Client, url: str) -> str:
    client.get(url)
    return str(client.cookies["csrftoken"].value)


def _listed_ids(html: str) -> list[int]:
    return [int(found) for found in re.findall(r'id="discussion-(\d+)"', html)]


# ------------------------------------------------------------------------------ routes


def test_routes_live_under_comments() -> None:
    assert reverse("conversations:discussions") == LIST_URL
    assert reverse("conversations:topic", args=["energy"]) == "/en/comments/discussions/energy/"
    assert reverse("conversations:discussion", args=["energy", 7]) == (
        "/en/comments/discussions/energy/7/"
    )


def test_topic_list_shows_open_topics_with_counts(topic: DiscussionTopic, member: User) -> None:
    DiscussionTopic.objects.create(name="Archive", slug="archive", is_open=False)
    make_thread(topic=topic, author=member, title="First")
    make_thread(topic=topic, author=member, title="Second")
    make_thread(topic=topic, author=member, title="Gone", is_hidden=True)

    html = Client().get(LIST_URL).content.decode()

    assert "Energy at home" in html
    assert "2 discussions" in html
    assert "Archive" not in html
    assert f'href="{topic_url(topic)}"' in html


def test_header_links_to_discussions(topic: DiscussionTopic) -> None:
    html = Client().get(topic_url(topic)).content.decode()
    assert f'<a href="{LIST_URL}">Discussions</a>' in html


# ------------------------------------------------------------------------ starting one


def test_member_starts_a_discussion_over_http_with_csrf(
    topic: DiscussionTopic,
    member: User,
    events: list[dict[str, Any]],
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = _client(member)
    token = _csrf(client, topic_url(topic))
    data = {"title": "  Heat pump   in an old house?  ", "body": "Has anyone *tried* it?"}

    forged = client.post(topic_url(topic), data)
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(topic_url(topic), {**data, "csrfmiddlewaretoken": token})

    assert forged.status_code == 403
    thread = DiscussionThread.objects.get()
    assert started.status_code == 303
    assert started["Location"] == thread_url(thread)
    assert (thread.title, thread.author, thread.topic) == (
        "Heat pump in an old house?",
        member,
        topic,
    )
    assert thread.body_html == "<p>Has anyone <em>tried</em> it?</p>"
    assert [event["verb"] for event in events] == ["started_thread"]
    page = client.get(started["Location"])
    assert page.status_code == 200
    assert "Heat pump in an old house?" in page.content.decode()


def test_anonymous_is_refused_and_gets_no_form_and_no_cookie(
    topic: DiscussionTopic, member: User
) -> None:
    thread = make_thread(topic=topic, author=member, title="Open question")
    client = _client()

    pages = [client.get(url) for url in (LIST_URL, topic_url(topic), thread_url(thread))]
    posted = client.post(topic_url(topic), {"title": "Sneaky", "body": "x"})

    for response in pages:
        assert response.status_code == 200
        assert not response.cookies, response.cookies
        assert "csrfmiddlewaretoken" not in response.content.decode()
    assert "Sign in to start a discussion" in pages[1].content.decode()
    assert 'id="start-discussion"' not in pages[1].content.decode()
    assert "Sign in to comment" in pages[2].content.decode()
    assert posted.status_code == 403
    assert DiscussionThread.objects.count() == 1


def test_authorisation_in_the_service(topic: DiscussionTopic) -> None:
    inactive = User.objects.create_user(email="gone@example.org", is_active=False)
    for author in (None, AnonymousUser(), inactive):
        with pytest.raises(services.DiscussionNotAllowedError):
            services.start_thread(author=author, topic=topic, title="Hello there", body="")
    assert not DiscussionThread.objects.exists()


def test_closed_topic_refuses_new_discussions(topic: DiscussionTopic, member: User) -> None:
    topic.is_open = False
    topic.save()
    client = _client(member)

    with pytest.raises(services.TopicClosedError):
        services.start_thread(author=member, topic=topic, title="Too late", body="")
    posted = Client()
    posted.force_login(member)
    response = posted.post(topic_url(topic), {"title": "Too late"})

    assert response.status_code == 404
    assert client.get(topic_url(topic)).status_code == 404
    assert not DiscussionThread.objects.exists()


@pytest.mark.parametrize(
    ("title", "message"),
    [
        ("", "Give the discussion a title."),
        ("   ", "Give the discussion a title."),
        ("ab", "Give the discussion a title of at least 3 characters."),
        ("a" * 201, "A title can be at most 200 characters long."),
    ],
)
def test_title_is_validated(topic: DiscussionTopic, member: User, title: str, message: str) -> None:
    client = _client(member)
    token = _csrf(client, topic_url(topic))

    response = client.post(
        topic_url(topic), {"title": title, "body": "Body", "csrfmiddlewaretoken": token}
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    assert not DiscussionThread.objects.exists()


def test_rate_limit_answers_429(topic: DiscussionTopic, member: User) -> None:
    for number in range(5):
        services.start_thread(author=member, topic=topic, title=f"Thread {number}", body="")
    with pytest.raises(RateLimitedError):
        services.start_thread(author=member, topic=topic, title="One too many", body="")
    client = _client(member)
    token = _csrf(client, topic_url(topic))

    response = client.post(
        topic_url(topic), {"title": "Still too many", "csrfmiddlewaretoken": token}
    )

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Please wait a few minutes" in response.content.decode()
    assert DiscussionThread.objects.count() == 5


# ---------------------------------------------------------------------------- safety

XSS_TITLES = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "javascript:alert(1)",
]
XSS_BODIES = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click me](javascript:alert(1))",
    '<a href="javascript:alert(1)">click</a>',
]


@pytest.mark.parametrize("payload", range(4))
def test_markup_in_titles_and_bodies_is_inert(
    topic: DiscussionTopic, member: User, payload: int
) -> None:
    title = XSS_TITLES[payload % len(XSS_TITLES)] + " please"
    thread = services.start_thread(
        author=member, topic=topic, title=title, body=XSS_BODIES[payload]
    )
    for client in (_client(), _client(member)):
        for url in (topic_url(topic), thread_url(thread)):
            html = client.get(url).content.decode()
            lowered = html.lower()
            assert "<script>alert" not in lowered
            assert "<img src=x" not in lowered
            assert not re.search(r"<a\s[^>]*href\s*=\s*[\"']?\s*javascript:", lowered)
            assert "&lt;" in html or "javascript:alert(1)" in html


# --------------------------------------------------------------------------- replies


def test_replies_count_and_move_the_discussion_up(
    topic: DiscussionTopic,
    member: User,
    other_member: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    long_ago = timezone.now() - timedelta(days=3)
    older = make_thread(topic=topic, author=member, title="Older", created_at=long_ago)
    newer = make_thread(
        topic=topic, author=member, title="Newer", created_at=long_ago + timedelta(days=1)
    )
    assert _listed_ids(Client().get(topic_url(topic)).content.decode()) == [newer.pk, older.pk]
    client = _client(other_member)
    token = _csrf(client, thread_url(older))
    list_url = reverse("conversations:comments", args=target_reference(older))

    with django_capture_on_commit_callbacks(execute=True):
        posted = client.post(list_url, {"body": "I have one!", "csrfmiddlewaretoken": token})
        first = Comment.objects.get()
        services.post_comment(author=member, target=older, body="Tell me more", parent=first)

    older.refresh_from_db()
    assert posted.status_code == 303
    assert posted["Location"] == f"{thread_url(older)}#comment-{first.pk}"
    assert older.reply_count == 2
    assert older.last_activity_at > newer.last_activity_at
    html = Client().get(topic_url(topic)).content.decode()
    assert _listed_ids(html) == [older.pk, newer.pk]
    assert "2 replies" in html
    thread_html = Client().get(thread_url(older)).content.decode()
    assert "I have one!" in thread_html
    assert "Tell me more" in thread_html


def _counts(thread: DiscussionThread, *comments: Comment) -> list[int]:
    thread.refresh_from_db()
    for comment in comments:
        comment.refresh_from_db()
    return [thread.reply_count, *(comment.reply_count for comment in comments)]


def test_reply_counts_go_down_when_replies_are_deleted_or_hidden_and_up_on_restore(
    topic: DiscussionTopic,
    member: User,
    other_member: User,
    manager: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    thread = make_thread(topic=topic, author=member, title="Counted")
    first = services.post_comment(author=other_member, target=thread, body="First")
    answer = services.post_comment(author=member, target=thread, body="Answer", parent=first)
    later = services.post_comment(author=other_member, target=thread, body="Later")
    assert _counts(thread, first) == [3, 1]
    client = _client(member)
    token = _csrf(client, thread_url(thread))

    deleted = client.post(f"/en/comments/{answer.pk}/delete/", {"csrfmiddlewaretoken": token})
    again = client.post(f"/en/comments/{answer.pk}/delete/", {"csrfmiddlewaretoken": token})

    assert (deleted.status_code, again.status_code) == (303, 303)
    assert _counts(thread, first) == [2, 0]
    assert "2 replies" in Client().get(topic_url(topic)).content.decode()
    report_url = f"/en/report/{ContentType.objects.get_for_model(later).pk}/{later.pk}/"
    Client().post(report_url, {"reason": "spam"})
    with django_capture_on_commit_callbacks(execute=True):
        moderation.decide_report(actor=manager, report=Report.objects.get(), hide=True)
    assert _counts(thread, first) == [1, 0]
    assert "1 reply" in Client().get(topic_url(topic)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        moderation.decide_report(actor=manager, report=Report.objects.get(), hide=False)
    assert _counts(thread, first) == [2, 0]
    # Hidden, then deleted: counted out once; restoring a deleted reply counts nothing.
    services.set_comment_hidden(later, True)
    services.delete_comment(user=other_member, comment=later)
    services.set_comment_hidden(later, False)
    assert _counts(thread, first) == [1, 0]
    # Never below 0, whatever the stored count says.
    DiscussionThread.objects.filter(pk=thread.pk).update(reply_count=0)
    services.set_comment_hidden(first, True)
    assert _counts(thread, first) == [0, 0]


def test_a_leaving_members_deleted_replies_are_counted_out(
    topic: DiscussionTopic, member: User, other_member: User
) -> None:
    thread = make_thread(topic=topic, author=member, title="Counted")
    first = services.post_comment(author=member, target=thread, body="Mine")
    services.post_comment(author=other_member, target=thread, body="Theirs", parent=first)
    services.post_comment(author=other_member, target=thread, body="Also theirs", parent=first)
    services.post_comment(author=other_member, target=thread, body="Top")
    assert _counts(thread, first) == [4, 2]

    services.erase_member_comments(Comment.objects.filter(author=other_member), {})

    assert _counts(thread, first) == [1, 0]


def test_deleted_replies_do_not_hide_the_link_to_the_whole_thread(story: Any, member: User) -> None:
    top = services.post_comment(author=member, target=story, body="Top")
    replies = [
        make_comment(target=story, author=member, parent=top, body=f"Reply {number}")
        for number in range(selectors.REPLIES_PER_THREAD + 2)
    ]
    Comment.objects.filter(pk=top.pk).update(reply_count=len(replies))
    for reply in replies[:5]:
        services.delete_comment(user=member, comment=reply)
    top.refresh_from_db()

    thread = selectors.comment_page(target=story, user=None).threads[0]

    assert top.reply_count == selectors.REPLIES_PER_THREAD - 3
    assert len(thread.replies) == selectors.REPLIES_PER_THREAD
    assert thread.has_more_replies


def test_locked_discussion_takes_no_replies(topic: DiscussionTopic, member: User) -> None:
    thread = make_thread(topic=topic, author=member, title="Settled", is_locked=True)

    with pytest.raises(services.CommentsClosedError):
        services.post_comment(author=member, target=thread, body="One more thing")

    thread.refresh_from_db()
    assert (thread.reply_count, Comment.objects.count()) == (0, 0)
    html = _client(member).get(thread_url(thread)).content.decode()
    assert "This discussion is locked" in html
    assert 'name="body"' not in html


def test_locked_discussion_keeps_its_replies_and_refuses_new_ones_over_http(
    topic: DiscussionTopic, member: User, other_member: User
) -> None:
    thread = make_thread(topic=topic, author=member, title="Settled")
    earlier = services.post_comment(author=other_member, target=thread, body="Said before")
    moderation.lock_discussion(
        actor=User.objects.create_superuser(email="boss@example.org"), thread=thread, locked=True
    )
    client = _client(member)
    token = _csrf(client, thread_url(thread))
    list_url = reverse("conversations:comments", args=target_reference(thread))

    page = client.get(thread_url(thread)).content.decode()
    posted = client.post(list_url, {"body": "Too late", "csrfmiddlewaretoken": token})
    replied = client.post(
        list_url, {"body": "Late reply", "parent_id": earlier.pk, "csrfmiddlewaretoken": token}
    )
    with_htmx = client.post(
        list_url, {"body": "Late too", "csrfmiddlewaretoken": token}, HTTP_HX_REQUEST="true"
    )
    reply_form = client.get(f"/en/comments/{earlier.pk}/reply/")

    assert '<p class="comment-closed" role="note">This discussion is locked' in page
    assert "Said before" in page
    assert 'name="body"' not in page
    assert f"/en/comments/{earlier.pk}/reply/" not in page
    for response in (posted, replied, reply_form):
        assert response.status_code == 403
        assert "This discussion is locked and takes no more replies." in response.content.decode()
    assert with_htmx.status_code == 200  # htmx swaps only successes: the form with the error
    assert "This discussion is locked and takes no more replies." in with_htmx.content.decode()
    thread.refresh_from_db()
    assert (thread.reply_count, Comment.objects.count()) == (1, 1)


def test_community_managers_lock_and_hide_discussions_from_the_admin(
    topic: DiscussionTopic,
    member: User,
    manager: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    thread = make_thread(topic=topic, author=member, title="Heated debate")
    Client().post(
        f"/en/report/{ContentType.objects.get_for_model(thread).pk}/{thread.pk}/",
        {"reason": "harassment"},
    )
    client = _client(manager)
    listing = client.get("/admin/discussions/")
    token = client.cookies["csrftoken"].value
    action_url = f"/admin/discussions/{thread.pk}/"

    def act(action: str, **extra: str) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                action_url, {"action": action, "csrfmiddlewaretoken": token, **extra}
            )

    assert listing.status_code == 200
    assert "Heated debate" in listing.content.decode()
    assert "Discussions" in client.get("/admin/").content.decode()
    locked = act("lock", next="/admin/discussions/?state=locked")
    thread.refresh_from_db()
    assert (locked.status_code, locked["Location"]) == (303, "/admin/discussions/?state=locked")
    assert thread.is_locked
    assert "Heated debate" in client.get("/admin/discussions/?state=locked").content.decode()
    assert "This discussion is locked" in Client().get(thread_url(thread)).content.decode()

    hidden = act("hide", next="https://evil.example/")
    thread.refresh_from_db()
    assert (hidden.status_code, hidden["Location"]) == (303, "/admin/discussions/")
    assert thread.is_hidden
    assert Report.objects.get().status == "hidden"
    assert Client().get(thread_url(thread)).status_code == 404
    assert "Heated debate" in client.get("/admin/discussions/?state=hidden").content.decode()

    act("restore")
    act("unlock")
    thread.refresh_from_db()
    assert (thread.is_hidden, thread.is_locked) == (False, False)
    assert 'name="body"' in _client(member).get(thread_url(thread)).content.decode()
    assert (
        client.post(action_url, {"action": "explode", "csrfmiddlewaretoken": token}).status_code
        == 400
    )


def test_community_managers_lock_from_the_discussion_page_with_and_without_htmx(
    topic: DiscussionTopic, member: User, manager: User
) -> None:
    thread = make_thread(topic=topic, author=member, title="Lock me here")
    client = _client(manager)
    token = _csrf(client, thread_url(thread))
    page = client.get(thread_url(thread)).content.decode()
    assert f'action="/admin/discussions/{thread.pk}/"' in page
    assert "Lock this discussion" in page
    assert "Lock this discussion" not in _client(member).get(thread_url(thread)).content.decode()

    fragment = client.post(
        f"/admin/discussions/{thread.pk}/",
        {"action": "lock", "next": thread_url(thread), "csrfmiddlewaretoken": token},
        HTTP_HX_REQUEST="true",
    )
    html = fragment.content.decode()
    assert fragment.status_code == 200
    assert html.startswith('<div class="discussion-replies" id="discussion-replies">')
    assert "Unlock this discussion" in html
    assert "This discussion is locked" in html
    unlocked = client.post(
        f"/admin/discussions/{thread.pk}/",
        {"action": "unlock", "next": thread_url(thread), "csrfmiddlewaretoken": token},
    )
    assert (unlocked.status_code, unlocked["Location"]) == (303, thread_url(thread))
    thread.refresh_from_db()
    assert not thread.is_locked


def test_only_community_managers_lock_or_hide(
    topic: DiscussionTopic, member: User, other_member: User
) -> None:
    thread = make_thread(topic=topic, author=member, title="Mine to keep")
    plain_staff = User.objects.create_user(email="editor@example.org", is_staff=True)
    for actor in (AnonymousUser(), member, plain_staff):
        with pytest.raises(moderation.ModerationError):
            moderation.lock_discussion(actor=actor, thread=thread, locked=True)
        with pytest.raises(moderation.ModerationError):
            moderation.hide_content(actor=actor, target=thread, hide=True)
    client = _client(member)
    token = _csrf(client, thread_url(thread))

    response = client.post(
        f"/admin/discussions/{thread.pk}/", {"action": "lock", "csrfmiddlewaretoken": token}
    )

    assert response.status_code in (302, 403)
    assert client.get("/admin/discussions/").status_code in (302, 403)
    thread.refresh_from_db()
    assert (thread.is_locked, thread.is_hidden) == (False, False)


def test_faves_on_a_discussion_use_the_engagement_bar(
    topic: DiscussionTopic, member: User, other_member: User
) -> None:
    thread = make_thread(topic=topic, author=member, title="Fave me")
    client = _client(other_member)
    token = _csrf(client, thread_url(thread))
    fave_url = reverse("community:fave", args=target_reference(thread))

    response = client.post(
        fave_url, {"on": "1", "next": thread_url(thread), "csrfmiddlewaretoken": token}
    )

    assert response.status_code in (302, 303)
    assert "1 fave" in client.get(thread_url(thread)).content.decode()
    kind = kind_of(thread)
    assert kind.label == "thread"
    assert kind.get_owner(thread) == member


def test_discussions_by_blocked_members_leave_topic_pages_both_ways(
    topic: DiscussionTopic, member: User, other_member: User
) -> None:
    from gemeinsam.accounts.models import Block

    theirs = make_thread(topic=topic, author=other_member, title="By the blocked one")
    mine = make_thread(topic=topic, author=member, title="By the blocker")
    orphan = make_thread(topic=topic, author=None, title="By a deleted member")
    third = User.objects.create_user(email="third@example.org", display_name="Third")
    Block.objects.create(blocker=member, blocked=other_member)

    blocker = _client(member).get(topic_url(topic)).content.decode()
    blocked = _client(other_member).get(topic_url(topic)).content.decode()
    bystander = _client(third).get(topic_url(topic)).content.decode()
    anonymous = Client().get(topic_url(topic)).content.decode()

    assert sorted(_listed_ids(blocker)) == sorted([mine.pk, orphan.pk])
    assert sorted(_listed_ids(blocked)) == sorted([theirs.pk, orphan.pk])
    for html in (bystander, anonymous):
        assert sorted(_listed_ids(html)) == sorted([theirs.pk, mine.pk, orphan.pk])
    assert _client(member).get(thread_url(theirs)).status_code == 404
    assert _client(other_member).get(thread_url(mine)).status_code == 404
    assert _client(third).get(thread_url(theirs)).status_code == 200


# ---------------------------------------------------------------------------- following


def _notes(user: User) -> list[tuple[str, str]]:
    from gemeinsam.community.selectors import notifications

    return [(note.verb, note.actor.public_name) for note in notifications(user=user)]


def test_member_follows_and_unfollows_a_discussion_without_and_with_htmx(
    topic: DiscussionTopic, member: User, other_member: User
) -> None:
    from gemeinsam.community.models import ItemFollow

    thread = make_thread(topic=topic, author=member, title="Follow me")
    content_type_id, object_id = target_reference(thread)
    follow_url = f"/en/community/follow-item/{content_type_id}/{object_id}/"
    client = _client(other_member)
    token = _csrf(client, thread_url(thread))
    page = client.get(thread_url(thread)).content.decode()
    assert f'action="{follow_url}"' in page
    assert "Follow this discussion" in page

    forged = client.post(follow_url, {"on": "1"})
    followed = client.post(
        follow_url, {"on": "1", "next": thread_url(thread), "csrfmiddlewaretoken": token}
    )

    assert forged.status_code == 403
    assert followed.status_code == 303
    assert followed["Location"] == f"{thread_url(thread)}#follow-{content_type_id}-{object_id}"
    assert ItemFollow.objects.filter(user=other_member).count() == 1
    assert re.search(
        r'aria-pressed="true"[^>]*>Following this discussion',
        client.get(thread_url(thread)).content.decode(),
    )

    stopped = client.post(
        follow_url, {"on": "0", "csrfmiddlewaretoken": token}, HTTP_HX_REQUEST="true"
    )

    html = stopped.content.decode()
    assert stopped.status_code == 200
    assert html.startswith(f'<div class="item-follow" id="follow-{content_type_id}-{object_id}"')
    assert re.search(r'aria-pressed="false"[^>]*>Follow this discussion', html)
    assert not ItemFollow.objects.filter(user=other_member).exists()
    anonymous = Client()
    assert follow_url not in anonymous.get(thread_url(thread)).content.decode()
    assert anonymous.post(follow_url, {"on": "1"}).status_code == 302


def test_stories_and_hidden_discussions_cannot_be_followed(
    story: Any, topic: DiscussionTopic, member: User
) -> None:
    from gemeinsam.community import services as community

    hidden = make_thread(topic=topic, author=member, title="Gone", is_hidden=True)
    client = _client(member)
    token = _csrf(client, topic_url(topic))
    for target in (story, hidden):
        url = "/en/community/follow-item/{}/{}/".format(*target_reference(target))
        assert client.post(url, {"on": "1", "csrfmiddlewaretoken": token}).status_code == 404
        with pytest.raises(community.CommunityError):
            community.set_item_follow(user=member, target=target, following=True)


def test_followers_hear_of_replies_by_others_never_of_their_own(
    topic: DiscussionTopic,
    member: User,
    other_member: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from gemeinsam.community import services as community

    third = User.objects.create_user(email="third@example.org", display_name="Third Voice")
    with django_capture_on_commit_callbacks(execute=True):
        thread = services.start_thread(author=member, topic=topic, title="Our plans", body="")
    community.set_item_follow(user=other_member, target=thread, following=True)

    with django_capture_on_commit_callbacks(execute=True):
        first = services.post_comment(author=third, target=thread, body="An idea")
    with django_capture_on_commit_callbacks(execute=True):
        services.post_comment(author=member, target=thread, body="Nice", parent=first)

    # The starter follows automatically; nobody hears of their own reply, and the member
    # replied to is told once ("replied to you"), not twice.
    assert _notes(member) == [("new_reply", "Third Voice")]
    assert _notes(other_member) == [
        ("new_reply", member.public_name),
        ("new_reply", "Third Voice"),
    ]
    assert _notes(third) == [("replied", member.public_name)]
    reader = Client()
    reader.force_login(other_member)
    html = reader.get("/en/community/notifications/").content.decode()
    link = f'<a href="{thread_url(thread)}#comment-{first.pk}">Our plans</a>'
    assert f"Third Voice replied in a discussion you follow: {link}" in html

    community.set_item_follow(user=other_member, target=thread, following=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.post_comment(author=third, target=thread, body="Another idea")
    assert len(_notes(other_member)) == 2
    assert len(_notes(member)) == 2

    # A hidden discussion takes its notifications along.
    services.set_thread_hidden(thread, True)
    assert _notes(member) == []


def test_followers_who_mute_or_block_the_replier_are_not_told(
    topic: DiscussionTopic,
    member: User,
    other_member: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from gemeinsam.accounts.models import Block, Mute
    from gemeinsam.community import services as community

    thread = make_thread(topic=topic, author=None, title="Crowded")
    muter = User.objects.create_user(email="muter@example.org")
    blocked = User.objects.create_user(email="blocked@example.org")
    for follower in (member, muter, blocked):
        community.set_item_follow(user=follower, target=thread, following=True)
    Mute.objects.create(muter=muter, muted=other_member)
    Block.objects.create(blocker=other_member, blocked=blocked)

    with django_capture_on_commit_callbacks(execute=True):
        services.post_comment(author=other_member, target=thread, body=f"Hello @member-{member.pk}")

    assert _notes(member) == [("mentioned", "Other Person")]  # told once, as mentioned
    assert _notes(muter) == []
    assert _notes(blocked) == []


# ------------------------------------------------------------------------------ paging


def test_keyset_pages_without_duplicates(topic: DiscussionTopic, member: User) -> None:
    moment = timezone.now() - timedelta(hours=1)
    # Ties on last activity on purpose: the id breaks them.
    threads = [
        make_thread(
            topic=topic,
            author=member,
            title=f"Thread {number}",
            last_activity_at=moment + timedelta(minutes=number // 3),
        )
        for number in range(selectors.DISCUSSION_PAGE_SIZE + 7)
    ]
    client = Client()

    first = client.get(topic_url(topic)).content.decode()
    cursor = re.search(r'href="\?cursor=([^"]+)" rel="next"', first)
    assert cursor is not None
    second = client.get(f"{topic_url(topic)}?cursor={cursor.group(1)}").content.decode()
    forged = client.get(f"{topic_url(topic)}?cursor=not-a-cursor").content.decode()

    first_ids, second_ids = _listed_ids(first), _listed_ids(second)
    assert len(first_ids) == selectors.DISCUSSION_PAGE_SIZE
    assert len(second_ids) == 7
    assert not set(first_ids) & set(second_ids)
    expected = sorted(threads, key=lambda t: (t.last_activity_at, t.pk), reverse=True)
    assert first_ids + second_ids == [t.pk for t in expected]
    assert 'rel="next"' not in second
    assert _listed_ids(forged) == first_ids


# -------------------------------------------------------------------------- moderation


def test_report_and_hide_removes_the_discussion(
    topic: DiscussionTopic,
    member: User,
    manager: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    thread = make_thread(topic=topic, author=member, title="Spammy offer")
    content_type = ContentType.objects.get_for_model(thread)
    report_url = f"/en/report/{content_type.pk}/{thread.pk}/"
    assert f'href="{report_url}"' in Client().get(thread_url(thread)).content.decode()

    reported = Client().post(report_url, {"reason": "spam"})
    report = Report.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        moderation.decide_report(actor=manager, report=report, hide=True)

    thread.refresh_from_db()
    assert reported.status_code == 200
    assert thread.is_hidden
    assert "Spammy offer" not in Client().get(topic_url(topic)).content.decode()
    assert Client().get(thread_url(thread)).status_code == 404
    assert "0 discussions" in Client().get(LIST_URL).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        moderation.decide_report(actor=manager, report=report, hide=False)
    assert "Spammy offer" in Client().get(topic_url(topic)).content.decode()


# ------------------------------------------------------------------------ personal data


def _thread_entry() -> personal_data.PersonalData:
    return next(e for e in personal_data.registered() if e.model is DiscussionThread)


def test_personal_data_is_registered(topic: DiscussionTopic, member: User) -> None:
    entry = _thread_entry()
    assert personal_data.is_registered(DiscussionThread, "author")
    assert (entry.user_field, entry.policy) == ("author", "custom")
    assert {"title", "body", "created_at"} <= set(entry.fields)


@pytest.mark.parametrize(
    ("choice", "hidden", "body"), [("keep", False, "My text"), ("delete", True, "")]
)
def test_leaving_member_discussions_follow_the_comment_choice(
    topic: DiscussionTopic, member: User, choice: str, hidden: bool, body: str
) -> None:
    thread = make_thread(topic=topic, author=member, title="My question", body="My text")
    entry = _thread_entry()
    assert entry.on_delete is not None

    entry.on_delete(DiscussionThread.objects.filter(author=member), {"comments": choice})

    thread.refresh_from_db()
    assert (thread.author, thread.is_hidden, thread.body) == (None, hidden, body)
    assert bool(thread.body_html) is not hidden
    if not hidden:
        assert "deleted member" in Client().get(thread_url(thread)).content.decode()


# ------------------------------------------------------------------------------- admin


def test_staff_keep_topics_in_the_admin(admin_user: User, topic: DiscussionTopic) -> None:
    client = Client()
    client.force_login(admin_user)

    listing = client.get("/admin/snippets/conversations/discussiontopic/")
    dashboard = client.get("/admin/")

    assert listing.status_code == 200
    assert "Energy at home" in listing.content.decode()
    assert "Discussion topics" in dashboard.content.decode()


# ----------------------------------------------------------------------------- queries


def _count_queries(client: Client, url: str) -> int:
    client.get(url)  # warm up: content types, the site
    for alias in ("default", "scopes"):  # measure a render, not the full-page cache
        caches[alias].clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("signed_in", [False, True])
def test_topic_page_queries_are_pinned(
    topic: DiscussionTopic, member: User, signed_in: bool
) -> None:
    client = _client(member if signed_in else None)
    counts = []
    for total in (3, 30):
        DiscussionThread.objects.all().delete()
        for number in range(total):
            make_thread(topic=topic, author=member, title=f"Thread {number}")
        counts.append(_count_queries(client, topic_url(topic)))
    assert counts == [TOPIC_QUERIES[signed_in]] * 2


@pytest.mark.parametrize("signed_in", [False, True])
def test_thread_page_queries_are_pinned(
    topic: DiscussionTopic, member: User, other_member: User, signed_in: bool
) -> None:
    client = _client(member if signed_in else None)
    counts = []
    for total in (3, 30):
        thread = make_thread(topic=topic, author=member, title=f"With {total} replies")
        for number in range(total):
            make_comment(target=thread, author=other_member, body=f"Reply {number}")
        counts.append(_count_queries(client, thread_url(thread)))
    assert counts == [THREAD_QUERIES[signed_in]] * 2


def test_topic_list_queries_are_pinned(topic: DiscussionTopic, member: User) -> None:
    counts = []
    for total in (3, 30):
        for number in range(total):
            DiscussionTopic.objects.create(
                name=f"Topic {total}-{number}", slug=f"t-{total}-{number}"
            )
        counts.append(_count_queries(_client(), LIST_URL))
    assert counts == [TOPIC_LIST_QUERIES] * 2


TOPIC_QUERIES = {False: 4, True: 9}
# Signed in: one more than before discussions could be followed (is the member following?).
THREAD_QUERIES = {False: 7, True: 16}
TOPIC_LIST_QUERIES = 3


# ----------------------------------------------------------------------------- browser


@pytest.fixture
def browser_page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("language", ["en", "de"])
def test_discussion_pages_pass_axe(
    browser_page: Any, live_server: Any, chromium_path: str, language: str
) -> None:
    from gemeinsam.newsroom.tests.test_browser import serious_violations

    author = User.objects.create_user(
        email="writer@example.org", password="correct-horse-9", display_name="Writer One"
    )
    topic = DiscussionTopic.objects.create(
        name="Energy at home", slug="energy", description="Heat pumps, solar, insulation."
    )
    thread = services.start_thread(
        author=author, topic=topic, title="Heat pump in an old house?", body="Has anyone *tried*?"
    )
    services.post_comment(author=author, target=thread, body="Me, **twice**.")
    client = Client()
    client.force_login(author)
    browser_page.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    tab = browser_page.new_page()
    failures = {}
    for path in ("discussions/", "discussions/energy/", f"discussions/energy/{thread.pk}/"):
        url = f"{live_server.url}/{language}/comments/{path}"
        response = tab.goto(url)
        assert response is not None, url
        assert response.status == 200, url
        assert tab.locator("html").get_attribute("lang") == language
        found = serious_violations(tab)
        if found:
            failures[url] = found
        if path == "discussions/energy/":
            assert tab.locator("#start-discussion").count() == 1  # signed in
    assert not failures, failures
