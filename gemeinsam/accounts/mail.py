"""Member mail: non-transactional sending with one-click unsubscribe, and the local catcher."""

from __future__ import annotations

import contextlib
import ipaddress
import re
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage as ParsedMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.http import HttpRequest
from django.http.request import split_domain_port
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from gemeinsam.accounts.models import MailPreference, User

UNSUBSCRIBE_SALT = "gemeinsam.accounts.unsubscribe"
LOOPBACK_ADDRESSES = frozenset({"127.0.0.1", "::1"})
CATCHER_BACKEND = "gemeinsam.accounts.mail.CatcherBackend"
MESSAGE_NAME = re.compile(r"^[0-9]{19}-[0-9a-f]{32}$")
CATCHER_LIST_LIMIT = 100
# Headers a reverse proxy adds; a request carrying any of them came from elsewhere.
PROXY_HEADERS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_REAL_IP",
    "HTTP_FORWARDED",
)


# ---------------------------------------------------------------- addresses


def site_url(path: str) -> str:
    """The absolute address of ``path`` on the configured public site (never the request's)."""
    base = str(getattr(settings, "SITE_URL", "http://127.0.0.1:8000")).rstrip("/")
    return f"{base}{path}"


def _is_loopback_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def site_is_loopback() -> bool:
    """True when the configured site address points at this machine only."""
    host = urlsplit(str(getattr(settings, "SITE_URL", ""))).hostname or ""
    return _is_loopback_host(host)


# ---------------------------------------------------------------- one-click unsubscribe


