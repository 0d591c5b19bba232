"""Every public output on the demo content, byte for byte as recorded in the golden files.

Feeds (each format, language, tag, story type and author), oEmbed answers and embed pages,
the sitemaps, robots.txt and the head tags with JSON-LD of every public page are rendered
on the demo newsroom at a fixed time and compared with ``golden/``. A change that should
leave the outputs alone must pass this unchanged; a change that means to alter them
records new golden files with ``WRITE_GOLDEN_FILES=1`` and shows the difference.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection
from django.test import Client
from taggit.models import Tag
from wagtail.models import Page

from gemeinsam.newsroom.models import STORY_TYPES_BY_SLUG, Author, StoryPage

pytestmark = pytest.mark.django_db

GOLDEN = Path(__file__).parent / "golden"
WRITE = os.environ.get("WRITE_GOLDEN_FILES") == "1"
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
SITE_URL = "https://newsroom.example"
LANGUAGES = ("en", "de")
FORMATS = ("rss", "atom", "json")

HEAD_TAG = re.compile(
    r'<meta (?:property|name)="[^"]*" content="[^"]*">'
    r'|<link rel="(?:canonical|alternate)"[^>]*>'
    r'|<script type="application/ld\+json">.*?</script>',
    re.DOTALL,
)
EMBED_ITEM = re.compile(r"/embed/(image|video)/(\d+)/")
MEDIA_FILE = re.compile(r'href="(/media/original_images/[^"]+)"')


@pytest.fixture
def demo(settings: Any) -> Iterator[None]:
    """The demo newsroom, seeded at a fixed time with the same ids on every database."""
    settings.SITE_URL = SITE_URL
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), apps.get_models()):
            cursor.execute(sql)
    with time_machine.travel(NOW, tick=False):
        call_command("seed_demo", stdout=StringIO())
        yield


def _name(path: str) -> str:
    """A file name for an address: its path and query, with the separators flattened."""
    parts = urlsplit(path)
    name = parts.path.strip("/").replace("/", "_") or "root"
    if parts.query:
        name += "__" + re.sub(r"[^A-Za-z0-9.-]+", "-", parts.query).strip("-")
    return name


class Recorder:
    """Fetches outputs and compares each with its golden file, collecting every difference."""

    def __init__(self) -> None:
        self.client = Client()
        self.index: list[str] = []
        self.changed: list[str] = []

    def fetch(self, path: str) -> bytes:
        response = self.client.get(path)
        self.index.append(f"{path} {response.status_code} {response.get('Content-Type', '')}")
        return bytes(response.content)

    def check(self, folder: str, name: str, body: bytes) -> None:
        golden = GOLDEN / folder / name
        if WRITE:
            golden.parent.mkdir(parents=True, exist_ok=True)
            golden.write_bytes(body)
        elif not golden.exists() or golden.read_bytes() != body:
            self.changed.append(f"{folder}/{name}")

    def output(self, folder: str, path: str, suffix: str) -> bytes:
        body = self.fetch(path)
        self.check(folder, _name(path) + suffix, body)
        return body

    def finish(self) -> None:
        self.check("", "index.txt", ("\n".join(self.index) + "\n").encode())
        assert not self.changed, f"these outputs differ from their golden files: {self.changed}"


def _public_paths() -> list[str]:
    pages = Page.objects.live().public().filter(depth__gt=1).order_by("path")
    return [url for url in (page.get_url() for page in pages) if url]


def test_every_output_on_the_demo_content_is_unchanged(demo: None) -> None:
    recorder = Recorder()

    for language in LANGUAGES:
        scopes = [f"/{language}/feeds/"]
        scopes += [f"/{language}/feeds/tag/{tag.slug}/" for tag in Tag.objects.order_by("slug")]
        scopes += [f"/{language}/feeds/type/{slug}/" for slug in sorted(STORY_TYPES_BY_SLUG)]
        scopes += [
            f"/{language}/feeds/author/{author.slug}/" for author in Author.objects.order_by("slug")
        ]
        for scope in scopes:
            for fmt in FORMATS:
                recorder.output("feeds", f"{scope}{fmt}/", f".{fmt}")

    for path in ("/sitemap.xml", "/news-sitemap.xml", "/robots.txt"):
        recorder.output("sitemaps", path, "")

    pages = _public_paths()
    for language in LANGUAGES:
        pages.append(f"/{language}/media-library/")
        pages += [
            f"/{language}/authors/{author.slug}/" for author in Author.objects.order_by("slug")
        ]
        pages += [f"/{language}/tags/{tag.slug}/" for tag in Tag.objects.order_by("slug")]
    library = ""
    for path in pages:
        html = recorder.fetch(path).decode()
        if path == "/en/media-library/":
            library = html
        head = "\n".join(HEAD_TAG.findall(html)) + "\n"
        recorder.check("head", _name(path) + ".html", head.encode())

    stories = StoryPage.objects.live().public().order_by("path")
    embeds = [f"{SITE_URL}{story.get_url()}" for story in stories]
    embeds += [f"{SITE_URL}{path}" for path in MEDIA_FILE.findall(library)]
    items = sorted(set(EMBED_ITEM.findall(library)), key=lambda item: (item[0], int(item[1])))
    embeds += [f"{SITE_URL}/embed/{kind}/{pk}/" for kind, pk in items]
    for url in embeds:
        for sizes in ({}, {"maxwidth": "300", "maxheight": "200"}):
            query = urlencode({"url": url, "format": "json", **sizes})
            recorder.output("oembed", f"/oembed/?{query}", ".json")
    frames = [f"/embed/story/{story.pk}/" for story in stories]
    frames += [f"/embed/{kind}/{pk}/" for kind, pk in items]
    for path in frames:
        recorder.output("embeds", path, ".html")

    recorder.finish()
