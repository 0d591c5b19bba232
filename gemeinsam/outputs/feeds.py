"""RSS 2.0, Atom 1.0 and JSON Feed 1.1 of the newsroom's stories."""

from __future__ import annotations

import json
import mimetypes
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit
from xml.sax.xmlreader import AttributesImpl

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.xmlutils import SimplerXMLGenerator
from django.views.decorators.http import require_safe

from gemeinsam.core.models import CustomImage as Image
from gemeinsam.newsroom import selectors
from gemeinsam.newsroom.models import STORY_TYPES_BY_SLUG, StoryPage
from gemeinsam.outputs.seo import absolute_url, author_url, conditional_output, page_url

FEED_SIZE = 20
MEDIA_RSS_NS = "http://search.yahoo.com/mrss/"
DUBLIN_CORE_NS = "http://purl.org/dc/elements/1.1/"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
JSON_FEED_TYPE = "application/feed+json; charset=utf-8"

StoryFilter = Callable[[QuerySet[StoryPage]], QuerySet[StoryPage]]

# ---------------------------------------------------------------------------------- reads


@dataclass(frozen=True)
class FeedScope:
    """Which stories a feed carries, and how it names itself."""

    title: str
    description: str
    link: str
    narrow: StoryFilter


@dataclass(frozen=True)
class FeedImage:
    """A story's lead image as a feed attaches it: the original file and its rights."""

    url: str
    length: int
    mime_type: str
    width: int
    height: int
    alt: str
    credit: str
    licence: str
    licence_url: str
    attribution: str


@dataclass(frozen=True)
class FeedEntry:
    title: str
    url: str
    unique_id: str
    summary: str
    language: str
    published: datetime
    updated: datetime
    authors: list[tuple[str, str]]
    tags: list[str]
    image: FeedImage | None


def _feed_image(image: Image | None, held: set[int]) -> FeedImage | None:
    """The lead image's original file, unless it is missing or held back by an embargo."""
    if image is None or image.pk in held:
        return None
    length = image.file_size
    if length is None:
        try:
            length = image.file.size
        except (OSError, ValueError):
            return None
    return FeedImage(
        url=absolute_url(image.file.url),
        length=length,
        mime_type=mimetypes.guess_type(image.file.name)[0] or "application/octet-stream",
        width=image.width,
        height=image.height,
        alt=image.default_alt_text,
        credit=image.credit,
        licence=str(image.get_licence_display()),
        licence_url=image.licence_url,
        attribution=image.attribution,
    )


def _unique_id(story: StoryPage) -> str:
    """A tag URI that outlives changes of the story's title and slug."""
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"tag:{host},{story.published_at:%Y-%m-%d}:story-{story.pk}"


def feed_entries(scope: FeedScope, request: HttpRequest, language: str) -> list[FeedEntry]:
    """The newest live, public stories of one language in the scope, with what feeds show."""
    from gemeinsam.newsroom.embargo import embargoed_image_ids

    stories = list(
        scope.narrow(
            selectors.public_stories().filter(locale__language_code=language)
        ).prefetch_related("tags")[:FEED_SIZE]
    )
    held = embargoed_image_ids() if any(story.lead_image_id for story in stories) else set()
    entries = []
    for story in stories:
        url = page_url(story, request)
        if not url:
            continue
        entries.append(
            FeedEntry(
                title=story.title,
                url=url,
                unique_id=_unique_id(story),
                summary=story.summary,
                language=story.locale.language_code,
                published=story.published_at,
                updated=story.last_published_at or story.published_at,
                authors=[(author.name, author_url(author)) for author in story.authors.all()],
                tags=[tag.name for tag in story.tags.all()],
                image=_feed_image(story.lead_image, held),
            )
        )
    return entries


# -------------------------------------------------------------------------------- writers


