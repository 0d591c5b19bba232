"""What search engines and social networks read: head tags, JSON-LD, sitemaps, robots.txt.

Addresses: every absolute address is built on ``settings.SITE_URL``, the newsroom's public
origin. Page paths come from Wagtail (``Page.get_url``), which gives a path for a
single-site install and a full address, with the Site's host, when there are several.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from xml.sax.xmlreader import AttributesImpl

from django.conf import settings
from django.contrib.sitemaps import views as sitemap_views
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.html import strip_tags
from django.utils.http import http_date
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.xmlutils import SimplerXMLGenerator
from django.views.decorators.http import require_safe
from wagtail.contrib.sitemaps import Sitemap as WagtailSitemap
from wagtail.images.models import SourceImageIOError
from wagtail.models import Page

from gemeinsam.community.selectors import fan_count
from gemeinsam.core.caching import content_changed_at, content_generation
from gemeinsam.core.models import CustomImage as Image
from gemeinsam.newsroom.models import (
    ArticlePage,
    Author,
    HomePage,
    NewsPage,
    PressReleasePage,
    StoryPage,
    Video,
    VideoPage,
)

PUBLIC_MAX_AGE = 300
SOCIAL_RENDITION = "width-1200"
NEWS_SITEMAP_DAYS = 2
NEWS_SITEMAP_LIMIT = 1000
OG_LOCALES = {"de": "de_DE", "en": "en_US"}

# ------------------------------------------------------------------------------- addresses


def absolute_url(url: str) -> str:
    """``url`` made absolute on the public origin; an absolute address passes unchanged."""
    if url.startswith(("http://", "https://")):
        return url
    if url.startswith("//"):
        return settings.SITE_URL.split("//", 1)[0] + url
    return settings.SITE_URL + (url if url.startswith("/") else "/" + url)


def page_url(page: Page, request: HttpRequest | None = None) -> str:
    """The absolute public address of a page; empty when the page is not routable."""
    url = page.get_url(request)
    return absolute_url(url) if url else ""


def author_url(author: Author) -> str:
    """The author's page in the active language, absolute."""
    return absolute_url(reverse("newsroom:author", args=[author.slug]))


def og_locale(language_code: str) -> str:
    return OG_LOCALES.get(language_code, f"{language_code}_{language_code.upper()}")


def oembed_discovery_url(url: str) -> str:
    return absolute_url(reverse("outputs:oembed")) + "?" + urlencode({"url": url, "format": "json"})


# ------------------------------------------------------------------------ HTTP validators


def public_etag(*parts: str) -> str:
    """A strong ETag for a public output: the content generation plus what names the output."""
    raw = "|".join((content_generation(), *parts))
    return '"' + hashlib.sha256(raw.encode()).hexdigest()[:32] + '"'


def _stamp(response: HttpResponseBase, etag: str, last_modified: int) -> HttpResponseBase:
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    return response


def conditional_output(
    request: HttpRequest,
    build: Callable[[], HttpResponse],
    *parts: str,
    not_before: int = 0,
) -> HttpResponseBase:
    """Answer If-None-Match / If-Modified-Since with 304 before anything is read or rendered.

    The validators come from the cache alone (no database): the ETag is the public-content
    generation plus the path and ``parts``; Last-Modified is the time of the last public
    change, or ``not_before`` (a unix time) when that is later. ``build`` is called only when
    the client's copy is stale.
    """
    etag = public_etag(request.path, *parts)
    last_modified = max(content_changed_at(), not_before)
    not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if not_modified is not None:
        return _stamp(not_modified, etag, last_modified)
    return _stamp(build(), etag, last_modified)


# ---------------------------------------------------------------------------- JSON-LD

