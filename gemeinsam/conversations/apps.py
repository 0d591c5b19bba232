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


def _thread_url(thread: Any) -> str:
    return str(thread.get_absolute_url())


def _thread_closed_reason(thread: Any) -> str:
    from django.utils.translation import gettext

    return (
        gettext("This discussion is locked and takes no more replies.") if thread.is_locked else ""
    )


def _thread_is_public(thread: Any) -> bool:
    return not thread.is_hidden and bool(thread.topic.is_open)


def _public_comments() -> Any:
    """Comments the public sees: not hidden, not deleted, not in a hidden discussion (or one
    in a closed topic); one query when used as a subquery."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Q

    from gemeinsam.conversations.models import Comment, DiscussionThread

    withdrawn = DiscussionThread.objects.filter(Q(is_hidden=True) | Q(topic__is_open=False))
    return Comment.objects.filter(is_hidden=False, is_deleted=False).exclude(
        content_type=ContentType.objects.get_for_model(DiscussionThread),
        object_id__in=withdrawn.values("pk"),
    )


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
        from gemeinsam.conversations.models import Comment, DiscussionThread
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
                public_queryset=_public_comments,
                set_hidden=services.set_comment_hidden,
                is_hidden=lambda comment: Comment.objects.filter(
                    pk=comment.pk, is_hidden=True
                ).exists(),
            ),
        )
        register_target(
            DiscussionThread,
            TargetKind(
                label="thread",
                get_url=_thread_url,
                get_title=lambda thread: thread.title,
                is_public=_thread_is_public,
                get_owner=lambda thread: thread.author,
                on_count_changed=services.record_thread_count_change,
                public_queryset=lambda: DiscussionThread.objects.public(),
                set_hidden=services.set_thread_hidden,
                is_hidden=lambda thread: DiscussionThread.objects.filter(
                    pk=thread.pk, is_hidden=True
                ).exists(),
                followable=True,
                closed_reason=_thread_closed_reason,
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