class MediaRssFeed(Rss201rev2Feed):
    """RSS 2.0 with every author as dc:creator and the lead image as media:content."""

    def rss_attributes(self) -> dict[str, str]:
        attributes: dict[str, str] = super().rss_attributes()
        attributes["xmlns:media"] = MEDIA_RSS_NS
        attributes["xmlns:dc"] = DUBLIN_CORE_NS
        return attributes

    def add_item_elements(self, handler: SimplerXMLGenerator, item: dict[str, Any]) -> None:
        super().add_item_elements(handler, item)
        for name, _url in item["authors"]:
            handler.addQuickElement("dc:creator", name)
        image: FeedImage | None = item["image"]
        if image is None:
            return
        handler.startElement(
            "media:content",
            AttributesImpl(
                {
                    "url": image.url,
                    "type": image.mime_type,
                    "medium": "image",
                    "fileSize": str(image.length),
                    "width": str(image.width),
                    "height": str(image.height),
                }
            ),
        )
        handler.addQuickElement("media:description", image.alt, {"type": "plain"})
        if image.credit:
            handler.addQuickElement("media:credit", image.credit)
        handler.addQuickElement("media:copyright", image.attribution)
        license_attributes = {"type": "text/html", "href": image.licence_url}
        if not image.licence_url:
            del license_attributes["href"]
        handler.addQuickElement("media:license", image.licence, license_attributes)
        handler.endElement("media:content")


class MultiAuthorAtomFeed(Atom1Feed):
    """Atom 1.0 with one <author> element per author of an entry."""

    def add_item_elements(self, handler: SimplerXMLGenerator, item: dict[str, Any]) -> None:
        super().add_item_elements(handler, item)
        for name, url in item["authors"]:
            handler.startElement("author", AttributesImpl({}))
            handler.addQuickElement("name", name)
            handler.addQuickElement("uri", url)
            handler.endElement("author")


FeedWriter = type[MediaRssFeed] | type[MultiAuthorAtomFeed]


def _xml_feed(
    feed_class: FeedWriter,
    scope: FeedScope,
    entries: list[FeedEntry],
    *,
    feed_url: str,
    language: str,
) -> HttpResponse:
    feed = feed_class(
        title=scope.title,
        link=scope.link,
        description=scope.description,
        language=language,
        feed_url=feed_url,
        author_name=settings.SITE_NAME,
        author_link=absolute_url("/"),
        feed_guid=feed_url,
    )
    for entry in entries:
        enclosures = (
            [Enclosure(entry.image.url, str(entry.image.length), entry.image.mime_type)]
            if entry.image
            else None
        )
        feed.add_item(
            title=entry.title,
            link=entry.url,
            description=entry.summary,
            pubdate=entry.published,
            updateddate=entry.updated,
            unique_id=entry.unique_id,
            unique_id_is_permalink=False,
            categories=entry.tags,
            enclosures=enclosures,
            authors=entry.authors,
            image=entry.image,
        )
    response = HttpResponse(content_type=feed.content_type)
    feed.write(response, "utf-8")
    return response


def _iso(value: datetime) -> str:
    return timezone.localtime(value).isoformat()


def _json_item(entry: FeedEntry) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": entry.unique_id,
        "url": entry.url,
        "title": entry.title,
        "summary": entry.summary,
        "content_text": entry.summary,
        "date_published": _iso(entry.published),
        "date_modified": _iso(entry.updated),
        "language": entry.language,
    }
    if entry.authors:
        item["authors"] = [{"name": name, "url": url} for name, url in entry.authors]
    if entry.tags:
        item["tags"] = entry.tags
    if entry.image:
        item["image"] = entry.image.url
        item["attachments"] = [
            {
                "url": entry.image.url,
                "mime_type": entry.image.mime_type,
                "size_in_bytes": entry.image.length,
                "title": entry.image.alt,
            }
        ]
        item["_rights"] = {
            "credit": entry.image.credit,
            "licence": entry.image.licence,
            "licence_url": entry.image.licence_url,
        }
    return item