_JSON_SCRIPT_ESCAPES = {
    ord("<"): "\\u003C",
    ord(">"): "\\u003E",
    ord("&"): "\\u0026",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


def json_ld_script(data: dict[str, Any] | list[dict[str, Any]]) -> SafeString:
    """A ``<script type="application/ld+json">`` element that no value can break out of:
    ``<``, ``>`` and ``&`` are written as JSON escapes, so no text ends the script."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=False).translate(_JSON_SCRIPT_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')


def _iso(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


@dataclass(frozen=True)
class ImageFacts:
    """An image as the outputs describe it: an absolute rendition address and its rights."""

    url: str
    width: int
    height: int
    alt: str
    credit: str
    licence: str
    licence_url: str
    attribution: str


def image_facts(image: Image | None, spec: str = SOCIAL_RENDITION) -> ImageFacts | None:
    """The rendition ``spec`` of an image with its credit, or None when there is no file."""
    if image is None:
        return None
    try:
        rendition = image.get_rendition(spec)
    except (SourceImageIOError, OSError, ValueError):
        return None
    return ImageFacts(
        url=absolute_url(rendition.url),
        width=rendition.width,
        height=rendition.height,
        alt=image.default_alt_text,
        credit=image.credit,
        licence=str(image.get_licence_display()),
        licence_url=image.licence_url,
        attribution=image.attribution,
    )


def image_object_data(facts: ImageFacts) -> dict[str, Any]:
    data: dict[str, Any] = {
        "@type": "ImageObject",
        "url": facts.url,
        "contentUrl": facts.url,
        "width": facts.width,
        "height": facts.height,
        "caption": facts.alt,
        "creditText": facts.credit or settings.SITE_NAME,
        "copyrightNotice": facts.attribution,
    }
    if facts.licence_url:
        data["license"] = facts.licence_url
    return data


def organization_data() -> dict[str, Any]:
    return {"@type": "Organization", "name": settings.SITE_NAME, "url": absolute_url("/")}


def person_data(author: Author, photo: ImageFacts | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"@type": "Person", "name": author.name, "url": author_url(author)}
    if author.role:
        data["jobTitle"] = author.role
    if author.bio:
        data["description"] = author.bio
    if photo:
        data["image"] = photo.url
    return data


def news_article_data(
    page: StoryPage,
    *,
    url: str,
    authors: list[Author],
    image: ImageFacts | None,
    tags: list[str],
) -> dict[str, Any]:
    """schema.org NewsArticle (CreativeWork for press kits) of a story."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": page.schema_type,
        "headline": Truncator(page.title).chars(110),
        "description": page.summary,
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "inLanguage": page.locale.language_code,
        "datePublished": _iso(page.published_at),
        "dateModified": _iso(page.last_published_at or page.published_at),
        "author": [person_data(author) for author in authors],
        "publisher": organization_data(),
    }
    if image:
        data["image"] = [image_object_data(image)]
    if page.topic_id and page.topic:
        data["articleSection"] = page.topic.name
    if tags:
        data["keywords"] = ", ".join(tags)
    return data


