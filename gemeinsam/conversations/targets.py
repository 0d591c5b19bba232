"""Comments and discussions as targets of the engagement apps."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.text import Truncator
from django.utils.translation import gettext

from gemeinsam.conversations import services
from gemeinsam.conversations.models import Comment, DiscussionThread
from gemeinsam.core.engagement import (
    Capability,
    Tally,
    TargetError,
    TargetKind,
    kind_of,
    resolve_public_target,
)


def _comment_target(comment: Comment) -> Any:
    """The public item the comment is on, or None when it is gone or withdrawn."""
    try:
        return resolve_public_target(
            comment.content_type_id, comment.object_id, capability=Capability.COMMENT
        )
    except TargetError:
        return None


class CommentKind(TargetKind[Comment]):
    model = Comment
    label = "comment"
    hideable = True

    def get_url(self, obj: Comment) -> str:
        target = _comment_target(obj)
        if target is None:
            return ""
        return f"{kind_of(target).get_url(target)}#comment-{obj.pk}"

    def get_title(self, obj: Comment) -> str:
        return Truncator(obj.body).chars(60)

    def is_public(self, obj: Comment) -> bool:
        if obj.is_hidden or obj.is_deleted:
            return False
        return _comment_target(obj) is not None

    def public_queryset(self) -> models.QuerySet[Comment]:
        """Comments the public sees: not hidden, not deleted, not in a hidden discussion (or
        one in a closed topic); one query when used as a subquery."""
        withdrawn = DiscussionThread.objects.filter(Q(is_hidden=True) | Q(topic__is_open=False))
        return Comment.objects.filter(is_hidden=False, is_deleted=False).exclude(
            content_type=ContentType.objects.get_for_model(DiscussionThread),
            object_id__in=withdrawn.values("pk"),
        )

    def get_owner(self, obj: Comment) -> Any:
        return obj.author

    def count_changed(self, obj: Comment, counter: Tally, delta: int) -> None:
        services.record_count_change(obj, counter, delta)

    def set_hidden(self, obj: Comment, hidden: bool) -> None:
        services.set_comment_hidden(obj, hidden)

    def is_hidden(self, obj: Comment) -> bool:
        return Comment.objects.filter(pk=obj.pk, is_hidden=True).exists()


class ThreadKind(TargetKind[DiscussionThread]):
    model = DiscussionThread
    label = "thread"
    followable = True
    hideable = True

    def get_url(self, obj: DiscussionThread) -> str:
        return str(obj.get_absolute_url())

    def get_title(self, obj: DiscussionThread) -> str:
        return str(obj.title)

    def is_public(self, obj: DiscussionThread) -> bool:
        return not obj.is_hidden and bool(obj.topic.is_open)

    def public_queryset(self) -> models.QuerySet[DiscussionThread]:
        return DiscussionThread.objects.public()

    def get_owner(self, obj: DiscussionThread) -> Any:
        return obj.author

    def count_changed(self, obj: DiscussionThread, counter: Tally, delta: int) -> None:
        services.record_thread_count_change(obj, counter, delta)

    def set_hidden(self, obj: DiscussionThread, hidden: bool) -> None:
        services.set_thread_hidden(obj, hidden)

    def is_hidden(self, obj: DiscussionThread) -> bool:
        return DiscussionThread.objects.filter(pk=obj.pk, is_hidden=True).exists()

    def closed_reason(self, obj: DiscussionThread) -> str:
        if obj.is_locked:
            return gettext("This discussion is locked and takes no more replies.")
        return ""
