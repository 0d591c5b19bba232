"""What members can engage with: a registry of target models, filled by the feature apps.

The engagement apps (community, conversations, ratings) point at any content through a
content type and an object id. They never import the feature apps; instead each feature app
registers its models here in ``AppConfig.ready()`` with what the engagement apps need to
know: the public address, a title, whether the public may see it, who owns it, and a hook
for denormalised counters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models


@dataclass(frozen=True)
class TargetKind:
    """How the engagement apps treat one model."""

    label: str
    get_url: Callable[[Any], str]
    get_title: Callable[[Any], str]
    is_public: Callable[[Any], bool]
    # The member who owns the item (notified of faves); None for the host's own content.
    get_owner: Callable[[Any], Any] = lambda obj: None
    # Called inside the write transaction as (obj, counter, delta), e.g. (comment, "faves", 1);
    # "comments" for a new comment on it (the hook may refuse it by raising), and
    # "shown_comments" when comments on it are deleted, hidden (-1) or restored (1).
    on_count_changed: Callable[[Any, str, int], None] | None = None
    # Returns the queryset of public objects of this kind (for bulk checks).
    public_queryset: Callable[[], models.QuerySet[Any]] | None = None
    # Hides (True) or restores (False) the item everywhere; None if it cannot be hidden.
    set_hidden: Callable[[Any, bool], None] | None = None
    # Whether the item is hidden now (for the moderation queue).
    is_hidden: Callable[[Any], bool] = lambda obj: False
    # Whether members may fave, share, rate and comment on it; False for what can only be
    # reported (a member's profile).
    engageable: bool = True
    # Whether members may follow it to hear of every new comment on it (discussions).
    followable: bool = False
    # Why it takes no new comments now (a locked discussion), or "" when it does.
    closed_reason: Callable[[Any], str] = lambda obj: ""


_kinds: dict[type[models.Model], TargetKind] = {}


def register_target(model: type[models.Model], kind: TargetKind) -> None:
    _kinds[model] = kind


def target_kind(obj_or_model: Any) -> TargetKind | None:
    """The registration for an object or model, following multi-table inheritance."""
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    for klass in model.__mro__:
        if klass in _kinds:
            return _kinds[klass]
    return None


def registered_models() -> list[type[models.Model]]:
    return list(_kinds)


def resolve_target(content_type_id: int, object_id: int) -> Any | None:
    """The registered object named by a content type and id, public or not (for staff)."""
    try:
        content_type = ContentType.objects.get_for_id(content_type_id)
    except ContentType.DoesNotExist:
        return None
    model = content_type.model_class()
    if model is None or target_kind(model) is None:
        return None
    obj = model._default_manager.filter(pk=object_id).first()
    return getattr(obj, "specific", obj) if obj is not None else None


def resolve_public_target(
    content_type_id: int, object_id: int, *, engageable_only: bool = True
) -> Any | None:
    """The public object named by a content type and id, or None (unknown, unregistered,
    not public, or, unless ``engageable_only`` is False, nothing members may engage with).
    Pages are returned as their specific class."""
    try:
        content_type = ContentType.objects.get_for_id(content_type_id)
    except ContentType.DoesNotExist:
        return None
    model = content_type.model_class()
    if model is None or target_kind(model) is None:
        return None
    obj = model._default_manager.filter(pk=object_id).first()
    if obj is None:
        return None
    specific = getattr(obj, "specific", obj)
    kind = target_kind(specific)
    if kind is None or (engageable_only and not kind.engageable):
        return None
    return specific if kind.is_public(specific) else None


def target_reference(obj: models.Model) -> tuple[int, int]:
    """(content type id, object id) under which engagement with ``obj`` is stored.

    Pages are stored under their concrete class's content type, so a story's faves are
    found the same way from any queryset that loads it.
    """
    content_type = ContentType.objects.get_for_model(obj)
    return content_type.pk, int(obj.pk)


@dataclass(frozen=True)
class HostItem:
    """One item of the host's own stream (a story), for members' home feeds."""

    published_at: Any
    obj: Any
    tag_slugs: frozenset[str] = frozenset()


HostStream = Callable[..., list[HostItem]]
_host_streams: list[HostStream] = []


def register_host_stream(stream: HostStream) -> None:
    """A feature app offers its published items: ``stream(limit=..., before=...)`` returns
    at most ``limit`` items published before ``before`` (a datetime or None), newest first."""
    if stream not in _host_streams:
        _host_streams.append(stream)


def host_items(*, limit: int, before: Any = None) -> list[HostItem]:
    items = [item for stream in _host_streams for item in stream(limit=limit, before=before)]
    items.sort(key=lambda item: item.published_at, reverse=True)
    return items[:limit]
