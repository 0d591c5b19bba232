"""What the public outputs show: a registry of providers, filled by the feature apps.

The outputs app (feeds, oEmbed and embed pages, sitemaps, head tags with JSON-LD) sits above
the feature apps but never needs to know them: each feature app registers here, in
``AppConfig.ready()``, a feed source, an oEmbed resolver, a sitemap section and a head
builder, each naming the models it speaks for. The outputs iterate what is registered; a
test fails when a feature app's public content lacks one of the four.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from django.contrib.sitemaps import Sitemap
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.urls import ResolverMatch

from gemeinsam.core.publishing import ImageFacts

Output = Literal["feed", "oembed", "sitemap", "json-ld"]
OUTPUTS: tuple[Output, ...] = ("feed", "oembed", "sitemap", "json-ld")

# ------------------------------------------------------------------------------------ feeds


@dataclass(frozen=True)
class FeedImage(ImageFacts):
    """An item's image as a feed attaches it: the original file, its size and type, its rights."""

    length: int
    mime_type: str


@dataclass(frozen=True)
class FeedEntry:
    """One item of a feed, in every format."""

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


@dataclass(frozen=True)
class FeedChannel:
    """A feed narrower than the whole site (one tag, one author, …) and how it names itself."""

    kind: str
    title: str
    description: str
    link: str
    # What the sources narrow by: a tag, an author, a kind of story.
    subject: Any


@dataclass(frozen=True)
class FeedQuery:
    """What a feed asks its sources for: items of one language, of the whole site or a channel."""

    request: HttpRequest
    language: str
    channel: FeedChannel | None
    limit: int


@dataclass(frozen=True)
class FeedSource:
    """An app's items in the feeds."""

    label: str
    # The models whose items this source puts into feeds.
    models: tuple[type[models.Model], ...]
    # The newest live, public items for a query, newest first, at most ``query.limit``; an
    # empty list for a channel the source does not carry.
    entries: Callable[[FeedQuery], list[FeedEntry]]
    # The channels this source names, served at /feeds/<kind>/<slug>/<format>/: the kind
    # maps to a callable that returns the channel of a slug or raises Http404.
    channels: Mapping[str, Callable[[str], FeedChannel]] = field(default_factory=dict)


# ----------------------------------------------------------------------------------- oEmbed


class OEmbedError(Exception):
    """A request the provider must refuse; ``status`` and ``message`` say how."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class OEmbedAnswer:
    """What an item says in its oEmbed answer besides the provider's own fields."""

    type: str
    title: str
    author_name: str
    author_url: str
    # The fields after the common ones, in the order they are written (width, html, …).
    fields: dict[str, Any]


@dataclass(frozen=True)
class EmbedFrame:
    """A rendered embed page and the language it speaks."""

    response: HttpResponse
    language: str


@dataclass(frozen=True)
class OEmbedResolver:
    """An app's embeddable items: its embed pages at /embed/<label>/<pk>/ and oEmbed answers."""

    label: str
    models: tuple[type[models.Model], ...]
    # The embeddable item with this primary key, or None.
    item: Callable[[int], Any | None]
    # The embeddable item another address of this site shows (a page, a media file), or None.
    find: Callable[[ResolverMatch, HttpRequest], Any | None]
    # The oEmbed answer for an item, within the largest width and height asked for; may raise
    # OEmbedError.
    answer: Callable[[Any, HttpRequest, int | None, int | None], OEmbedAnswer]
    # The embed page of the item with this primary key, or None when it cannot be embedded.
    frame: Callable[[HttpRequest, int], EmbedFrame | None]


# --------------------------------------------------------------------------------- sitemaps


@dataclass(frozen=True)
class NewsItem:
    """One entry of the news sitemap."""

    location: str
    language: str
    published: datetime
    title: str


@dataclass(frozen=True)
class SitemapSection:
    """An app's addresses in sitemap.xml and, for news, in the news sitemap."""

    label: str
    models: tuple[type[models.Model], ...]
    # The section of sitemap.xml, made for each request.
    sitemap: Callable[[HttpRequest], Sitemap[Any]] | None = None
    # The recent news of the news sitemap, newest first.
    news: Callable[[HttpRequest], list[NewsItem]] | None = None


# -------------------------------------------------------------------------------- head tags


@dataclass
class HeadTags:
    """What a page's <head> says about it to search engines and social networks."""

    canonical: str = ""
    description: str = ""
    robots: str = ""
    meta: list[tuple[str, str, str]] = field(default_factory=list)
    alternates: list[tuple[str, str]] = field(default_factory=list)
    oembed_url: str = ""
    json_ld: str = ""

    def og(self, key: str, value: object) -> None:
        if value not in (None, ""):
            self.meta.append(("property", key, str(value)))

    def name(self, key: str, value: object) -> None:
        if value not in (None, ""):
            self.meta.append(("name", key, str(value)))


def _no_head(context: Mapping[str, Any]) -> HeadTags | None:
    return None


@dataclass(frozen=True)
class HeadBuilder:
    """How an app's pages describe themselves in <head>: canonical, OpenGraph, JSON-LD."""

    label: str
    models: tuple[type[models.Model], ...]
    # Whether the template context shows this app's page or item; the builder then alone
    # says what its head holds.
    claims: Callable[[Mapping[str, Any]], bool]
    # The head tags of a claimed context in every page's head (``{% site_seo %}``); None
    # where the page's template asks for its own head instead.
    site_head: Callable[[Mapping[str, Any]], HeadTags | None]
    # The page's own head, for templates that ask for it (``{% story_seo %}``).
    page_head: Callable[[Mapping[str, Any]], HeadTags | None] = _no_head


# --------------------------------------------------------------------------------- registry

_feed_sources: dict[str, FeedSource] = {}
_oembed_resolvers: dict[str, OEmbedResolver] = {}
_sitemap_sections: dict[str, SitemapSection] = {}
_head_builders: dict[str, HeadBuilder] = {}


def register_feed_source(source: FeedSource) -> None:
    _feed_sources[source.label] = source


def register_oembed_resolver(resolver: OEmbedResolver) -> None:
    _oembed_resolvers[resolver.label] = resolver


def register_sitemap_section(section: SitemapSection) -> None:
    _sitemap_sections[section.label] = section


def register_head_builder(builder: HeadBuilder) -> None:
    _head_builders[builder.label] = builder


def feed_sources() -> list[FeedSource]:
    return list(_feed_sources.values())


def oembed_resolvers() -> list[OEmbedResolver]:
    return list(_oembed_resolvers.values())


def oembed_resolver(label: str) -> OEmbedResolver | None:
    return _oembed_resolvers.get(label)


def sitemap_sections() -> list[SitemapSection]:
    return list(_sitemap_sections.values())


def head_builders() -> list[HeadBuilder]:
    return list(_head_builders.values())


def outputs_of(model: type[models.Model]) -> set[Output]:
    """The outputs that speak for ``model`` (or a model it inherits from)."""
    providers: dict[Output, list[Any]] = {
        "feed": feed_sources(),
        "oembed": oembed_resolvers(),
        "sitemap": sitemap_sections(),
        "json-ld": head_builders(),
    }
    return {
        output
        for output, registered in providers.items()
        if any(issubclass(model, covered) for provider in registered for covered in provider.models)
    }
