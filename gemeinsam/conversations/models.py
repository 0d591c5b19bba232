"""Comments on any registered target, threaded through a stored chain of ancestors."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# Each segment of ``Comment.path`` is the id zero-padded to this width, so that sorting the
# replies of a thread by path gives depth-first order with siblings oldest first.
PATH_DIGITS = 10
PATH_SEPARATOR = "/"
MAX_DEPTH = 60  # path max_length / (PATH_DIGITS + 1), with room to spare


def path_segment(comment_id: int) -> str:
    return f"{comment_id:0{PATH_DIGITS}d}{PATH_SEPARATOR}"


class CommentQuerySet(models.QuerySet["Comment"]):
    def for_target(self, content_type_id: int, object_id: int) -> CommentQuerySet:
        return self.filter(content_type_id=content_type_id, object_id=object_id)

    def visible(self) -> CommentQuerySet:
        """Not hidden by moderation (hidden comments disappear everywhere)."""
        return self.filter(is_hidden=False)

    def top_level(self) -> CommentQuerySet:
        return self.filter(parent__isnull=True)

    def not_by(self, user_ids: set[int]) -> CommentQuerySet:
        return self.exclude(author_id__in=user_ids) if user_ids else self


class Comment(models.Model):
    """One comment or reply. ``path`` holds the whole chain of ancestors and the comment
    itself ("0000000012/0000000045/"), ``root`` the top-level comment of its thread (None
    for a top-level comment). Counters are denormalised and changed only through services.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="comments",
    )
    # For comments without an account (imported from a blog); empty for members.
    guest_name = models.CharField(_("name"), max_length=80, blank=True)
    body = models.TextField(_("comment"), blank=True)
    body_html = models.TextField(blank=True, editable=False)
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    root = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="thread_replies"
    )
    path = models.CharField(max_length=700, blank=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField()
    edited_at = models.DateTimeField(null=True, blank=True)
    is_deleted = models.BooleanField(default=False)
    is_hidden = models.BooleanField(default=False)
    is_official = models.BooleanField(default=False)
    fave_count = models.PositiveIntegerField(default=0)
    # Replies anywhere below this comment (for a top-level comment: the whole thread).
    reply_count = models.PositiveIntegerField(default=0)
    # Wilson lower bound, see services.wilson_lower_bound; kept current by the services.
    score = models.FloatField(default=0.0)

    objects = CommentQuerySet.as_manager()

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="comment_target"),
            # Keyset pages of top-level comments, newest/oldest and best first.
            models.Index(
                fields=["content_type", "object_id", "created_at", "id"],
                condition=Q(parent__isnull=True, is_hidden=False),
                name="comment_top_by_time",
            ),
            models.Index(
                fields=["content_type", "object_id", "score", "id"],
                condition=Q(parent__isnull=True, is_hidden=False),
                name="comment_top_by_score",
            ),
            # The replies of a thread in depth-first order.
            models.Index(fields=["root", "path"], name="comment_thread"),
            models.Index(fields=["author", "created_at"], name="comment_author_recent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(parent__isnull=True, root__isnull=True, depth=0)
                | Q(parent__isnull=False, root__isnull=False, depth__gt=0),
                name="comment_thread_shape",
            ),
        ]

    def __str__(self) -> str:
        return f"Comment {self.pk} on {self.content_type_id}/{self.object_id}"

    @property
    def author_name(self) -> str:
        if self.author is not None:
            return self.author.public_name
        return self.guest_name or gettext("deleted member")

    @property
    def is_by_deleted_member(self) -> bool:
        return self.author_id is None and not self.guest_name

    @property
    def ancestor_ids(self) -> list[int]:
        """Ids of the chain from the top-level comment down to the parent."""
        ids = [int(segment) for segment in self.path.split(PATH_SEPARATOR) if segment]
        return ids[:-1]

    def anchor(self) -> str:
        return f"comment-{self.pk}"

    def is_editable_by(self, user: Any, *, now: datetime | None = None) -> bool:
        """The author may edit for ``GEMEINSAM_COMMENT_EDIT_MINUTES`` (default 15)."""
        if user is None or not user.is_authenticated or self.author_id != user.pk:
            return False
        if self.is_deleted or self.is_hidden:
            return False
        minutes = int(getattr(settings, "GEMEINSAM_COMMENT_EDIT_MINUTES", 15))
        return (now or timezone.now()) - self.created_at <= timedelta(minutes=minutes)

    def is_deletable_by(self, user: Any) -> bool:
        """The author, or staff allowed to delete comments."""
        if user is None or not user.is_authenticated:
            return False
        if self.author_id is not None and self.author_id == user.pk:
            return True
        return bool(user.is_staff and user.has_perm("conversations.delete_comment"))
