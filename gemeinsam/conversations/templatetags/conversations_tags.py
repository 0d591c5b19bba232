"""{% comment_section target %}: the comments under a story (or any registered target)."""

from __future__ import annotations

from typing import Any

from django import template

from gemeinsam.conversations.forms import CommentForm
from gemeinsam.conversations.fragments import comment_list
from gemeinsam.core.engagement import target_reference

register = template.Library()


@register.inclusion_tag("conversations/_comment_section.html", takes_context=True)
def comment_section(context: template.Context, target: Any) -> dict[str, Any]:
    """Heading with the count, sort links, the first page of comments, and the form for
    signed-in members (a sign-in link for everyone else). Needs ``request`` in the context;
    costs three queries for a reader and four for a member, however many comments exist."""
    request = context["request"]
    user = getattr(request, "user", None)
    content_type_id, object_id = target_reference(target)
    list_url = _list_url(content_type_id, object_id)
    comments = comment_list(request, target, list_url, sort=None, cursor=None)
    signed_in = bool(user is not None and user.is_authenticated)
    return {
        "request": request,
        "user": user,
        "comment_list_html": comments.html,
        "comment_total": comments.total,
        "form": CommentForm() if signed_in else None,
        "list_url": list_url,
        "content_type_id": content_type_id,
        "object_id": object_id,
    }


def _list_url(content_type_id: int, object_id: int) -> str:
    from django.urls import reverse

    return reverse("conversations:comments", args=[content_type_id, object_id])


@register.simple_tag
def report_url(comment: Any) -> str:
    """Where anyone can report this comment, if the site has moderation installed."""
    from django.contrib.contenttypes.models import ContentType
    from django.urls import NoReverseMatch, reverse

    try:
        content_type = ContentType.objects.get_for_model(comment)
        return reverse("moderation:report", args=[content_type.pk, comment.pk])
    except NoReverseMatch:
        return ""
