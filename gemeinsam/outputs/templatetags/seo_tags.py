"""Template tags for the head of public pages; what they say comes from the head builders."""

from __future__ import annotations

from typing import Any, cast

from django import template

from gemeinsam.core.outputs import HeadTags
from gemeinsam.outputs.seo import page_head, site_head

register = template.Library()


@register.simple_tag(takes_context=True)
def story_seo(context: template.Context) -> HeadTags | None:
    """The page's own head tags (a story page's), from the builder that claims it."""
    return page_head(cast(dict[str, Any], context.flatten()))


@register.simple_tag(takes_context=True)
def site_seo(context: template.Context) -> HeadTags | None:
    """Head tags of every page; nothing on pages that ask for their own (story pages)."""
    return site_head(cast(dict[str, Any], context.flatten()))
