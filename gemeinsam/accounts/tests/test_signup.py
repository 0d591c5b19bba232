"""Sign-up, confirmation and password reset: real SMTP, no account enumeration, throttled."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client

from gemeinsam.accounts.tests.conftest import SIGN_UP_PASSWORD, SITE, csrf_client, sign_up
from gemeinsam.core.tests.support import Inbox

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("member_site")]

PASSWORD = SIGN_UP_PASSWORD


def _without_tokens(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_sign_up_confirm_by_mail_over_smtp_and_be_signed_in(
    smtp_inbox: Inbox, django_capture_on_commit_callbacks: Any
) -> None:
    client, token = csrf_client()

    with django_capture_on_commit_callbacks(execute=True):
        response = sign_up(client, token, "new@example.org")

    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/confirm-email/"
    assert len(smtp_inbox.messages) == 1
    message = smtp_inbox.messages[0]
    assert message["To"] == "new@example.org"
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    links = re.findall(r"https?://\S+", body.get_content())
    confirm = next(link for link in links if "/confirm-email/" in link)
    assert confirm.startswith(f"{SITE}/en/accounts/confirm-email/")
    assert "testserver" not in body.get_content()

    path = urlsplit(confirm).path
    page = client.get(path)
    assert page.status_code == 200
    assert "Confirm" in page.content.decode()
    confirmed = client.post(path, {"csrfmiddlewaretoken": client.cookies["csrftoken"].value})

    assert confirmed.status_code == 302
    assert client.session.get("_auth_user_id")
    assert client.get("/en/members/settings/profile/").status_code == 200


def test_sign_up_with_a_taken_address_looks_like_a_new_one(
    member, django_capture_on_commit_callbacks: Any
) -> None:
    new_client, new_token = csrf_client()
    taken_client, taken_token = csrf_client()

    with django_capture_on_commit_callbacks(execute=True):
        fresh = sign_up(new_client, new_token, "fresh@example.org")
        taken = sign_up(taken_client, taken_token, member.email)

    assert (fresh.status_code, fresh["Location"]) == (taken.status_code, taken["Location"])
    fresh_page = _without_tokens(new_client.get(fresh["Location"]).content.decode())
    taken_page = _without_tokens(taken_client.get(taken["Location"]).content.decode())
    assert fresh_page.replace("fresh@example.org", "ADDRESS") == taken_page.replace(
        member.email, "ADDRESS"
    )
    # Each address gets one mail: a confirmation, or a note that the account exists.
    assert sorted(message.to[0] for message in mail.outbox) == [
        "fresh@example.org",
        member.email,
    ]


def test_reset_for_an_unknown_address_looks_like_a_known_one(
    member, django_capture_on_commit_callbacks: Any
) -> None:
    known_client, known_token = csrf_client()
    unknown_client, unknown_token = csrf_client()

    with django_capture_on_commit_callbacks(execute=True):
        known = known_client.post(
            "/en/accounts/password/reset/",
            {"email": member.email, "csrfmiddlewaretoken": known_token},
        )
        unknown = unknown_client.post(
            "/en/accounts/password/reset/",
            {"email": "nobody@example.org", "csrfmiddlewaretoken": unknown_token},
        )

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert _without_tokens(known_client.get(known["Location"]).content.decode()) == (
        _without_tokens(unknown_client.get(unknown["Location"]).content.decode())
    )
    assert len(mail.outbox) == 2


def test_reset_mail_links_to_the_configured_site(
    member, django_capture_on_commit_callbacks: Any
) -> None:
    client, token = csrf_client()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/en/accounts/password/reset/", {"email": member.email, "csrfmiddlewaretoken": token}
        )

    (message,) = mail.outbox
    assert f"{SITE}/en/accounts/password/reset/key/" in message.body
    assert "testserver" not in message.body


def test_too_many_resets_for_one_address_are_refused(
    member, django_capture_on_commit_callbacks: Any
) -> None:
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        answers = [
            client.post("/en/accounts/password/reset/", {"email": member.email}).status_code
            for _attempt in range(6)
        ]

    assert answers[:5] == [302] * 5
    assert answers[5] == 429
    refused = client.post("/en/accounts/password/reset/", {"email": member.email})
    assert "Too many attempts" in refused.content.decode()
    assert len(mail.outbox) == 5


def test_too_many_sign_ups_from_one_address_are_refused() -> None:
    client = Client()
    answers = [
        client.post(
            "/en/accounts/signup/",
            {"email": f"n{number}@example.org", "password1": PASSWORD, "password2": PASSWORD},
        ).status_code
        for number in range(21)
    ]

    assert answers[:20] == [302] * 20
    assert answers[20] == 429


def test_account_pages_label_fields_and_link_to_each_other() -> None:
    client = Client()
    login = client.get("/en/accounts/login/").content.decode()
    signup = client.get("/en/accounts/signup/").content.decode()
    reset = client.get("/en/accounts/password/reset/").content.decode()

    assert '<label for="id_login"' in login
    assert '<label for="id_password"' in login
    assert "/en/accounts/signup/" in login
    assert "/en/accounts/password/reset/" in login
    assert '<label for="id_email"' in signup
    assert "/en/accounts/login/" in signup
    assert "/en/accounts/login/" in reset
    assert "/en/accounts/signup/" in reset


def test_form_errors_are_announced_and_tied_to_their_field() -> None:
    client = Client()

    html = client.post(
        "/en/accounts/signup/", {"email": "not-an-address", "password1": "x", "password2": "y"}
    ).content.decode()

    assert 'id="id_email_error" role="alert"' in html
    assert re.search(r'<input[^>]+aria-describedby="[^"]*id_email_error', html)
    assert 'aria-invalid="true"' in html


def test_second_factor_pages_use_the_site_layout(member) -> None:
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
    client = Client()
    client.post("/en/accounts/login/", {"login": member.email, "password": "correct-horse-9"})

    index = client.get("/en/accounts/2fa/")
    asked = client.get("/en/accounts/2fa/totp/activate/")
    assert asked["Location"].startswith("/en/accounts/reauthenticate/")
    assert '<label for="id_password"' in client.get(asked["Location"]).content.decode()
    client.post(asked["Location"], {"password": "correct-horse-9"})
    activate = client.get("/en/accounts/2fa/totp/activate/")

    assert index.status_code == 200
    assert "Authenticator App" in index.content.decode()
    html = activate.content.decode()
    assert activate.status_code == 200
    assert '<label for="id_code"' in html
    assert 'class="skip-link"' in html
