"""Mention mail: "@name" in a comment e-mails that member, as they chose, over real SMTP."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client

from gemeinsam.accounts.models import Block, MailPreference, Mute, User
from gemeinsam.accounts.services import set_mail_preference
from gemeinsam.conversations.services import post_comment
from gemeinsam.core.tests.support import Inbox
from gemeinsam.newsroom.models import ArticlePage

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(newsroom: Any) -> Any:
    return newsroom.add_story(ArticlePage, title="Community roof")


@pytest.fixture
def writer(db: Any) -> User:
    return User.objects.create_user(
        email="writer@example.org", password="pw-123456789", display_name="Writer Wu"
    )


@pytest.fixture
def mentioned(db: Any) -> User:
    return User.objects.create_user(
        email="mia@example.org", password="pw-123456789", display_name="Mia"
    )


def _mention(writer: User, story: Any, member: User, capture: Any, words: str = "agreed") -> None:
    with capture(execute=True):
        post_comment(author=writer, target=story, body=f"Thanks @member-{member.pk}, {words}.")


def test_a_mentioned_member_gets_a_mail_over_smtp_with_one_click_unsubscribe(
    story: Any,
    writer: User,
    mentioned: User,
    smtp_inbox: Inbox,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    _mention(writer, story, mentioned, django_capture_on_commit_callbacks)

    message = smtp_inbox.wait_for("mia@example.org")
    assert message["Subject"] == "Writer Wu mentioned you"
    assert message["From"] == settings.DEFAULT_FROM_EMAIL
    assert "Reply-To" not in message
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = str(message["List-Unsubscribe"]).strip().strip("<>")
    body = message.get_body(("plain",)).get_content()
    assert f"Writer Wu mentioned you: Thanks @member-{mentioned.pk}, agreed." in body
    assert f"{settings.SITE_URL}/en/stories/community-roof/" in body
    assert unsubscribe in body
    assert [str(m["To"]) for m in smtp_inbox.messages] == ["mia@example.org"]

    response = Client(enforce_csrf_checks=True).post(
        urlsplit(unsubscribe).path, {"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    assert not MailPreference.objects.get(user=mentioned, kind="mentions").is_enabled


def test_no_mention_mail_when_the_member_switched_it_off(
    story: Any, writer: User, mentioned: User, django_capture_on_commit_callbacks: Any
) -> None:
    set_mail_preference(user=mentioned, kind=MailPreference.Kind.MENTIONS, is_enabled=False)

    _mention(writer, story, mentioned, django_capture_on_commit_callbacks)

    assert mail.outbox == []


def test_no_mention_mail_from_a_muted_or_blocked_member(
    story: Any, writer: User, mentioned: User, django_capture_on_commit_callbacks: Any
) -> None:
    Mute.objects.create(muter=mentioned, muted=writer)
    _mention(writer, story, mentioned, django_capture_on_commit_callbacks)
    Mute.objects.all().delete()
    Block.objects.create(blocker=writer, blocked=mentioned)
    _mention(writer, story, mentioned, django_capture_on_commit_callbacks, words="again")

    assert mail.outbox == []


def test_no_mention_mail_about_a_comment_hidden_before_the_task_ran(
    story: Any, writer: User, mentioned: User, django_capture_on_commit_callbacks: Any
) -> None:
    from gemeinsam.community.models import Notification
    from gemeinsam.community.tasks import send_mention_mail_task
    from gemeinsam.conversations.models import Comment
    from gemeinsam.conversations.services import set_comment_hidden

    _mention(writer, story, mentioned, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    set_comment_hidden(Comment.objects.get(author=writer), True)

    result = send_mention_mail_task.enqueue(Notification.objects.get(recipient=mentioned).pk)

    assert result.return_value is False
    assert mail.outbox == []


def test_a_mention_mail_the_server_refused_is_tried_again_later(
    story: Any,
    writer: User,
    mentioned: User,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """With the production task backend and the mail server down (a closed port): the try
    fails and the next one waits in the queue, as account mail does."""
    from django_tasks_db.models import DBTaskResult

    from gemeinsam.community.tasks import send_mention_mail_task
    from gemeinsam.core.tests.support import free_port

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 2
    _mention(writer, story, mentioned, django_capture_on_commit_callbacks)
    (queued,) = DBTaskResult.objects.filter(task_path__endswith="send_mention_mail_task")

    with pytest.raises(ConnectionRefusedError):
        send_mention_mail_task.call(*queued.args_kwargs["args"], **queued.args_kwargs["kwargs"])

    retry = DBTaskResult.objects.filter(task_path__endswith="send_mention_mail_task").exclude(
        pk=queued.pk
    )
    assert retry.get().args_kwargs["kwargs"]["attempt"] == 2
    assert retry.get().status == "READY"