def video_object_data(video: Video, *, poster: ImageFacts | None) -> dict[str, Any]:
    """schema.org VideoObject of an uploaded video."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "VideoObject",
        "name": video.title,
        "description": video.description or video.title,
        "uploadDate": _iso(video.created_at),
        "contentUrl": absolute_url(video.file.url),
        "embedUrl": absolute_url(reverse("outputs:embed-video", args=[video.pk])),
        "encodingFormat": video.mime_type,
        "creditText": video.credit or settings.SITE_NAME,
        "copyrightNotice": video.attribution,
    }
    if poster:
        data["thumbnailUrl"] = [poster.url]
    if video.transcript:
        data["transcript"] = video.transcript
    return data


# ------------------------------------------------------------------------------ head tags


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


def _add_image_tags(tags: HeadTags, image: ImageFacts | None) -> None:
    if image is None:
        tags.name("twitter:card", "summary")
        return
    tags.og("og:image", image.url)
    tags.og("og:image:width", image.width)
    tags.og("og:image:height", image.height)
    tags.og("og:image:alt", image.alt)
    tags.name("twitter:card", "summary_large_image")
    tags.name("twitter:image", image.url)
    tags.name("twitter:image:alt", image.alt)


def _translation_links(page: Page, request: HttpRequest | None) -> list[tuple[str, str]]:
    links = []
    for version in page.get_translations(inclusive=True).live().select_related("locale"):
        url = page_url(version, request)
        if url:
            links.append((version.locale.language_code, url))
    return links if len(links) > 1 else []


def _public_image(image: Image | None) -> Image | None:
    """The image, unless an embargo holds it back."""
    from gemeinsam.newsroom.embargo import embargoed_image_ids

    if image is None or image.pk in embargoed_image_ids():
        return None
    return image


def story_head(page: StoryPage, request: HttpRequest | None, *, preview: bool = False) -> HeadTags:
    """Canonical, description, OpenGraph, Twitter, hreflang, oEmbed and JSON-LD of a story."""
    url = page_url(page, request)
    if preview or not page.live or not url:
        # An embargoed or draft story says nothing a crawler could pick up.
        return HeadTags(robots="noindex, nofollow", description=page.summary)
    language = page.locale.language_code
    authors = list(page.authors.all())
    tag_names = [tag.name for tag in page.tags.all()]
    image = image_facts(_public_image(page.lead_image))

    tags = HeadTags(canonical=url, description=page.summary, oembed_url=oembed_discovery_url(url))
    tags.og("og:type", "article")
    tags.og("og:title", page.seo_title or page.title)
    tags.og("og:description", page.summary)
    tags.og("og:url", url)
    tags.og("og:site_name", settings.SITE_NAME)
    tags.og("og:locale", og_locale(language))
    tags.og("article:published_time", _iso(page.published_at))
    tags.og("article:modified_time", _iso(page.last_published_at))
    for author in authors:
        tags.og("article:author", author_url(author))
    if page.topic_id and page.topic:
        tags.og("article:section", page.topic.name)
    for tag_name in tag_names:
        tags.og("article:tag", tag_name)
    tags.name("twitter:title", page.seo_title or page.title)
    tags.name("twitter:description", page.summary)
    _add_image_tags(tags, image)

    tags.alternates = _translation_links(page, request)
    for code, _url in tags.alternates:
        if code != language:
            tags.og("og:locale:alternate", og_locale(code))

    graph: list[dict[str, Any]] = [
        news_article_data(page, url=url, authors=authors, image=image, tags=tag_names)
    ]
    if isinstance(page, VideoPage) and page.video_id and page.video:
        video = page.video
        graph[0]["video"] = {"@type": "VideoObject", "name": video.title}
        graph.append(video_object_data(video, poster=image_facts(_public_image(video.poster))))
    tags.json_ld = json_ld_script(graph[0] if len(graph) == 1 else graph)
    return tags


def _home_head(page: HomePage, request: HttpRequest | None) -> HeadTags:
    url = page_url(page, request)
    description = page.search_description or Truncator(strip_tags(page.intro)).chars(300)
    tags = HeadTags(canonical=url, description=description)
    tags.og("og:type", "website")
    tags.og("og:title", page.seo_title or settings.SITE_NAME)
    tags.og("og:description", description)
    tags.og("og:url", url)
    tags.og("og:site_name", settings.SITE_NAME)
    tags.og("og:locale", og_locale(page.locale.language_code))
    tags.name("twitter:card", "summary")
    tags.alternates = _translation_links(page, request)
    organization = {"@context": "https://schema.org", **organization_data()}
    if description:
        organization["description"] = description
    organization["interactionStatistic"] = {
        "@type": "InteractionCounter",
        "interactionType": "https://schema.org/FollowAction",
        "userInteractionCount": fan_count(),
        "name": "fans",
    }
    website = {
        "@context": "https://schema.org",
        "@type": "WebSite",
        "name": settings.SITE_NAME,
        "url": url,
        "inLanguage": page.locale.language_code,
    }
    tags.json_ld = json_ld_script([organization, website])
    return tags


def _author_head(author: Author, request: HttpRequest | None) -> HeadTags:
    url = author_url(author)
    photo = image_facts(author.photo, "fill-400x400") if author.photo_id else None
    tags = HeadTags(description=Truncator(author.bio).chars(300))
    tags.og("og:type", "profile")
    tags.og("og:title", author.name)
    tags.og("og:description", tags.description)
    tags.og("og:url", url)
    tags.og("og:site_name", settings.SITE_NAME)
    tags.og("og:locale", og_locale(translation.get_language() or settings.LANGUAGE_CODE))
    _add_image_tags(tags, photo)
    person = {"@context": "https://schema.org", **person_data(author, photo)}
    person["worksFor"] = organization_data()
    tags.json_ld = json_ld_script(person)
    return tags


def site_head(context: dict[str, Any]) -> HeadTags | None:
    """Site-wide OpenGraph defaults; the home page and author pages say more.

    Story pages are left out: their own head (``_story_head.html``) describes them.
    """
    request = context.get("request")
    request = request if isinstance(request, HttpRequest) else None
    page = context.get("page")
    if isinstance(page, StoryPage):
        return None
    if isinstance(page, HomePage):
        return _home_head(page, request)
    author = context.get("author")
    if isinstance(author, Author) and not isinstance(page, Page):
        return _author_head(author, request)
    tags = HeadTags()
    title = page.seo_title or page.title if isinstance(page, Page) else settings.SITE_NAME
    tags.og("og:type", "website")
    tags.og("og:title", title)
    tags.og("og:site_name", settings.SITE_NAME)
    if request is not None:
        tags.og("og:url", absolute_url(request.path))
    tags.og("og:locale", og_locale(translation.get_language() or settings.LANGUAGE_CODE))
    tags.name("twitter:card", "summary")
    return tags


# ------------------------------------------------------------------------------- sitemaps


def sitemap_pages() -> QuerySet[Page]:
    """Every live, public page of every language, the tree's root left out."""
    return (
        Page.objects.live().public().filter(depth__gt=1).select_related("locale").order_by("path")
    )


