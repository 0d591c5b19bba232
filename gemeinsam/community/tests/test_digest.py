"""The notification digest goes out once a day, only to members who asked, with unsubscribe,
and carries what members wrote as inert text."""

from __future__ import annotations

import re
from datetime import timedelta
from email import message_from_bytes, policy
from html.parser import HTMLParser

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from gemeinsam.accounts.models import MailPreference, User
from gemeinsam.community import services
from gemeinsam.community.digest import send_due_digests
from gemeinsam.community.models import Notification
from gemeinsam.conversations.models import DiscussionThread, DiscussionTopic
from gemeinsam.conversations.services import post_comment
from gemeinsam.conversations.tests.test_markdown import XSS_PAYLOADS
from gemeinsam.core.engagement import target_reference
from gemeinsam.newsroom.models import ArticlePage

pytestmark = pytest.mark.django_db


@pytest.fixture
def followed(django_capture_on_commit_callbacks):
    member = User.objects.create_user(email="digest@example.org", display_name="Dora")
    for number in range(3):
        fan = User.objects.create_user(email=f"f{number}@example.org", display_name=f"Fan{number}")
        with django_capture_on_commit_callbacks(execute=True):
            services.follow_member(user=fan, member=member)
    return member


def test_members_without_the_digest_get_no_mail(followed) -> None:
    assert send_due_digests() == 0
    assert not mail.outbox


def test_digest_lists_unread_notifications_once_a_day(followed) -> None:
    MailPreference.objects.create(user=followed, kind="digest", is_enabled=True)

    assert send_due_digests() == 1
    assert send_due_digests() == 0  # not again the same day

    message = mail.outbox[0]
    assert message.to == ["digest@example.org"]
    assert "Fan0" in message.body
    assert "followed you" in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/unsubscribe/" in message.extra_headers["List-Unsubscribe"]
    assert send_due_digests(now=timezone.now() + timedelta(days=2)) == 0  # nothing new


def test_digest_leaves_out_what_the_notifications_page_leaves_out(followed) -> None:
    from gemeinsam.accounts.models import Mute
    from gemeinsam.accounts.services import set_profile_hidden

    MailPreference.objects.create(user=followed, kind="digest", is_enabled=True)
    set_profile_hidden(User.objects.get(display_name="Fan0"), True)
    Mute.objects.create(muter=followed, muted=User.objects.get(display_name="Fan1"))

    assert send_due_digests() == 1

    body = mail.outbox[0].body
    assert "Fan2 followed you" in body
    assert "Fan0" not in body
    assert "Fan1" not in body
    assert "hidden member" not in body


# ------------------------------------------------------------------------------- safety

DANGEROUS_ELEMENTS = {"script", "img", "svg", "iframe", "style", "object", "embed", "form"}


class _Elements(HTMLParser):
    """Every element and attribute a mail program would build from an HTML part."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))


def _assert_inert_html(html: str) -> None:
    parser = _Elements()
    parser.feed(html)
    for tag, attrs in parser.elements:
        assert tag not in DANGEROUS_ELEMENTS, tag
        for name, value in attrs.items():
            assert not name.startswith("on"), name
            if name in ("href", "src"):
                scheme = (value or "").strip().split(":", 1)[0].lower()
                assert scheme not in {"javascript", "data", "vbscript"}, value


def _post(client: Client, url: str, data: dict[str, object]) -> int:
    return client.post(
        url, {**data, "csrfmiddlewaretoken": client.cookies["csrftoken"].value}
    ).status_code


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_markup_posted_over_http_stays_inert_in_the_digest(
    newsroom, payload: str, django_capture_on_commit_callbacks
) -> None:
    """A member writes markup into their name, their profile, a discussion title and
    comments; the digest of the member they address carries it as plain text only."""
    story = newsroom.add_story(ArticlePage, title="Digest story")
    topic = DiscussionTopic.objects.create(name="Energy", slug="energy")
    reader = User.objects.create_user(email="dora@example.org", display_name="Dora")
    MailPreference.objects.create(user=reader, kind="digest", is_enabled=True)
    mine = post_comment(author=reader, target=story, body="My own comment")
    attacker = User.objects.create_user(email="mallory@example.org", password="pw-123456789")
    client = Client(enforce_csrf_checks=True)
    client.force_login(attacker)
    client.get("/en/members/settings/profile/")
    reader_client = Client(enforce_csrf_checks=True)
    reader_client.force_login(reader)
    reader_client.get(story.url)
    story_comments = "/en/comments/{}/{}/".format(*target_reference(story))

    with django_capture_on_commit_callbacks(execute=True):
        profile = _post(
            client,
            "/en/members/settings/profile/",
            {
                "display_name": payload[:80],
                "bio": payload,
                "link_1": "",
                "link_2": "",
                "link_3": "",
            },
        )
        followed = _post(client, f"/en/community/follow/{reader.pk}/", {"on": "1"})
        started = _post(
            client, f"/en/comments/discussions/{topic.slug}/", {"title": payload, "body": payload}
        )
    thread = DiscussionThread.objects.get()
    thread_comments = "/en/comments/{}/{}/".format(*target_reference(thread))
    with django_capture_on_commit_callbacks(execute=True):
        following = _post(
            reader_client,
            "/en/community/follow-item/{}/{}/".format(*target_reference(thread)),
            {"on": "1"},
        )
        statuses = [
            _post(client, thread_comments, {"body": f"In the thread: {payload}"}),
            _post(client, story_comments, {"body": f"@member-{reader.pk} {payload}"}),
            _post(client, story_comments, {"body": f"Reply: {payload}", "parent_id": mine.pk}),
        ]

    assert (profile, followed, started, following) == (303, 303, 303, 303)
    assert statuses == [303, 303, 303]
    assert sorted(n.verb for n in Notification.objects.filter(recipient=reader)) == [
        "followed",
        "mentioned",
        "new_reply",
        "replied",
    ]
    assert send_due_digests() == 1
    parsed = message_from_bytes(mail.outbox[0].message().as_bytes(), policy=policy.default)
    parts = [part for part in parsed.walk() if not part.is_multipart()]
    name = " ".join(payload[:80].split())
    assert [part.get_content_type() for part in parts if part.get_content_type() == "text/plain"]
    for part in parts:
        content = part.get_content()
        if part.get_content_type() == "text/html":
            _assert_inert_html(content)
        else:
            assert part.get_content_type() == "text/plain"
            # Plain text needs no escaping: the markup arrives as the characters written.
            assert name in content
            assert " ".join(payload.split()) in content  # the discussion title
            assert "&lt;" not in content
            assert "&amp;" not in content
    # The page that lists the same notifications escapes them.
    page = reader_client.get("/en/community/notifications/").content.decode()
    if "<" in payload:
        assert payload not in page
        assert name not in page
    assert not re.search(r"<a\s[^>]*href\s*=\s*[\"']?\s*javascript:", page.lower())
