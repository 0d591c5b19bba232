"""Conversations: comments on any content, and discussions."""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _


def _comment_target(comment: Any) -> Any:
    from gemeinsam.core.engagement import resolve_public_target

    return resolve_public_target(comment.content_type_id, comment.object_id)


def _comment_url(comment: Any) -> str:
    target = _comment_target(comment)
    if target is None:
        return ""
    from gemeinsam.core.engagement import target_kind

    kind = target_kind(target)
    return f"{kind.get_url(target) if kind else ''}#comment-{comment.pk}"


def _comment_is_public(comment: Any) -> bool:
    if comment.is_hidden or comment.is_deleted:
        return False
    return _comment_target(comment) is not None


class ConversationsConfig(AppConfig):
    name = "gemeinsam.conversations"
    label = "conversations"
    verbose_name = _("Conversations")

    def ready(self) -> None:
        from gemeinsam.conversations import services
        from gemeinsam.conversations.models import Comment
        from gemeinsam.core.engagement import TargetKind, register_target
        from gemeinsam.core.personal_data import PersonalData, register_personal_data

        register_target(
            Comment,
            TargetKind(
                label="comment",
                get_url=_comment_url,
                get_title=lambda comment: Truncator(comment.body).chars(60),
                is_public=_comment_is_public,
                get_owner=lambda comment: comment.author,
                on_count_changed=services.record_count_change,
                public_queryset=lambda: Comment.objects.filter(is_hidden=False, is_deleted=False),
                set_hidden=services.set_comment_hidden,
                is_hidden=lambda comment: Comment.objects.filter(
                    pk=comment.pk, is_hidden=True
                ).exists(),
            ),
        )
        register_personal_data(
            PersonalData(
                model=Comment,
                user_field="author",
                description="A comment or reply the member wrote on a story or another item.",
                fields={
                    "body": "The text as written (Markdown).",
                    "created_at": "When it was posted.",
                    "edited_at": "When it was last edited, if it was.",
                    "content_type": "The kind of item it is on.",
                    "object_id": "The id of the item it is on.",
                    "parent": "The comment it replies to, if any.",
                    "is_deleted": "Whether it was deleted (the text is then gone).",
                },
                policy="custom",
                # The member chooses: {"comments": "delete"} (default) or {"comments": "keep"}.
                on_delete=services.erase_member_comments,
            )
        )
