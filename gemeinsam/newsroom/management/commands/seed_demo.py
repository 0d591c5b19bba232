"""Load the demo newsroom (both languages, every story type) unless content exists."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from gemeinsam.accounts.roles import ensure_staff_roles
from gemeinsam.newsroom.demo import seed_demo


class Command(BaseCommand):
    help = "Create demo content: stories of every type in English and German, press material."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        ensure_staff_roles()
        demo = seed_demo()
        if demo is None:
            self.stdout.write("Demo content is already present; nothing changed.")
            return
        seconds = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"Demo newsroom created in {seconds:.1f} s."))
