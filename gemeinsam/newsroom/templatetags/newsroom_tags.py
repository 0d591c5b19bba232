"""Template tags shared by every newsroom page: legal links, language links, feed links."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils.translation import get_language
from wagtail.models import Locale, Page

from gemeinsam.core.caching import SITE, cached_fragment
from gemeinsam.newsroom.selectors import legal_links as select_legal_links

register = template.Library()


@register.simple_tag
def legal_links() -> list[dict[str, str]]:
    """Imprint, privacy, terms and contact of the active language, cached until content changes."""
    language = get_language() or settings.LANGUAGE_CODE

    def build() -> list[dict[str, str]]:
        locale = Locale.objects.filter(language_code=language).first()
        if locale is None:
            return []
        return [
            {"title": page.title, "url": page.get_url(), "kind": page.kind}
            for page in select_legal_links(locale=locale)
        ]

    return list(cached_fragment("legal-links", [SITE], [language], build, timeout=3600))


@register.simple_tag(takes_context=True)
def language_links(context: dict[str, Any]) -> list[dict[str, Any]]:
    """One link per interface language: to the page's translation where one is live,
    otherwise to the same address under the other language's prefix."""
    request: HttpRequest | None = context.get("request")
    page: Page | None = context.get("page")
    current = get_language() or settings.LANGUAGE_CODE
    translations: dict[str, str] = {}
    if isinstance(page, Page) and page.pk:
        for translation in page.get_translations(inclusive=True).live().select_related("locale"):
            url = translation.get_url(request)
            if url:
                translations[translation.locale.language_code] = url
    links = []
    for code, name in settings.LANGUAGES:
        if code in translations:
            url = translations[code]
        elif isinstance(page, Page) and page.pk:
            url = f"/{code}/"
        else:
            url = translate_url(request.get_full_path() if request else "/", code)
        links.append({"code": code, "name": name, "url": url, "is_current": code == current})
    return links
