"""What search engines and social networks read: head tags, sitemaps, robots.txt, and the
HTTP validators every public output answers conditional requests with.

The head tags of a page come from the head builder that claims it; sitemap.xml holds every
registered section, the news sitemap every section's recent news.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from xml.sax.xmlreader import AttributesImpl

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.xmlutils import SimplerXMLGenerator
from django.views.decorators.http import require_safe
from wagtail.models import Page

from gemeinsam.core.caching import SITE, conditional_output
from gemeinsam.core.outputs import HeadTags, head_builders, sitemap_sections
from gemeinsam.core.publishing import absolute_url, iso_datetime, og_locale

# ------------------------------------------------------------------------------ head tags


def site_head(context: Mapping[str, Any]) -> HeadTags | None:
    """The head tags of every page: what the builder that claims the page says, or else
    site-wide OpenGraph defaults. None where the page's template adds its own head."""
    for builder in head_builders():
        if builder.claims(context):
            return builder.site_head(context)
    request = context.get("request")
    request = request if isinstance(request, HttpRequest) else None
    page = context.get("page")
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


def page_head(context: Mapping[str, Any]) -> HeadTags | None:
    """The page's own head, from the builder that claims it (a story page's)."""
    for builder in head_builders():
        if builder.claims(context):
            return builder.page_head(context)
    return None


# ------------------------------------------------------------------------------- sitemaps


def _render_sitemap(request: HttpRequest) -> HttpResponse:
    sections: dict[str, type[Sitemap[Any]] | Sitemap[Any]] = {
        section.label: section.sitemap(request)
        for section in sitemap_sections()
        if section.sitemap is not None
    }
    response = sitemap_views.sitemap(
        request, sections, content_type="application/xml; charset=utf-8"
    )
    response.render()
    return response


_NO_ATTRIBUTES: AttributesImpl[str] = AttributesImpl({})


def _render_news_sitemap(request: HttpRequest) -> HttpResponse:
    news = [
        item
        for section in sitemap_sections()
        if section.news is not None
        for item in section.news(request)
    ]
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
    for item in news:
        xml.startElement("url", _NO_ATTRIBUTES)
        xml.addQuickElement("loc", item.location)
        xml.startElement("news:news", _NO_ATTRIBUTES)
        xml.startElement("news:publication", _NO_ATTRIBUTES)
        xml.addQuickElement("news:name", settings.SITE_NAME)
        xml.addQuickElement("news:language", item.language)
        xml.endElement("news:publication")
        xml.addQuickElement("news:publication_date", iso_datetime(item.published))
        xml.addQuickElement("news:title", item.title)
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
    return conditional_output(request, lambda: _render_sitemap(request), [SITE])


@require_safe
def news_sitemap(request: HttpRequest) -> HttpResponseBase:
    # Stories age out of this sitemap without any publish, so the validators turn each hour.
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    return conditional_output(
        request,
        lambda: _render_news_sitemap(request),
        [SITE],
        hour.isoformat(),
        not_before=int(hour.timestamp()),
    )


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponseBase:
    return conditional_output(
        request,
        lambda: HttpResponse(robots_text(), content_type="text/plain; charset=utf-8"),
        [SITE],
    )
