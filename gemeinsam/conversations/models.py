"""Comments on any registered target, threaded through a stored chain of ancestors."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, NamedTuple

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


def ancestors_in_path(path: str) -> list[int]:
    """Ids of the chain from the top-level comment down to the parent of the comment whose
    path is ``path`` (itself left out)."""
    return [int(segment) for segment in path.split(PATH_SEPARATOR) if segment][:-1]


class ThreadPlace(NamedTuple):
    """Where a comment stands in its thread: its id, path, depth and top-level comment
    (``root_id`` None for a top-level comment itself)."""

    id: int
    path: str
    depth: int
    root_id: int | None


def place_in_thread(comment_id: int, parent: ThreadPlace | None) -> ThreadPlace:
    """The place of comment ``comment_id``: a top-level comment, or a reply to ``parent``.
    The one rule for paths, depths and roots, for the services and the bulk seed alike."""
    if parent is None:
        return ThreadPlace(comment_id, path_segment(comment_id), 0, None)
    return ThreadPlace(
        comment_id,
        parent.path + path_segment(comment_id),
        parent.depth + 1,
        parent.root_id or parent.id,
    )


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
    # Wilson lower bound, see services.comment_score; kept current by the services.
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
        return ancestors_in_path(self.path)

    @property
    def place(self) -> ThreadPlace:
        """Where this (stored) comment stands in its thread."""
        return ThreadPlace(self.pk, self.path, self.depth, self.root_id)

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


class DiscussionTopic(models.Model):
    """A subject of the space that members can start discussions on; the host's staff keep
    the list in the admin. A closed topic takes its discussions out of public view."""

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_open = models.BooleanField(
        _("open"),
        default=True,
        help_text=_("Closed topics and their discussions are not shown to the public."),
    )
    sort_order = models.IntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("discussion topic")
        verbose_name_plural = _("discussion topics")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class DiscussionThreadQuerySet(models.QuerySet["DiscussionThread"]):
    def public(self) -> DiscussionThreadQuerySet:
        """Not hidden by moderation, in an open topic."""
        return self.filter(is_hidden=False, topic__is_open=True)


class DiscussionThread(models.Model):
    """A discussion a member started on a topic; the replies are comments on it.
    ``reply_count`` and ``last_activity_at`` change only through the services."""

    topic = models.ForeignKey(DiscussionTopic, on_delete=models.PROTECT, related_name="threads")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="discussion_threads",
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    body_html = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField()
    last_activity_at = models.DateTimeField(db_index=True)
    reply_count = models.PositiveIntegerField(default=0)
    is_hidden = models.BooleanField(default=False)
    is_locked = models.BooleanField(
        _("locked"), default=False, help_text=_("Locked discussions take no more replies.")
    )

    objects = DiscussionThreadQuerySet.as_manager()

    class Meta:
        verbose_name = _("discussion")
        verbose_name_plural = _("discussions")
        indexes = [
            # Keyset pages of a topic's discussions, latest activity first.
            models.Index(
                fields=["topic", "last_activity_at", "id"],
                condition=Q(is_hidden=False),
                name="thread_topic_activity",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("conversations:discussion", args=[self.topic.slug, self.pk])

    @property
    def author_name(self) -> str:
        return self.author.public_name if self.author is not None else gettext("deleted member")
