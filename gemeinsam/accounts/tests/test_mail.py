"""Member mail: preferences, one-click unsubscribe, and the local catcher that stays local."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import get_connection, send_mail
from django.test import Client

from gemeinsam.accounts.mail import (
    CATCHER_BACKEND,
    CatcherBackend,
    send_member_mail,
    unsubscribe_token,
)
from gemeinsam.accounts.models import MailPreference
from gemeinsam.accounts.selectors import is_mail_enabled
from gemeinsam.accounts.services import set_mail_preference
from gemeinsam.accounts.tests.conftest import SITE, csrf_client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("member_site")]


def _send_mention(member) -> bool:  # type: ignore[no-untyped-def]
    return send_member_mail(
        user=member,
        kind="mentions",
        subject="Someone mentioned you",
        template="accounts/email/notice",
        context={"body": "Ada mentioned you.", "link": f"{SITE}/en/"},
    )


# ---------------------------------------------------------------- member mail


def test_member_mail_carries_one_click_unsubscribe_headers(member) -> None:
    assert _send_mention(member) is True

    (message,) = mail.outbox
    header = message.extra_headers["List-Unsubscribe"]
    assert header.startswith(f"<{SITE}/en/members/unsubscribe/")
    assert header.endswith("/>")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert header[1:-1] in message.body
    html, mimetype = message.alternatives[0]  # type: ignore[attr-defined]
    assert mimetype == "text/html"
    assert header[1:-1] in html


def test_one_click_post_switches_the_kind_off_without_session_or_token(member) -> None:
    _send_mention(member)
    url = mail.outbox[0].extra_headers["List-Unsubscribe"][1:-1]

    response = Client(enforce_csrf_checks=True).post(
        urlsplit(url).path,
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert not response.cookies
    assert is_mail_enabled(user=member, kind="mentions") is False
    assert _send_mention(member) is False
    assert len(mail.outbox) == 1


def test_unsubscribe_link_opened_in_a_browser_asks_first(member) -> None:
    path = f"/en/members/unsubscribe/{unsubscribe_token(user=member, kind='mentions')}/"

    page = Client().get(path)

    assert page.status_code == 200
    assert '<form method="post"' in page.content.decode()
    assert is_mail_enabled(user=member, kind="mentions") is True


def test_a_forged_unsubscribe_token_is_refused(member) -> None:
    token = unsubscribe_token(user=member, kind="mentions")
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")

    response = Client().post(f"/en/members/unsubscribe/{forged}/")

    assert response.status_code == 400
    assert is_mail_enabled(user=member, kind="mentions") is True


def test_digest_is_off_until_the_member_asks_for_it(member) -> None:
    sent = send_member_mail(
        user=member, kind="digest", subject="Digest", template="accounts/email/notice"
    )
    assert sent is False

    set_mail_preference(user=member, kind="digest", is_enabled=True)

    assert send_member_mail(
        user=member, kind="digest", subject="Digest", template="accounts/email/notice"
    )


def test_mail_settings_page_saves_choices(member) -> None:
    client, token = csrf_client(member)

    response = client.post(
        "/en/members/settings/mail/", {"digest": "on", "csrfmiddlewaretoken": token}
    )

    assert response.status_code == 303
    assert dict(MailPreference.objects.filter(user=member).values_list("kind", "is_enabled")) == {
        "digest": True,
        "mentions": False,
    }


def test_mail_settings_need_a_csrf_token(member) -> None:
    client, _token = csrf_client(member)

    assert client.post("/en/members/settings/mail/", {"digest": "on"}).status_code == 403


# ---------------------------------------------------------------- the local mail catcher


@pytest.fixture
def local_demo(settings, tmp_path: Path):  # type: ignore[no-untyped-def]
    settings.INSECURE_HTTP = True
    settings.SITE_URL = "http://127.0.0.1:8000"
    settings.EMAIL_BACKEND = CATCHER_BACKEND
    settings.DATA_DIR = tmp_path
    return settings


LOCAL = {"HTTP_HOST": "127.0.0.1:8000"}


def _local(**headers: str) -> Client:
    """A browser on the same machine, asking for the loopback address ``make run`` serves."""
    return Client(**{**LOCAL, **headers})


def test_catcher_refuses_to_load_without_insecure_http(settings) -> None:
    settings.INSECURE_HTTP = False
    settings.SITE_URL = "http://127.0.0.1:8000"

    with pytest.raises(ImproperlyConfigured):
        CatcherBackend()
    with pytest.raises(ImproperlyConfigured):
        get_connection(CATCHER_BACKEND)


def test_catcher_refuses_to_load_for_a_public_site_address(settings) -> None:
    settings.INSECURE_HTTP = True
    settings.SITE_URL = "http://news.example.org"

    with pytest.raises(ImproperlyConfigured):
        CatcherBackend()


def test_caught_mail_is_listed_for_a_loopback_visitor(local_demo) -> None:
    send_mail("Hello <b>there</b>", "Body with http://127.0.0.1:8000/en/ link", None, ["a@b.org"])
    client = _local()

    listing = client.get("/en/members/dev-mail/")

    html = listing.content.decode()
    assert listing.status_code == 200
    assert "Hello &lt;b&gt;there&lt;/b&gt;" in html
    assert "no-store" in listing["Cache-Control"]
    name = next(Path(local_demo.DATA_DIR, "mail").glob("*.eml")).stem
    detail = client.get(f"/en/members/dev-mail/{name}/")
    assert '<a href="http://127.0.0.1:8000/en/"' in detail.content.decode()


def test_catcher_page_is_not_found_for_other_visitors(local_demo) -> None:
    response = _local(REMOTE_ADDR="203.0.113.9").get("/en/members/dev-mail/")
    proxied = _local(HTTP_X_FORWARDED_FOR="203.0.113.9").get("/en/members/dev-mail/")

    assert response.status_code == 404
    assert proxied.status_code == 404
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    "header",
    [
        "HTTP_X_FORWARDED_FOR",
        "HTTP_X_FORWARDED_PROTO",
        "HTTP_X_FORWARDED_HOST",
        "HTTP_X_REAL_IP",
        "HTTP_FORWARDED",
    ],
)
def test_catcher_page_is_not_found_through_a_proxy_on_the_same_machine(
    local_demo, header: str
) -> None:
    send_mail("Reset your password", "http://127.0.0.1:8000/en/", None, ["a@b.org"])

    response = _local(**{header: "203.0.113.9"}).get("/en/members/dev-mail/")

    assert response.status_code == 404
    assert "Reset your password" not in response.content.decode()


def test_catcher_page_is_not_found_for_a_public_host_name(local_demo) -> None:
    """A proxy on this machine that passes the public Host along connects from loopback."""
    local_demo.ALLOWED_HOSTS = ["news.example.org", "127.0.0.1"]
    send_mail("Reset your password", "http://127.0.0.1:8000/en/", None, ["a@b.org"])

    response = Client(HTTP_HOST="news.example.org").get("/en/members/dev-mail/")

    assert response.status_code == 404
    assert _local().get("/en/members/dev-mail/").status_code == 200


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "localhost:8000", "[::1]:8000"])
def test_catcher_page_answers_every_loopback_host_name(local_demo, host: str) -> None:
    local_demo.ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]

    assert Client(HTTP_HOST=host).get("/en/members/dev-mail/").status_code == 200


def test_check_deploy_fails_while_the_catcher_is_the_mail_backend(local_demo) -> None:
    from django.core.checks import run_checks

    errors = [
        message.id for message in run_checks(include_deployment_checks=True) if message.is_serious()
    ]
    plain = [message.id for message in run_checks() if message.is_serious()]

    assert "gemeinsam.accounts.E001" in errors
    assert "gemeinsam.accounts.E001" not in plain


def test_check_deploy_passes_the_mail_backend_of_a_real_server(settings) -> None:
    from django.core.checks import run_checks

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"

    ids = [message.id for message in run_checks(include_deployment_checks=True)]
    assert "gemeinsam.accounts.E001" not in ids


def test_catcher_page_is_not_found_without_insecure_http(local_demo) -> None:
    local_demo.INSECURE_HTTP = False

    assert _local().get("/en/members/dev-mail/").status_code == 404


def test_catcher_page_is_not_found_for_a_public_site_address(local_demo) -> None:
    local_demo.SITE_URL = "https://news.example.org"

    assert _local().get("/en/members/dev-mail/").status_code == 404


def test_catcher_rejects_odd_message_names(local_demo) -> None:
    assert _local().get("/en/members/dev-mail/..%2Fsecret_key/").status_code == 404


def test_demo_sign_up_is_finished_through_the_catcher(
    local_demo, django_capture_on_commit_callbacks
) -> None:
    client = Client(enforce_csrf_checks=True, **LOCAL)
    client.get("/en/accounts/login/")
    token = client.cookies["csrftoken"].value
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/en/accounts/signup/",
            {
                "email": "demo@example.org",
                "password1": "a-long-and-unusual-passphrase-41",
                "password2": "a-long-and-unusual-passphrase-41",
                "csrfmiddlewaretoken": token,
            },
        )

    listing = client.get("/en/members/dev-mail/").content.decode()
    assert "demo@example.org" in listing
    name = next(Path(local_demo.DATA_DIR, "mail").glob("*.eml")).stem
    detail = client.get(f"/en/members/dev-mail/{name}/").content.decode()
    assert "http://127.0.0.1:8000/en/accounts/confirm-email/" in detail


def test_send_test_mail_command_reports_where_mail_went() -> None:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("send_test_mail", "ops@example.org", stdout=out)

    assert mail.outbox[0].to == ["ops@example.org"]
    assert "Sent a test message to ops@example.org" in out.getvalue()
