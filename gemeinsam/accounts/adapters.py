"""The allauth account adapter: links in account mail point at the configured site address."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from gemeinsam.accounts.mail import OutgoingMail, site_url
from gemeinsam.accounts.tasks import new_delivery_id, send_account_mail_task
from gemeinsam.core.clientip import client_ip
from gemeinsam.core.tasks_util import enqueue_on_commit


@dataclass(frozen=True)
class ConfiguredSite:
    """Stands in for ``django.contrib.sites`` (which we do not use) in allauth's mail."""

    name: str
    domain: str


def configured_site() -> ConfiguredSite:
    address = str(getattr(settings, "SITE_URL", ""))
    return ConfiguredSite(
        name=str(getattr(settings, "SITE_NAME", "Gemeinsam")),
        domain=urlsplit(address).netloc,
    )


def rebase_on_site(url: str) -> str:
    """``url`` with its scheme and host replaced by ``SITE_URL``'s.

    allauth builds links from the request's Host header; behind a proxy, or when an
    attacker sends a forged Host, that would put a foreign address into a reset mail.
    """
    parts = urlsplit(url)
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    if parts.fragment:
        path = f"{path}#{parts.fragment}"
    return site_url(path)


class AccountAdapter(DefaultAccountAdapter):
    """Absolute links from ``SITE_URL``; everything else as allauth does it."""

    def get_email_confirmation_url(
        self, request: HttpRequest | None, emailconfirmation: Any
    ) -> str:
        return site_url(reverse("account_confirm_email", args=[emailconfirmation.key]))

    def get_reset_password_from_key_url(self, key: str) -> str:
        return rebase_on_site(super().get_reset_password_from_key_url(key))

    def get_client_ip(self, request: HttpRequest) -> str:
        """The visitor's address for allauth's limits, believing only trusted proxies."""
        return client_ip(request)

    def format_email_subject(self, subject: str) -> str:
        return f"[{configured_site().name}] {subject}"

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Render an account mail, with every ``*_url`` rebased on ``SITE_URL``, and have it
        sent in the background after the current transaction commits."""
        rebased = {
            key: rebase_on_site(value) if key.endswith("_url") and isinstance(value, str) else value
            for key, value in context.items()
        }
        ctx: dict[str, Any] = {"request": allauth_context.request, "email": email, **rebased}
        ctx["current_site"] = configured_site()
        message = self.render_mail(template_prefix, email, ctx)
        # Sent by a background task once the request's writes are in, so a slow or
        # unreachable mail server neither delays nor breaks sign-up, reset or sign-in.
        enqueue_on_commit(
            send_account_mail_task,
            **OutgoingMail.of(message).as_kwargs(),
            delivery_id=new_delivery_id(),
        )
