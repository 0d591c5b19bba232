"""The notification digest goes out once a day, only to members who asked, with unsubscribe."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from gemeinsam.accounts.models import MailPreference, User
from gemeinsam.community import services
from gemeinsam.community.digest import send_due_digests

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
