"""One member whose digest fails does not keep the digest from the others."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.core import mail
from django.core.cache import cache
from django.db.models.signals import pre_save

from gemeinsam.accounts.models import MailPreference, User
from gemeinsam.community import services
from gemeinsam.community.digest import send_due_digests
from gemeinsam.community.models import DigestState
from gemeinsam.core.tests.support import free_port

pytestmark = pytest.mark.django_db


def test_a_failing_digest_is_skipped_and_the_others_go_out(
    django_capture_on_commit_callbacks, caplog
) -> None:
    cache.clear()
    members = [User.objects.create_user(email=f"m{n}@example.org") for n in range(2)]
    fan = User.objects.create_user(email="fan@example.org", display_name="Fan")
    for member in members:
        MailPreference.objects.create(user=member, kind="digest", is_enabled=True)
        with django_capture_on_commit_callbacks(execute=True):
            services.follow_member(user=fan, member=member)
    broken = members[0]

    def explode(sender: Any, instance: DigestState, **kwargs: Any) -> None:
        if instance.user_id == broken.pk:
            raise RuntimeError("disk I/O error")

    pre_save.connect(explode, sender=DigestState, dispatch_uid="test-broken-digest")
    try:
        with caplog.at_level(logging.ERROR):
            assert send_due_digests() == 1
            assert send_due_digests() == 0  # the broken one is backed off, not retried at once
    finally:
        pre_save.disconnect(sender=DigestState, dispatch_uid="test-broken-digest")

    assert [message.to for message in mail.outbox] == [["m1@example.org"]]
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert "notification-digests" in errors[0]
    assert f"member {broken.pk}" in errors[0]
    assert not DigestState.objects.filter(user=broken).exists()


def test_a_digest_the_mail_server_refused_goes_out_on_a_later_run(
    django_capture_on_commit_callbacks, settings, caplog
) -> None:
    """The mail server is down (a closed port): the digest is not marked as sent, and the
    next run after the backoff sends the same notifications."""
    cache.clear()
    member = User.objects.create_user(email="reader@example.org")
    fan = User.objects.create_user(email="fan@example.org", display_name="Fan")
    MailPreference.objects.create(user=member, kind="digest", is_enabled=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.follow_member(user=fan, member=member)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 2

    with caplog.at_level(logging.ERROR):
        assert send_due_digests() == 0
    assert not DigestState.objects.filter(user=member).exists()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    cache.clear()  # the backoff has passed
    assert send_due_digests() == 1
    [digest] = mail.outbox
    assert digest.to == ["reader@example.org"]
    assert "Fan" in digest.body
