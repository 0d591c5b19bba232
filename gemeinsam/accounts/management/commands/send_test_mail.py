"""Send one test message through the configured mail server, to check GEMEINSAM_EMAIL_URL."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Send a test e-mail through the configured backend and say where it went."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("recipient", help="The address to send the test message to.")

    def handle(self, *args: Any, **options: Any) -> None:
        backend = getattr(settings, "EMAIL_BACKEND", "")
        try:
            sent = send_mail(
                subject=f"[{settings.SITE_NAME}] Test message",
                message=(
                    f"This message checks the mail settings of {settings.SITE_URL}.\n"
                    "If you can read it, sign-up and password reset mail will arrive too.\n"
                ),
                from_email=None,
                recipient_list=[options["recipient"]],
            )
        except OSError as error:
            raise CommandError(f"The mail server did not take the message: {error}") from error
        if not sent:
            raise CommandError("The mail backend sent nothing.")
        where = {
            "django.core.mail.backends.smtp.EmailBackend": (
                f"SMTP {getattr(settings, 'EMAIL_HOST', '')}:{getattr(settings, 'EMAIL_PORT', '')}"
            ),
            "gemeinsam.accounts.mail.CatcherBackend": "the local mail catcher (members/dev-mail/)",
            "django.core.mail.backends.console.EmailBackend": "the console",
        }.get(backend, backend)
        self.stdout.write(f"Sent a test message to {options['recipient']} through {where}.")
