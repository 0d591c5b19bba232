"""Template tags for the head of public pages; what they say is built in newsroom.seo."""

from __future__ import annotations

from typing import Any, cast

from django import template
from django.http import HttpRequest

from gemeinsam.core.caching import SITE, cached_fragment, target_scope
from gemeinsam.newsroom.models import StoryPage
from gemeinsam.newsroom.seo import HeadTags, site_head, story_head

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
    return cached_fragment(
        "story-head",
        [SITE, target_scope(page)],
        [str(page.pk), request.scheme or "", request.get_host()],
        lambda: story_head(page, request),
    )


@register.simple_tag(takes_context=True)
def site_seo(context: template.Context) -> HeadTags | None:
    """Site-wide OpenGraph defaults; nothing on story pages, which have their own."""
    return site_head(cast(dict[str, Any], context.flatten()))
