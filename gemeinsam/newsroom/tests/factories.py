"""Factories for newsroom content: a page tree per language and stories of every type."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import factory
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.test import TestCase
from django.utils import timezone
from PIL import Image as PILImage
from wagtail.documents.models import Document
from wagtail.models import Locale, Page, Site

from gemeinsam.core.models import CustomImage
from gemeinsam.newsroom.models import (
    ArticlePage,
    Author,
    HomePage,
    LegalPage,
    NewsPage,
    PressContact,
    PressKitPage,
    PressReleasePage,
    StoryIndexPage,
    StoryPage,
)


def png_bytes(width: int = 64, height: int = 48, colour: str = "#0b5cad") -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), colour).save(buffer, format="PNG")
    return buffer.getvalue()


class ImageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomImage

    title = factory.Sequence(lambda n: f"Image {n}")
    alt_text = factory.Sequence(lambda n: f"A blue test picture number {n}")
    credit = "Jane Photographer"
    licence = "cc-by-4.0"
    is_listed = True
    file = factory.LazyFunction(lambda: ImageFile(io.BytesIO(png_bytes()), name="test.png"))


def make_document(title: str = "Fact sheet", content: bytes = b"%PDF-1.4\n% test\n") -> Document:
    document = Document(title=title)
    document.file.save(f"{title.lower().replace(' ', '-')}.pdf", ContentFile(content), save=False)
    document.save()
    return document


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Author

    name = factory.Sequence(lambda n: f"Author {n}")
    slug = factory.Sequence(lambda n: f"author-{n}")
    role = "Editor"


class PressContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PressContact

    name = factory.Sequence(lambda n: f"Contact {n}")
    role = "Head of press"
    organisation = "Example AG"
    email = factory.Sequence(lambda n: f"press{n}@example.org")
    phone = "+49 30 1234567"


def committed() -> Any:
    """A block whose writes count as committed: what waits for the commit (the cache scopes
    change) runs at its end, as in production; inside a test's transaction nothing commits."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def publish_committed(page: Page) -> None:
    """Publish ``page`` as a committed change."""
    with committed():
        page.save_revision().publish()


class Newsroom:
    """A site with an English home page, its German translation and a story index in each."""

    def __init__(self) -> None:
        self.en = Locale.objects.get_or_create(language_code="en")[0]
        self.de = Locale.objects.get_or_create(language_code="de")[0]
        root = Page.get_first_root_node()
        self.home = root.add_child(
            instance=HomePage(title="Newsroom", slug="newsroom", locale=self.en)
        )
        Site.objects.update_or_create(
            is_default_site=True,
            defaults={"hostname": "localhost", "port": 80, "root_page": self.home},
        )
        self.index = self.home.add_child(instance=StoryIndexPage(title="Stories", slug="stories"))
        self.home_de = self.home.copy_for_translation(self.de)
        self.home_de.title = "Nachrichten"
        self.home_de.save_revision().publish()
        self.index_de = self.index.copy_for_translation(self.de)
        self.index_de.title = "Geschichten"
        self.index_de.save_revision().publish()

    def add_story(
        self,
        model: type[StoryPage] = ArticlePage,
        *,
        parent: Page | None = None,
        publish: bool = True,
        **fields: Any,
    ) -> StoryPage:
        defaults: dict[str, Any] = {
            "title": "A story",
            "summary": "What happened, in one sentence.",
        }
        if model in (ArticlePage, PressReleasePage):
            defaults["body"] = [("paragraph", "<p>The body of the story.</p>")]
        elif model is NewsPage:
            defaults["body"] = "<p>Short news text.</p>"
        defaults.update(fields)
        parent = parent or self.index
        page = parent.add_child(instance=model(**defaults, live=False))
        if publish:
            publish_committed(page)
            page.refresh_from_db()
        return page.specific

    def add_embargoed_release(
        self, *, lifts_in: timedelta = timedelta(hours=2), **fields: Any
    ) -> PressReleasePage:
        release = self.add_story(PressReleasePage, publish=False, **fields)
        release.go_live_at = timezone.now() + lifts_in
        publish_committed(release)
        release.refresh_from_db()
        return release

    def add_legal_pages(self) -> list[LegalPage]:
        pages = []
        for kind, title in LegalPage.Kind.choices:
            page = self.home.add_child(
                instance=LegalPage(title=str(title), slug=kind, kind=kind, body="<p>Text.</p>")
            )
            pages.append(page)
        return pages


__all__ = ["PressKitPage", "make_document"]
