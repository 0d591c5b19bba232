"""Reads ``GEMEINSAM_EMAIL_URL`` (smtp://, smtp+tls://, smtps://) into Django's mail settings."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

# scheme: (default port, STARTTLS, TLS from the first byte)
SCHEMES = {
    "smtp": (25, False, False),
    "smtp+tls": (587, True, False),
    "smtps": (465, False, True),
}


def parse_email_url(url: str) -> dict[str, Any]:
    """The ``EMAIL_*`` settings for a mail server address such as ``smtps://user:pw@host``.

    User name and password may be percent-encoded (``%40`` for "@", ``%3A`` for ":"). Without
    a port, smtp uses 25, smtp+tls (STARTTLS) 587 and smtps (TLS) 465. Raises
    ImproperlyConfigured, naming the variable, for an unknown scheme, a missing host or a
    port that is not a number; the message never repeats the password.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise ImproperlyConfigured(
            f"GEMEINSAM_EMAIL_URL must start with smtp://, smtp+tls:// (STARTTLS) or smtps:// "
            f"(TLS), not {scheme + '://' if scheme else 'no scheme at all'}."
        )
    default_port, use_tls, use_ssl = SCHEMES[scheme]
    if not parts.hostname:
        raise ImproperlyConfigured("GEMEINSAM_EMAIL_URL names no mail server host.")
    try:
        port = parts.port
    except ValueError:
        raise ImproperlyConfigured(
            "The port in GEMEINSAM_EMAIL_URL must be a number from 1 to 65535."
        ) from None
    return {
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": port or default_port,
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": use_tls,
        "EMAIL_USE_SSL": use_ssl,
    }
