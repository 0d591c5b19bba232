"""GEMEINSAM_EMAIL_URL: each documented form gives the right settings, others a clear error."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.mail_url import parse_email_url
from gemeinsam.core.tests.support import production_settings


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # .env.example's plain form
        ("smtp://user:password@host:25", ("host", 25, "user", "password", False, False)),
        # docs/operations.md's plain form on the submission port
        (
            "smtp://user:password@mail.example.org:587",
            ("mail.example.org", 587, "user", "password", False, False),
        ),
        ("smtp://mail.example.org", ("mail.example.org", 25, "", "", False, False)),
        (
            "smtp+tls://news%40example.org:p%40ss%3Aw%2Frd@mail.example.org",
            ("mail.example.org", 587, "news@example.org", "p@ss:w/rd", True, False),
        ),
        (
            "smtp+tls://user:pw@mail.example.org:2525",
            ("mail.example.org", 2525, "user", "pw", True, False),
        ),
        ("smtps://user:pw@mail.example.org", ("mail.example.org", 465, "user", "pw", False, True)),
        (
            "SMTPS://user:pw@Mail.Example.org:4650",
            ("mail.example.org", 4650, "user", "pw", False, True),
        ),
        ("smtp://[::1]:1025", ("::1", 1025, "", "", False, False)),
    ],
)
def test_every_documented_form_gives_host_port_credentials_and_encryption(
    url: str, expected: tuple[object, ...]
) -> None:
    settings = parse_email_url(url)

    assert (
        settings["EMAIL_HOST"],
        settings["EMAIL_PORT"],
        settings["EMAIL_HOST_USER"],
        settings["EMAIL_HOST_PASSWORD"],
        settings["EMAIL_USE_TLS"],
        settings["EMAIL_USE_SSL"],
    ) == expected


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("postgres://user:secret@host/db", "must start with smtp://, smtp+tls://"),
        ("mail.example.org:25", "must start with smtp://"),
        ("smtp://user:secret@:25", "names no mail server host"),
        ("smtps://user:secret@host:port", "must be a number"),
    ],
)
def test_a_wrong_address_is_refused_with_a_message_that_keeps_the_password(
    url: str, says: str
) -> None:
    with pytest.raises(ImproperlyConfigured) as refused:
        parse_email_url(url)

    assert says in str(refused.value)
    assert "secret" not in str(refused.value)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp+tls://user:pw@mail.example.org", "mail.example.org 587 True False 10.0"),
        ("smtps://user:pw@mail.example.org", "mail.example.org 465 False True 10.0"),
    ],
)
def test_the_site_starts_with_a_tls_mail_address(tmp_path: Path, url: str, expected: str) -> None:
    names = ["EMAIL_HOST", "EMAIL_PORT", "EMAIL_USE_TLS", "EMAIL_USE_SSL", "EMAIL_TIMEOUT"]
    loaded = production_settings(tmp_path, names, GEMEINSAM_EMAIL_URL=url)

    assert " ".join(str(loaded[name]) for name in names) == expected
