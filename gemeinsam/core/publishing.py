"""What every public output says the same way: absolute addresses, ISO dates, an image's
rendition with its credit and licence, and the schema.org pieces that JSON-LD shares.

Every absolute address is built on ``settings.SITE_URL``, the site's public origin. Page
paths come from Wagtail (``Page.get_url``), which gives a path for a single-site install and
a full address, with the Site's host, when there are several.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, overload

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from wagtail.images.models import SourceImageIOError
from wagtail.models import Page

from gemeinsam.core.models import LICENCE_URLS, Licence
from gemeinsam.core.models import CustomImage as Image

# How long caches and embedding sites may keep a public output.
PUBLIC_MAX_AGE = 300
SOCIAL_RENDITION = "width-1200"
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


def og_locale(language_code: str) -> str:
    """The OpenGraph locale of a language code: ``de`` is ``de_DE``."""
    return OG_LOCALES.get(language_code, f"{language_code}_{language_code.upper()}")


# ----------------------------------------------------------------------------------- dates


@overload
def iso_datetime(value: datetime) -> str: ...
@overload
def iso_datetime(value: None) -> None: ...
def iso_datetime(value: datetime | None) -> str | None:
    """ISO 8601 in the site's time zone, as feeds, sitemaps and JSON-LD write a time."""
    return timezone.localtime(value).isoformat() if value else None


# ---------------------------------------------------------------------------------- rights


def licence_url(code: str) -> str:
    """The address of a licence's text, or "" for a licence without one (or an unknown code)."""
    try:
        return LICENCE_URLS.get(Licence(code), "")
    except ValueError:
        return ""


@dataclass(frozen=True)
class ImageFacts:
    """An image as the outputs describe it: an absolute file address and its rights."""

    url: str
    width: int
    height: int
    alt: str
    credit: str
    licence: str
    licence_url: str
    attribution: str


def describe_image(image: Image, *, url: str, width: int, height: int) -> ImageFacts:
    """The rights of ``image`` together with one file of it (the original or a rendition)."""
    return ImageFacts(
        url=absolute_url(url),
        width=width,
        height=height,
        alt=image.default_alt_text,
        credit=image.credit,
        licence=str(image.get_licence_display()),
        licence_url=image.licence_url,
        attribution=image.attribution,
    )


def image_facts(image: Image | None, spec: str = SOCIAL_RENDITION) -> ImageFacts | None:
    """The rendition ``spec`` of an image with its credit, or None when there is no file."""
    if image is None:
        return None
    try:
        rendition = image.get_rendition(spec)
    except (SourceImageIOError, OSError, ValueError):
        return None
    return describe_image(image, url=rendition.url, width=rendition.width, height=rendition.height)


# -------------------------------------------------------------------------------- JSON-LD

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


def image_object_data(facts: ImageFacts) -> dict[str, Any]:
    """schema.org ImageObject of an image, with its credit and licence."""
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
    """schema.org Organization of the host."""
    return {"@type": "Organization", "name": settings.SITE_NAME, "url": absolute_url("/")}
