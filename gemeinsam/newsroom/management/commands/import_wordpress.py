"""Import a WordPress export file (WXR) into the newsroom, with its comments."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gemeinsam.core.progress import ProgressBar
from gemeinsam.newsroom.models import StoryIndexPage
from gemeinsam.newsroom.wordpress import (
    ImportInterruptedError,
    WordPressImportError,
    import_export,
    parse_export,
)


class Command(BaseCommand):
    help = "Import posts, categories, tags, authors and threaded comments from a WordPress export."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path, help="The .xml file from Tools → Export.")
        parser.add_argument(
            "--language", default="en", help="Language of the posts: en or de (default en)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        index = StoryIndexPage.objects.filter(locale__language_code=options["language"]).first()
        if index is None:
            raise CommandError(
                f"There is no story index in language {options['language']!r} to import into."
            )
        try:
            export = parse_export(path.read_bytes())
        except WordPressImportError as error:
            raise CommandError(f"{path}: {error} Nothing was imported.") from error
        self.stdout.write(
            f"Importing {len(export.posts)} posts from {export.site or path.name} "
            f"into {index.title!r}…"
        )
        try:
            result = import_export(export, index=index, progress=ProgressBar(self.stdout))
        except ImportInterruptedError as error:
            raise CommandError(
                f"{path}: {error} The {error.result.posts_created} posts before it are stored; "
                "run the command again to import the rest (nothing is imported twice)."
            ) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Posts: {result.posts_created} new, {result.posts_skipped} already there. "
                f"Comments: {result.comments_created} new, {result.comments_skipped} already "
                f"there. Authors: {result.authors_created} new."
            )
        )
        if result.drafts:
            self.stdout.write(
                self.style.WARNING(
                    f"{len(result.drafts)} password-protected posts were imported as drafts, "
                    "not published; review them in the admin before publishing: "
                    + "; ".join(result.drafts)
                )
            )
