"""Factories for comments, written straight to the database (no services, no events)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from gemeinsam.conversations.markdown import render_markdown
from gemeinsam.conversations.models import Comment, path_segment
from gemeinsam.core.engagement import target_reference


def make_comment(
    *,
    target: Any,
    author: Any = None,
    body: str = "A comment.",
    parent: Comment | None = None,
    **fields: Any,
) -> Comment:
    content_type_id, object_id = target_reference(target)
    fields.setdefault("created_at", timezone.now())
    comment = Comment.objects.create(
        content_type_id=content_type_id,
        object_id=object_id,
        author=author,
        body=body,
        body_html=render_markdown(body),
        parent=parent,
        root=(parent.root or parent) if parent else None,
        depth=parent.depth + 1 if parent else 0,
        **fields,
    )
    comment.path = (parent.path if parent else "") + path_segment(comment.pk)
    comment.save(update_fields=["path"])
    return comment
