"""Reads of the community: counts, a member's own state, the home feed, notifications."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet

from gemeinsam.accounts.selectors import muted_user_ids, muted_user_ids_query
from gemeinsam.community.models import (
    Activity,
    EngagementCount,
    Fan,
    Fave,
    Follow,
    ItemFollow,
    Notification,
    Share,
    TagFollow,
)
from gemeinsam.core.caching import cached_fragment, collection_scope
from gemeinsam.core.engagement import (
    EngagementState,
    Ref,
    UnregisteredKindError,
    host_items,
    is_registered,
    kind_for_content_type,
    kind_of,
    load_targets,
    refs_condition,
    target_reference,
)

# The host's fans: becoming or stopping being a fan changes it.
FANS = collection_scope("fans")


def fan_count() -> int:
    """How many fans the host has; cached until the next public change (becoming or
    stopping being a fan purges it)."""
    return int(cached_fragment("community:fans", [FANS], [], Fan.objects.count))


def is_fan(user: Any) -> bool:
    return bool(user.is_authenticated) and Fan.objects.filter(user=user).exists()


def read_engagement_state(viewer: Any, refs: list[Ref], states: dict[Ref, EngagementState]) -> None:
    """Fave and share counts of ``refs`` (one query) and, for a member, which of them they
    faved and shared (one query each); the community's part of ``engagement_state``."""
    condition = refs_condition(refs)
    counts = EngagementCount.objects.filter(condition).values_list(
        "content_type_id", "object_id", "faves", "shares"
    )
    for content_type_id, object_id, faves, shares in counts:
        state = states[(content_type_id, object_id)]
        state.faves, state.shares = faves, shares
    if not getattr(viewer, "is_authenticated", False):
        return
    for model, flag in ((Fave, "has_faved"), (Share, "has_shared")):
        mine = model.objects.filter(condition, user=viewer)
        for ref in mine.values_list("content_type_id", "object_id"):
            setattr(states[ref], flag, True)


def fave_share_state(*, user: Any, target: Any) -> EngagementState:
    """Fave and share counts of ``target`` and whether ``user`` faved or shared it, for the
    engagement bar: one query, three for a member."""
    ref = target_reference(target)
    states = {ref: EngagementState()}
    read_engagement_state(user, [ref], states)
    return states[ref]


def follower_count(member: Any) -> int:
    return Follow.objects.filter(followed=member).count()


def is_following(*, user: Any, member: Any) -> bool:
    return (
        bool(user.is_authenticated)
        and Follow.objects.filter(follower=user, followed=member).exists()
    )


def is_following_item(*, user: Any, target: Any) -> bool:
    """Whether ``user`` follows ``target`` (a discussion); no query for visitors."""
    if not user.is_authenticated:
        return False
    content_type_id, object_id = target_reference(target)
    return ItemFollow.objects.filter(
        user=user, content_type_id=content_type_id, object_id=object_id
    ).exists()


def is_following_tag(*, user: Any, tag: Any) -> bool:
    return bool(user.is_authenticated) and TagFollow.objects.filter(user=user, tag=tag).exists()


def unread_notification_count(user: Any) -> int:
    """How many unread notifications the member would see in their list (the header badge):
    one query when there are none, two otherwise."""
    if not user.is_authenticated:
        return 0
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    about = _kinds_of_content(unread)
    if not about:
        return 0
    return _shown(unread, user=user, content_type_ids=about).count()


def notifications(*, user: Any, before: int | None = None, limit: int = 30) -> list[Notification]:
    """Newest first, keyset-paged by id, as the member sees them (see ``_shown``); two
    queries."""
    rows = Notification.objects.filter(recipient=user)
    rows = _shown(rows, user=user, content_type_ids=_kinds_of_content(rows))
    if before is not None:
        rows = rows.filter(pk__lt=before)
    return list(rows.select_related("actor").order_by("-pk")[:limit])


def unread_since(*, user: Any, since: datetime, limit: int) -> list[Notification]:
    """The member's unread notifications after ``since`` as they see them, newest first (for
    the digest); two queries."""
    rows = Notification.objects.filter(recipient=user, read_at__isnull=True, created_at__gt=since)
    rows = _shown(rows, user=user, content_type_ids=_kinds_of_content(rows))
    return list(rows.select_related("actor").order_by("-created_at")[:limit])


