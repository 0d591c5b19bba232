"""Template tags for the head of public pages; what they say is built in outputs.seo."""

from __future__ import annotations

from typing import Any, cast

from django import template
from django.core.cache import cache
from django.http import HttpRequest

from gemeinsam.core.caching import content_generation
from gemeinsam.newsroom.models import StoryPage
from gemeinsam.outputs.seo import HeadTags, site_head, story_head

register = template.Library()


@register.simple_tag(takes_context=True)
def story_seo(context: template.Context) -> HeadTags | None:
    """Head tags of the story page in the context."""
    page = context.get("page")
    if not isinstance(page, StoryPage):
        return None
    request = context.get("request")
    request = request if isinstance(request, HttpRequest) else None
    preview = bool(context.get("is_embargo_preview"))
    if preview or not page.live or request is None:
        return story_head(page, request, preview=preview)
    # The same for every reader until the next public change: cached, it saves the author,
    # tag, image and translation queries of each signed-in or uncached view.
    key = ":".join(
        ("story-head", content_generation(), str(page.pk), request.scheme or "", request.get_host())
    )
    head = cache.get(key)
    if head is None:
        head = story_head(page, request)
        cache.set(key, head, 300)
    return cast(HeadTags, head)


@register.simple_tag(takes_context=True)
def site_seo(context: template.Context) -> HeadTags | None:
    """Site-wide OpenGraph defaults; nothing on story pages, which have their own."""
    return site_head(cast(dict[str, Any], context.flatten()))
