"""Run the demo's seed steps (the newsroom in both languages, and what each area adds),
each filling in only what is missing; with ``--scale``, add a crowd of members and their
activity in bulk (for benchmarks)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from gemeinsam.accounts.roles import ensure_staff_roles
from gemeinsam.core.progress import ProgressBar
from gemeinsam.demo.registry import registry
from gemeinsam.demo.scale import SCALES, AlreadySeededError, seed_scale


class Command(BaseCommand):
    help = (
        "Create demo content: stories of every type in English and German, press material. "
        "Running it again adds only what is missing. --scale large adds 20,000 members, "
        "5,000 stories and their comments, ratings, faves and follows."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--scale",
            choices=sorted(SCALES),
            help="Also add bulk data: 'large' (the benchmark size) or 'small' (a hundredth).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        ensure_staff_roles()
        changed = False
        for step in registry.ordered():
            started = time.monotonic()
            with transaction.atomic():
                said = step.run()
            if said is None:
                self.stdout.write(f"{step.name}: already present.")
                continue
            changed = True
            seconds = time.monotonic() - started
            self.stdout.write(self.style.SUCCESS(f"{step.name}: {said} in {seconds:.1f} s."))
        if not changed:
            self.stdout.write("Demo content is already present; nothing changed.")
        if options["scale"]:
            self._scale(options["scale"])

    def _scale(self, name: str) -> None:
        started = time.monotonic()
        self.stdout.write(f"Adding the {name} data set…")
        try:
            result = seed_scale(name, report=ProgressBar(self.stdout))
        except AlreadySeededError as error:
            raise CommandError(
                "The scale data is already present; start from an empty database to seed again."
            ) from error
        seconds = time.monotonic() - started
        types = ", ".join(f"{count:,} {slug}" for slug, count in result.stories_by_type.items())
        self.stdout.write(
            f"{result.members:,} members ({result.fans:,} fans), {result.follows:,} follows, "
            f"{result.stories:,} stories ({types}), {result.comments:,} comments "
            f"({result.crowded_comments:,} under one story), {result.ratings:,} ratings, "
            f"{result.faves:,} faves, {result.activities:,} activity entries."
        )
        self.stdout.write(self.style.SUCCESS(f"Scale data '{name}' added in {seconds:.1f} s."))
