"""{% comment_section target %}: the comments under a story (or any registered target)."""

from __future__ import annotations

from typing import Any

from django import template

from gemeinsam.conversations.forms import CommentForm
from gemeinsam.conversations.fragments import comment_list
from gemeinsam.core.engagement import kind_of, target_reference
from gemeinsam.core.templatetags.core_tags import report_url

register = template.Library()


@register.inclusion_tag("conversations/_comment_section.html", takes_context=True)
def comment_section(context: template.Context, target: Any) -> dict[str, Any]:
    """Heading with the count, sort links, the first page of comments, and the form for
    signed-in members (a sign-in link for everyone else; a notice where the target takes no
    new comments, as a locked discussion). Needs ``request`` in the context;
    the list is shared by readers (and by members) and cached until the next public change."""
    request = context["request"]
    user = getattr(request, "user", None)
    closed = kind_of(target).closed_reason(target)
    content_type_id, object_id = target_reference(target)
    list_url = _list_url(content_type_id, object_id)
    comments = comment_list(
        request, target, list_url, sort=None, cursor=None, replies_open=not closed
    )
    signed_in = bool(user is not None and user.is_authenticated)
    return {
        "request": request,
        "user": user,
        "comment_list_html": comments.html,
        "comment_total": comments.total,
        "closed": closed,
        "form": CommentForm() if signed_in and not closed else None,
        "list_url": list_url,
        "content_type_id": content_type_id,
        "object_id": object_id,
    }


def _list_url(content_type_id: int, object_id: int) -> str:
    from django.urls import reverse

    return reverse("conversations:comments", args=[content_type_id, object_id])


# Where anyone can report a comment or a discussion.
register.simple_tag(report_url, name="report_url")
