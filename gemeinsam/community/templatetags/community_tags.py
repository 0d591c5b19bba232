"""Template tags for the community's buttons: fave and share, follow members, tags and
discussions, fan."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django import template
from django.http import HttpRequest

from gemeinsam.community import selectors
from gemeinsam.core.engagement import kind_of, target_reference

register = template.Library()


def engagement_context(request: HttpRequest, target: Any) -> dict[str, Any]:
    content_type_id, object_id = target_reference(target)
    kind = kind_of(target)
    url = request.build_absolute_uri(kind.get_url(target))
    title = kind.get_title(target)
    return {
        "request": request,
        "target": target,
        "content_type_id": content_type_id,
        "object_id": object_id,
        "state": selectors.fave_share_state(user=request.user, target=target),
        "share_url": url,
        "share_title": title,
        "mail_link": f"mailto:?subject={quote(title)}&body={quote(url)}",
        "mastodon_text": f"{title} {url}",
    }


@register.inclusion_tag("community/_engagement_bar.html", takes_context=True)
def engagement_bar(context: dict[str, Any], target: Any) -> dict[str, Any]:
    """Fave and share counts and buttons, and share links, for any registered target."""
    return engagement_context(context["request"], target)


@register.inclusion_tag("community/_follow_button.html", takes_context=True)
def follow_button(context: dict[str, Any], member: Any) -> dict[str, Any]:
    request = context["request"]
    return {
        "request": request,
        "member": member,
        "following": selectors.is_following(user=request.user, member=member),
    }


def item_follow_context(request: HttpRequest, target: Any) -> dict[str, Any]:
    content_type_id, object_id = target_reference(target)
    return {
        "request": request,
        "content_type_id": content_type_id,
        "object_id": object_id,
        "following": selectors.is_following_item(user=request.user, target=target),
    }


@register.inclusion_tag("community/_item_follow_button.html", takes_context=True)
def item_follow_button(context: dict[str, Any], target: Any) -> dict[str, Any]:
    """Follow or stop following a discussion, for signed-in members; one query."""
    return item_follow_context(context["request"], target)


@register.inclusion_tag("community/_tag_follow_button.html", takes_context=True)
def tag_follow_button(context: dict[str, Any], tag: Any) -> dict[str, Any]:
    request = context["request"]
    return {
        "request": request,
        "tag": tag,
        "following": selectors.is_following_tag(user=request.user, tag=tag),
    }


@register.inclusion_tag("community/_fan_button.html", takes_context=True)
def fan_button(context: dict[str, Any]) -> dict[str, Any]:
    request = context["request"]
    return {
        "request": request,
        "fan_count": selectors.fan_count(),
        "is_fan": selectors.is_fan(request.user),
    }
