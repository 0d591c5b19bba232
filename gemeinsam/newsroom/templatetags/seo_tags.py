"""Template tags for the head of public pages; what they say is built in newsroom.seo."""

from __future__ import annotations

from typing import Any, cast

from django import template
from django.http import HttpRequest

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
    return story_head(
        page,
        request if isinstance(request, HttpRequest) else None,
        preview=bool(context.get("is_embargo_preview")),
    )


@register.simple_tag(takes_context=True)
def site_seo(context: template.Context) -> HeadTags | None:
    """Site-wide OpenGraph defaults; nothing on story pages, which have their own."""
    return site_head(cast(dict[str, Any], context.flatten()))
