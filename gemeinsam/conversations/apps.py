"""Conversations: comments on any content, and discussions."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConversationsConfig(AppConfig):
    name = "gemeinsam.conversations"
    label = "conversations"
    verbose_name = _("Conversations")

    def ready(self) -> None:
        from gemeinsam.conversations import services
        from gemeinsam.conversations.models import Comment, DiscussionThread
        from gemeinsam.conversations.selectors import read_comment_state
        from gemeinsam.conversations.targets import CommentKind, ThreadKind
        from gemeinsam.core.engagement import register_state_reader, register_target
        from gemeinsam.core.personal_data import PersonalData, register_personal_data

        register_target(CommentKind())
        register_target(ThreadKind())
        register_state_reader(read_comment_state)
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
        register_personal_data(
            PersonalData(
                model=DiscussionThread,
                user_field="author",
                description="A discussion the member started on a topic of the space.",
                fields={
                    "title": "The title as written.",
                    "body": "The text as written (Markdown).",
                    "created_at": "When it was started.",
                    "topic": "The topic it was started on.",
                    "reply_count": "How many replies it has.",
                },
                policy="custom",
                # Follows the member's choice for comments: {"comments": "keep"} keeps the
                # discussion by "deleted member"; "delete" (default) hides it and removes
                # its text, keeping the replies of others.
                on_delete=services.erase_member_threads,
            )
        )
