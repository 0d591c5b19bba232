"""Account mail leaves the request: an unreachable mail server breaks no sign-up or reset."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from gemeinsam.accounts.tests.conftest import csrf_client, sign_up
from gemeinsam.core.tests.support import Inbox, free_port

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("member_site")]


@pytest.fixture
def mail_server_down(settings: Any) -> int:
    """The SMTP backend aimed at a loopback port nothing listens on."""
    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 2
    return port


def _sign_up(email: str) -> Any:
    client, token = csrf_client()
    return sign_up(client, token, email)


def test_sign_up_succeeds_while_the_mail_server_is_unreachable(
    mail_server_down: int, django_capture_on_commit_callbacks: Any
) -> None:
    from gemeinsam.accounts.models import User

    with django_capture_on_commit_callbacks(execute=True):
        response = _sign_up("new@example.org")

    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/confirm-email/"
    assert User.objects.filter(email="new@example.org").exists()


def test_password_reset_succeeds_while_the_mail_server_is_unreachable(
    mail_server_down: int, member: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client, token = csrf_client()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/en/accounts/password/reset/", {"email": member.email, "csrfmiddlewaretoken": token}
        )

    assert response.status_code == 302


def test_account_mail_waits_in_the_task_queue_and_is_retried_until_the_server_is_back(
    mail_server_down: int, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """With the production task backend: a try that cannot reach the mail server fails and
    queues the next try for later; once the server answers, the confirmation arrives."""
    from aiosmtpd.controller import Controller
    from django_tasks_db.models import DBTaskResult

    from gemeinsam.accounts.tasks import send_account_mail_task

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        response = _sign_up("queued@example.org")
    assert response.status_code == 302
    (queued,) = DBTaskResult.objects.all()
    assert queued.task_path.endswith("send_account_mail_task")
    assert queued.args_kwargs["kwargs"]["to"] == ["queued@example.org"]

    # What the worker does with the queued task: call it with the stored arguments.
    with pytest.raises(ConnectionRefusedError):
        send_account_mail_task.call(*queued.args_kwargs["args"], **queued.args_kwargs["kwargs"])
    queued.refresh_from_db()
    assert "confirm-email" not in json.dumps(queued.args_kwargs)  # the tried mail is wiped

    retry = DBTaskResult.objects.exclude(pk=queued.pk).get()
    assert retry.status == "READY"
    assert retry.run_after > timezone.now() + timedelta(seconds=30)
    assert retry.args_kwargs["kwargs"]["attempt"] == 2

    inbox = Inbox()
    server = Controller(inbox, hostname="127.0.0.1", port=mail_server_down)
    server.start()
    try:
        send_account_mail_task.call(*retry.args_kwargs["args"], **retry.args_kwargs["kwargs"])
        message = inbox.wait_for("queued@example.org")
    finally:
        server.stop()

    assert "/en/accounts/confirm-email/" in message.get_body(("plain",)).get_content()
    assert DBTaskResult.objects.count() == 2  # nothing more queued after the success
    stored = json.dumps(list(DBTaskResult.objects.values_list("args_kwargs", flat=True)))
    assert "confirm-email" not in stored  # no link outlives its delivery in the task table


def test_the_last_try_queues_nothing_more(mail_server_down: int, settings: Any) -> None:
    from django_tasks_db.models import DBTaskResult

    from gemeinsam.accounts.tasks import MAX_ATTEMPTS, send_account_mail_task

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    with pytest.raises(ConnectionRefusedError):
        send_account_mail_task.call(
            subject="s",
            body="b",
            from_email="a@example.org",
            to=["b@example.org"],
            attempt=MAX_ATTEMPTS,
        )

    assert not DBTaskResult.objects.exists()