def unread_notification(*, notification_id: int) -> Notification | None:
    """The notification, if it is unread and its recipient would still see it: not caused by
    a member they muted or who blocks them either way, not about content hidden since."""
    found = (
        Notification.objects.filter(pk=notification_id, read_at__isnull=True)
        .select_related("recipient")
        .first()
    )
    if found is None:
        return None
    rows = Notification.objects.filter(pk=notification_id)
    rows = _shown(rows, user=found.recipient, content_type_ids=[found.content_type_id])
    return rows.select_related("actor", "recipient").first()


def _kinds_of_content(rows: QuerySet[Notification]) -> list[int | None]:
    """The content types that ``rows`` are about (None for notifications about nothing);
    one query."""
    return list(rows.order_by().values_list("content_type_id", flat=True).distinct())


def _shown(
    rows: QuerySet[Notification], *, user: Any, content_type_ids: list[int | None]
) -> QuerySet[Notification]:
    """``rows`` without the notifications the member does not see: those caused by members
    they muted or who block them either way, and those about content that was hidden or
    removed since (a hidden comment, discussion or profile). Every condition is a subquery
    of the caller's one query, so the list, the unread count and the digest always agree.
    """
    rows = rows.exclude(actor_id__in=muted_user_ids_query(user))
    for content_type_id in content_type_ids:
        if content_type_id is None:
            continue
        try:
            kind = kind_for_content_type(content_type_id)
        except UnregisteredKindError:
            continue
        public = kind.public_queryset().values("pk")
        rows = rows.filter(~Q(content_type_id=content_type_id) | Q(object_id__in=public))
    return rows


# --------------------------------------------------------------------------------- feeds


@dataclass
class FeedEntry:
    """One line of a home feed: a host story, or something a followed member did."""

    at: datetime
    obj: Any
    url: str
    title: str
    activity: Activity | None = None
    tags: list[str] = field(default_factory=list)

    @property
    def is_story(self) -> bool:
        return self.activity is None


class FeedService:
    """Builds a member's home feed.

    This implementation reads at request time with SQL: the host's stories (pulled from the
    registered host streams, never copied per member) merged with the activity of the
    members one follows. The interface (``home``) stays when a fan-out-on-write store for
    active members replaces the activity query at larger scale.
    """

    page_size = 30

    def home(self, *, user: Any, before: datetime | None = None) -> list[FeedEntry]:
        followed = Follow.objects.filter(follower=user).values("followed_id")
        activities = (
            Activity.objects.filter(actor_id__in=followed)
            .select_related("actor")
            .order_by("-created_at", "-id")
        )
        muted = muted_user_ids(user)
        if muted:
            activities = activities.exclude(actor_id__in=muted)
        if before is not None:
            activities = activities.filter(created_at__lt=before)
        entries = self._hydrate(list(activities[: self.page_size]))
        followed_tags = set(TagFollow.objects.filter(user=user).values_list("tag__slug", flat=True))
        for item in host_items(limit=self.page_size, before=before):
            if not is_registered(item.obj):
                continue
            kind = kind_of(item.obj)
            entries.append(
                FeedEntry(
                    at=item.published_at,
                    obj=item.obj,
                    url=kind.get_url(item.obj),
                    title=kind.get_title(item.obj),
                    tags=sorted(item.tag_slugs & followed_tags),
                )
            )
        entries.sort(key=lambda entry: entry.at, reverse=True)
        return entries[: self.page_size]

    @staticmethod
    def _hydrate(activities: list[Activity]) -> list[FeedEntry]:
        """Load every activity's target with one query per content type; drop what is no
        longer public."""
        objects = load_targets(
            [(activity.content_type_id, activity.object_id) for activity in activities],
            public_only=True,
        )
        entries = []
        for activity in activities:
            target = objects.get((activity.content_type_id, activity.object_id))
            if target is None:
                continue
            target_type = kind_of(target)
            entries.append(
                FeedEntry(
                    at=activity.created_at,
                    obj=target,
                    url=target_type.get_url(target),
                    title=target_type.get_title(target),
                    activity=activity,
                )
            )
        return entries


def member_activity(*, member: Any, limit: int = 20) -> list[FeedEntry]:
    """A member's own public activity, for their profile page."""
    activities = list(
        Activity.objects.filter(actor=member)
        .select_related("actor")
        .order_by("-created_at")[:limit]
    )
    return FeedService._hydrate(activities)