NEWS_SITEMAP_TYPES: tuple[type[StoryPage], ...] = (ArticlePage, NewsPage, PressReleasePage)


def recent_news(*, now: datetime | None = None) -> QuerySet[StoryPage]:
    """Stories for the Google News sitemap: articles, short news and press releases, live and
    public, first published within the last two days, newest first.

    Photo stories, videos and press kits are left out: Google News wants written news
    reports, and the other types are media collections that the main sitemap lists.
    """
    since = (now or timezone.now()) - timedelta(days=NEWS_SITEMAP_DAYS)
    return (
        StoryPage.objects.live()
        .public()
        .type(*NEWS_SITEMAP_TYPES)
        .filter(first_published_at__gte=since)
        .select_related("locale")
        .order_by("-first_published_at", "-pk")[:NEWS_SITEMAP_LIMIT]
    )


class PageSitemap(WagtailSitemap):
    """Wagtail's sitemap over every language, with addresses on the public origin."""

    def items(self) -> QuerySet[Page]:
        return sitemap_pages()

    def _urls(self, page: int, protocol: str, domain: str) -> list[dict[str, Any]]:
        urls = []
        for item in self.paginator.page(page).object_list:
            location = page_url(item, self.request)
            if location:
                urls.append({"item": item, "location": location, "lastmod": self.lastmod(item)})
        lastmods = [url["lastmod"] for url in urls]
        if lastmods and None not in lastmods:
            self.latest_lastmod = max(lastmods)
        return urls


def _render_sitemap(request: HttpRequest) -> HttpResponse:
    response = sitemap_views.sitemap(
        request,
        {"pages": PageSitemap(request)},
        content_type="application/xml; charset=utf-8",
    )
    response.render()
    return response


_NO_ATTRIBUTES: AttributesImpl[str] = AttributesImpl({})


def _render_news_sitemap(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(content_type="application/xml; charset=utf-8")
    xml = SimplerXMLGenerator(response, "utf-8")
    xml.startDocument()
    xml.startElement(
        "urlset",
        AttributesImpl(
            {
                "xmlns": "http://www.sitemaps.org/schemas/sitemap/0.9",
                "xmlns:news": "http://www.google.com/schemas/sitemap-news/0.9",
            }
        ),
    )
    for story in recent_news():
        location = page_url(story, request)
        if not location:
            continue
        xml.startElement("url", _NO_ATTRIBUTES)
        xml.addQuickElement("loc", location)
        xml.startElement("news:news", _NO_ATTRIBUTES)
        xml.startElement("news:publication", _NO_ATTRIBUTES)
        xml.addQuickElement("news:name", settings.SITE_NAME)
        xml.addQuickElement("news:language", story.locale.language_code)
        xml.endElement("news:publication")
        xml.addQuickElement("news:publication_date", _iso(story.first_published_at))
        xml.addQuickElement("news:title", story.title)
        xml.endElement("news:news")
        xml.endElement("url")
    xml.endElement("urlset")
    xml.endDocument()
    return response


def robots_text() -> str:
    lines = ["User-agent: *", "Allow: /", "Disallow: /admin/", "Disallow: /django-admin/"]
    for code, _name in settings.LANGUAGES:
        lines += [
            f"Disallow: /{code}/accounts/",
            f"Disallow: /{code}/embargo/",
            f"Disallow: /{code}/search/",
        ]
    lines += [
        "",
        f"Sitemap: {absolute_url(reverse('outputs:sitemap'))}",
        f"Sitemap: {absolute_url(reverse('outputs:news-sitemap'))}",
    ]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------- views


@require_safe
def sitemap(request: HttpRequest) -> HttpResponseBase:
    return conditional_output(request, lambda: _render_sitemap(request))


@require_safe
def news_sitemap(request: HttpRequest) -> HttpResponseBase:
    # Stories age out of this sitemap without any publish, so the validators turn each hour.
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    return conditional_output(
        request,
        lambda: _render_news_sitemap(request),
        hour.isoformat(),
        not_before=int(hour.timestamp()),
    )


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponseBase:
    return conditional_output(
        request, lambda: HttpResponse(robots_text(), content_type="text/plain; charset=utf-8")
    )
