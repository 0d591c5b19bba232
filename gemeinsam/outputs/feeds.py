"""RSS 2.0, Atom 1.0 and JSON Feed 1.1 of what the registered feed sources publish.

The whole site's feed merges every source's newest items; a channel's feed
(/feeds/<kind>/<slug>/<format>/) is named by the source that defines the kind, and every
source narrows its items to it.
"""

from __future__ import annotations

import json
from typing import Any
from xml.sax.xmlreader import AttributesImpl

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.xmlutils import SimplerXMLGenerator
from django.views.decorators.http import require_safe

from gemeinsam.core.caching import SITE, conditional_output
from gemeinsam.core.outputs import FeedChannel, FeedEntry, FeedImage, FeedQuery, feed_sources
from gemeinsam.core.publishing import absolute_url, iso_datetime

FEED_SIZE = 20
MEDIA_RSS_NS = "http://search.yahoo.com/mrss/"
DUBLIN_CORE_NS = "http://purl.org/dc/elements/1.1/"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
JSON_FEED_TYPE = "application/feed+json; charset=utf-8"

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
    scope: FeedChannel,
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


def _json_item(entry: FeedEntry) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": entry.unique_id,
        "url": entry.url,
        "title": entry.title,
        "summary": entry.summary,
        "content_text": entry.summary,
        "date_published": iso_datetime(entry.published),
        "date_modified": iso_datetime(entry.updated),
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
    scope: FeedChannel, entries: list[FeedEntry], *, feed_url: str, language: str
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


def feed_entries(query: FeedQuery) -> list[FeedEntry]:
    """The newest items of every source for the query, newest first, at most ``query.limit``."""
    entries = [entry for source in feed_sources() for entry in source.entries(query)]
    entries.sort(key=lambda entry: entry.published, reverse=True)
    return entries[: query.limit]


def _feed_response(
    request: HttpRequest, scope: FeedChannel, fmt: str, *, channel: FeedChannel | None
) -> HttpResponseBase:
    language = get_language() or settings.LANGUAGE_CODE

    def build() -> HttpResponse:
        query = FeedQuery(request=request, language=language, channel=channel, limit=FEED_SIZE)
        entries = feed_entries(query)
        feed_url = absolute_url(request.path)
        writer = FEED_WRITERS[fmt]
        if writer is None:
            return _json_feed(scope, entries, feed_url=feed_url, language=language)
        return _xml_feed(writer, scope, entries, feed_url=feed_url, language=language)

    return conditional_output(request, build, [SITE], fmt)


def _check_format(fmt: str) -> None:
    if fmt not in FEED_WRITERS:
        raise Http404(_("Feeds come as rss, atom or json."))


# ---------------------------------------------------------------------------------- views


@require_safe
def site_feed(request: HttpRequest, fmt: str) -> HttpResponseBase:
    _check_format(fmt)
    scope = FeedChannel(
        kind="",
        title=settings.SITE_NAME,
        description=_("The latest stories of %(site)s.") % {"site": settings.SITE_NAME},
        link=absolute_url(reverse("wagtail_serve", args=[""])),
        subject=None,
    )
    return _feed_response(request, scope, fmt, channel=None)


@require_safe
def channel_feed(request: HttpRequest, kind: str, slug: str, fmt: str) -> HttpResponseBase:
    """The feed of one channel, named by the source that defines its kind."""
    _check_format(fmt)
    for source in feed_sources():
        if kind in source.channels:
            channel = source.channels[kind](slug)
            return _feed_response(request, channel, fmt, channel=channel)
    raise Http404(_("There is no such feed."))
