"""Deployment checks of the accounts: the local mail catcher must not be the mail backend."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, Tags, register

from gemeinsam.accounts.mail import catcher_backend_configured


@register(Tags.security, deploy=True)
def mail_catcher_is_not_the_backend(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """``check --deploy`` fails while mail is kept for the local demo instead of being sent."""
    if not catcher_backend_configured():
        return []
    return [
        Error(
            "Mail is kept by the local mail catcher and shown at /members/dev-mail/ "
            "instead of being sent.",
            hint="Set GEMEINSAM_EMAIL_URL to your mail server (smtp://, smtp+tls:// or "
            "smtps://) and serve the site over https.",
            id="gemeinsam.accounts.E001",
        )
    ]
