"""Move recorded views into the daily totals now (the scheduler does it every minute)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from gemeinsam.analytics.counting import flush_views


class Command(BaseCommand):
    help = "Move recorded page views into the daily totals."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--all",
            action="store_true",
            help="Also read the running minute's spool files (only when the site is stopped).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        added = flush_views(include_current=options["all"])
        self.stdout.write(f"{added} views added to the daily totals.")