def unsubscribe_token(*, user: User, kind: str) -> str:
    """A signed token naming the member and the kind of mail; it does not expire."""
    return signing.dumps({"u": user.pk, "k": kind}, salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    """The (user id, kind) a token names, or None when it was not signed by us."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    user_id, kind = data.get("u"), data.get("k")
    if not isinstance(user_id, int) or kind not in MailPreference.Kind.values:
        return None
    return user_id, str(kind)


def unsubscribe_url(*, user: User, kind: str) -> str:
    with translation.override(translation.get_language() or settings.LANGUAGE_CODE):
        path = reverse(
            "accounts:unsubscribe", kwargs={"token": unsubscribe_token(user=user, kind=kind)}
        )
    return site_url(path)


def send_member_mail(
    *,
    user: User,
    kind: str,
    subject: str,
    template: str,
    context: dict[str, Any] | None = None,
) -> bool:
    """Send one non-transactional mail to ``user`` unless they switched ``kind`` off.

    Renders ``<template>.txt`` (required) and ``<template>.html`` (optional) with ``context``
    plus ``member``, ``unsubscribe_url``, ``preferences_url``, ``SITE_NAME`` and ``SITE_URL``.
    The message carries ``List-Unsubscribe`` and ``List-Unsubscribe-Post`` (RFC 8058), so
    mail programs offer a one-click unsubscribe. Returns whether a message was sent.
    """
    from gemeinsam.accounts.selectors import is_mail_enabled

    if kind not in MailPreference.Kind.values:
        raise ValueError(f"Unknown mail kind {kind!r}")
    if not user.is_active or not user.email or not is_mail_enabled(user=user, kind=kind):
        return False
    link = unsubscribe_url(user=user, kind=kind)
    with translation.override(translation.get_language() or settings.LANGUAGE_CODE):
        preferences = site_url(reverse("accounts:mail-settings"))
    full_context = {
        **(context or {}),
        "member": user,
        "unsubscribe_url": link,
        "preferences_url": preferences,
        "SITE_NAME": getattr(settings, "SITE_NAME", "Gemeinsam"),
        "SITE_URL": getattr(settings, "SITE_URL", ""),
    }
    text = render_to_string(f"{template}.txt", full_context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.splitlines()).strip(),
        body=text,
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    with contextlib.suppress(TemplateDoesNotExist):  # the HTML part is optional
        message.attach_alternative(render_to_string(f"{template}.html", full_context), "text/html")
    return message.send() == 1


# ---------------------------------------------------------------- account mail


@dataclass(frozen=True)
class OutgoingMail:
    """A rendered message as plain data, so a background task can carry it."""

    subject: str
    body: str
    from_email: str
    to: list[str]
    html: str = ""
    headers: dict[str, str] | None = None

    @classmethod
    def of(cls, message: EmailMessage) -> OutgoingMail:
        html = ""
        for content, mimetype in getattr(message, "alternatives", []):
            if mimetype == "text/html":
                html = str(content)
        return cls(
            subject=str(message.subject),
            body=str(message.body),
            from_email=str(message.from_email or settings.DEFAULT_FROM_EMAIL),
            to=[str(address) for address in message.to],
            html=html,
            headers={str(key): str(value) for key, value in message.extra_headers.items()},
        )

    def as_kwargs(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "body": self.body,
            "from_email": self.from_email,
            "to": list(self.to),
            "html": self.html,
            "headers": dict(self.headers or {}),
        }


def deliver_mail(*, mail: OutgoingMail) -> None:
    """Hand ``mail`` to the configured mail backend now.

    Raises what the backend raises (``smtplib.SMTPException`` or ``OSError`` when the mail
    server cannot be reached within ``EMAIL_TIMEOUT``).
    """
    message = EmailMultiAlternatives(
        subject=mail.subject,
        body=mail.body,
        from_email=mail.from_email,
        to=mail.to,
        headers=mail.headers or {},
    )
    if mail.html:
        message.attach_alternative(mail.html, "text/html")
    message.send()


# ---------------------------------------------------------------- the development catcher


def catcher_directory() -> Path:
    return Path(getattr(settings, "DATA_DIR", ".")) / "mail"


def catcher_backend_configured() -> bool:
    return getattr(settings, "EMAIL_BACKEND", "") == CATCHER_BACKEND


def _asked_for_a_loopback_host(request: HttpRequest) -> bool:
    domain, _port = split_domain_port(request.get_host())
    return _is_loopback_host(domain.strip("[]"))


def catcher_allowed_for(request: HttpRequest) -> bool:
    """The catcher page exists only on a plain-HTTP loopback site, for a loopback visitor.

    The visitor must connect from this machine, ask for a loopback host name, and come
    without any proxy header: a reverse proxy on the same machine connects from loopback
    too, but it names the public host or adds a forwarding header.
    """
    return (
        bool(getattr(settings, "INSECURE_HTTP", False))
        and site_is_loopback()
        and catcher_backend_configured()
        and request.META.get("REMOTE_ADDR") in LOOPBACK_ADDRESSES
        and not any(header in request.META for header in PROXY_HEADERS)
        and _asked_for_a_loopback_host(request)
    )


class CatcherBackend(BaseEmailBackend):
    """Keeps outgoing mail as files under ``DATA_DIR/mail`` for the local demo.

    It refuses to load unless the site runs over plain HTTP on a loopback address, so a
    production configuration cannot switch it on by mistake.
    """

    def __init__(self, fail_silently: bool = False, **kwargs: Any) -> None:
        if not getattr(settings, "INSECURE_HTTP", False):
            raise ImproperlyConfigured(
                "The mail catcher is for local development only (GEMEINSAM_INSECURE_HTTP)."
            )
        if not site_is_loopback():
            raise ImproperlyConfigured(
                "The mail catcher needs a loopback GEMEINSAM_SITE_URL (127.0.0.1 or ::1)."
            )
        super().__init__(fail_silently=fail_silently, **kwargs)

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        directory = catcher_directory()
        directory.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            name = f"{time.time_ns():019d}-{uuid.uuid4().hex}"
            (directory / f"{name}.eml").write_bytes(message.message().as_bytes())
            sent += 1
        return sent


@dataclass(frozen=True)
class CaughtMail:
    name: str
    subject: str
    to: str
    sent_at: datetime
    text: str
    headers: list[tuple[str, str]]


def _read_caught(path: Path, *, with_body: bool) -> CaughtMail:
    with path.open("rb") as handle:
        parsed = BytesParser(policy=policy.default).parse(handle)
    assert isinstance(parsed, ParsedMessage)  # noqa: S101 - the default policy's type
    text = ""
    if with_body:
        part = parsed.get_body(preferencelist=("plain", "html"))
        text = part.get_content() if part is not None else ""
    name = path.stem
    return CaughtMail(
        name=name,
        subject=str(parsed.get("Subject", "")),
        to=str(parsed.get("To", "")),
        sent_at=datetime.fromtimestamp(int(name.split("-", 1)[0]) / 1e9, tz=UTC),
        text=text,
        headers=[(key, str(value)) for key, value in parsed.items()],
    )


def caught_mails() -> list[CaughtMail]:
    """The newest caught messages first, at most ``CATCHER_LIST_LIMIT``."""
    directory = catcher_directory()
    if not directory.is_dir():
        return []
    paths = sorted(
        (path for path in directory.glob("*.eml") if MESSAGE_NAME.match(path.stem)),
        reverse=True,
    )[:CATCHER_LIST_LIMIT]
    return [_read_caught(path, with_body=False) for path in paths]


def caught_mail(name: str) -> CaughtMail | None:
    if not MESSAGE_NAME.match(name):
        return None
    path = catcher_directory() / f"{name}.eml"
    if not path.is_file():
        return None
    return _read_caught(path, with_body=True)