def _json_feed(
    scope: FeedScope, entries: list[FeedEntry], *, feed_url: str, language: str
) -> HttpResponse:
    document = {
        "version": JSON_FEED_VERSION,
        "title": scope.title,
        "home_page_url": scope.link,
        "feed_url": feed_url,
        "description": scope.description,
        "language": language,
        "authors": [{"name": settings.SITE_NAME, "url": absolute_url("/")}],
        "items": [_json_item(entry) for entry in entries],
    }
    return HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=1), content_type=JSON_FEED_TYPE
    )


FEED_WRITERS: dict[str, FeedWriter | None] = {
    "rss": MediaRssFeed,
    "atom": MultiAuthorAtomFeed,
    "json": None,
}


def _feed_response(request: HttpRequest, scope: FeedScope, fmt: str) -> HttpResponseBase:
    language = get_language() or settings.LANGUAGE_CODE

    def build() -> HttpResponse:
        entries = feed_entries(scope, request, language)
        feed_url = absolute_url(request.path)
        writer = FEED_WRITERS[fmt]
        if writer is None:
            return _json_feed(scope, entries, feed_url=feed_url, language=language)
        return _xml_feed(writer, scope, entries, feed_url=feed_url, language=language)

    return conditional_output(request, build, fmt)


def _check_format(fmt: str) -> None:
    if fmt not in FEED_WRITERS:
        raise Http404(_("Feeds come as rss, atom or json."))


def _home_link() -> str:
    return absolute_url(reverse("wagtail_serve", args=[""]))


def _every_story(stories: QuerySet[StoryPage]) -> QuerySet[StoryPage]:
    return stories


# ---------------------------------------------------------------------------------- views


@require_safe
def site_feed(request: HttpRequest, fmt: str) -> HttpResponseBase:
    _check_format(fmt)
    scope = FeedScope(
        title=settings.SITE_NAME,
        description=_("The latest stories of %(site)s.") % {"site": settings.SITE_NAME},
        link=_home_link(),
        narrow=_every_story,
    )
    return _feed_response(request, scope, fmt)


@require_safe
def tag_feed(request: HttpRequest, slug: str, fmt: str) -> HttpResponseBase:
    _check_format(fmt)
    tag = selectors.public_tag(slug)
    if tag is None:
        raise Http404(_("No story carries that tag."))
    scope = FeedScope(
        title=f"{settings.SITE_NAME}: {tag.name}",
        description=_("Stories tagged “%(tag)s”.") % {"tag": tag.name},
        link=absolute_url(reverse("newsroom:tag", args=[tag.slug])),
        narrow=lambda stories: stories.filter(tags=tag),
    )
    return _feed_response(request, scope, fmt)


@require_safe
def type_feed(request: HttpRequest, slug: str, fmt: str) -> HttpResponseBase:
    _check_format(fmt)
    model = STORY_TYPES_BY_SLUG.get(slug)
    if model is None:
        raise Http404(_("There is no such kind of story."))
    label = str(model.type_label)
    scope = FeedScope(
        title=f"{settings.SITE_NAME}: {label}",
        description=_("The latest stories of the kind “%(kind)s”.") % {"kind": label},
        link=_home_link(),
        narrow=lambda stories: selectors.stories_of_type(stories, slug),
    )
    return _feed_response(request, scope, fmt)


@require_safe
def author_feed(request: HttpRequest, slug: str, fmt: str) -> HttpResponseBase:
    _check_format(fmt)
    author = selectors.public_author(slug)
    if author is None:
        raise Http404(_("No author goes by that name."))
    scope = FeedScope(
        title=f"{settings.SITE_NAME}: {author.name}",
        description=_("Stories by %(name)s.") % {"name": author.name},
        link=author_url(author),
        narrow=lambda stories: stories.filter(authors=author),
    )
    return _feed_response(request, scope, fmt)
