"""GEMEINSAM_EMAIL_URL: each documented form gives the right settings, others a clear error."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.mail_url import parse_email_url

ROOT = Path(__file__).resolve().parents[3]


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
    env = {key: value for key, value in os.environ.items() if not key.startswith("GEMEINSAM_")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "GEMEINSAM_SECRET_KEY": secrets.token_urlsafe(64),
            "GEMEINSAM_DATA_DIR": str(tmp_path),
            "GEMEINSAM_EMAIL_URL": url,
        }
    )
    code = (
        "from django.conf import settings as s; "
        "print(s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS, s.EMAIL_USE_SSL, s.EMAIL_TIMEOUT)"
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected
