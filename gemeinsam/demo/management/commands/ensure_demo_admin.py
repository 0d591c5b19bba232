"""Create the demo administrator once (e-mail verified) and print how to sign in."""

from __future__ import annotations

import secrets
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from gemeinsam.accounts.models import User
from gemeinsam.accounts.roles import ADMINISTRATOR


class Command(BaseCommand):
    help = "Create the demo administrator if missing and print its login."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--email", default="admin@example.org")

    def handle(self, *args: Any, **options: Any) -> None:
        email = options["email"]
        secret_file = settings.DATA_DIR / "demo-admin-password"
        user = User.objects.filter(email=email).first()
        if user is None:
            password = secrets.token_urlsafe(12)
            user = User.objects.create_superuser(
                email=email, password=password, display_name="Demo administrator"
            )
            secret_file.write_text(password)
            secret_file.chmod(0o600)
        password = secret_file.read_text().strip() if secret_file.exists() else "(unchanged)"
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        group = Group.objects.filter(name=ADMINISTRATOR).first()
        if group is not None:
            user.groups.add(group)
        self.stdout.write(
            self.style.SUCCESS(f"Admin login: {email} / {password}  ({settings.SITE_URL}/admin/)")
        )
