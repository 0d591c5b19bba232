"""What members can engage with: a registry of target kinds, filled by the feature apps.

The engagement apps (community, conversations, ratings) point at any content through a
content type and an object id. They never import the feature apps; instead each feature app
subclasses :class:`TargetKind` for its model and registers an instance here in
``AppConfig.ready()``. A kind says what the engagement apps need to know (the public
address, a title, whether the public may see it, who owns it, a hook for denormalised
counters) and, as flags, what members may do with it: fave, share, rate, comment on,
follow, or have it hidden by moderators.

Lookups raise a :class:`TargetError` instead of returning None: :class:`UnregisteredKindError`
for a model nobody registered, :class:`TargetNotFoundError` for an unknown, deleted or (for
the public) unpublished item, and :class:`CapabilityNotOfferedError` when the kind does not
offer what was asked (rating a profile).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q

M = TypeVar("M", bound=models.Model)

# (content type id, object id): how engagement rows name an item.
Ref = tuple[int, int]


class Tally(StrEnum):
    """The counts the engagement apps keep on an item; :meth:`TargetKind.count_changed` hears
    which one moved."""

    # A member faved (+1) or unfaved (-1) the item.
    FAVES = "faves"
    # A member shared (+1) or stopped sharing (-1) the item.
    SHARES = "shares"
    # A new comment on the item (+1), inside its write transaction; the kind may refuse it.
    COMMENTS = "comments"
    # Comments on the item deleted or hidden (-n), or restored (+n).
    SHOWN_COMMENTS = "shown_comments"


class Capability(StrEnum):
    """What a member (or a moderator, for ``HIDE``) may do with an item of a kind."""

    FAVE = "fave"
    SHARE = "share"
    RATE = "rate"
    COMMENT = "comment"
    FOLLOW = "follow"
    HIDE = "hide"


class TargetError(LookupError):
    """An item cannot be engaged with as asked."""


class UnregisteredKindError(TargetError):
    """The model (or content type) is not a registered target kind."""


class TargetNotFoundError(TargetError):
    """No such item, or (for public lookups) the public may not see it now."""


class CapabilityNotOfferedError(TargetError):
    """The item's kind does not offer the capability (a profile cannot be rated)."""

    def __init__(self, kind: TargetKind[Any], capability: Capability) -> None:
        super().__init__(f"{kind.label} does not offer {capability}")
        self.kind = kind
        self.capability = capability


class TargetKind(ABC, Generic[M]):
    """How the engagement apps treat one model; feature apps subclass it for theirs.

    The flags say what members may do with items of the kind; :meth:`offers` reads them, and
    a registry test checks that each kind implements what its flags promise.
    """

    model: type[M]
    # Shown to staff (analytics, moderation) and used in tests; unique among kinds.
    label: str
    faveable: bool = True
    shareable: bool = True
    rateable: bool = True
    commentable: bool = True
    # Members may follow an item to hear of every new comment on it (discussions).
    followable: bool = False
    # Moderators may hide it everywhere; the kind implements set_hidden and is_hidden.
    hideable: bool = False

    @abstractmethod
    def get_url(self, obj: M) -> str:
        """The item's public address."""

    @abstractmethod
    def get_title(self, obj: M) -> str:
        """A short title for notifications, feeds and staff screens."""

    @abstractmethod
    def is_public(self, obj: M) -> bool:
        """Whether the public may see the item now."""

    @abstractmethod
    def public_queryset(self) -> models.QuerySet[M]:
        """The items the public may see now (used as a subquery in bulk reads)."""

    def get_owner(self, obj: M) -> Any:
        """The member who owns the item (told of faves); None for the host's own content."""
        return None

    def count_changed(self, obj: M, counter: Tally, delta: int) -> None:
        """Called inside the write transaction when ``counter`` moved by ``delta``; the kind
        may keep its own count, or refuse (a new comment on a locked discussion) by raising."""

    def set_hidden(self, obj: M, hidden: bool) -> None:
        """Hide (True) or restore (False) the item everywhere; for ``hideable`` kinds."""
        raise CapabilityNotOfferedError(self, Capability.HIDE)

    def is_hidden(self, obj: M) -> bool:
        """Whether the item is hidden now (for the moderation queue)."""
        return False

    def closed_reason(self, obj: M) -> str:
        """Why the item takes no new comments now (a locked discussion), or ""."""
        return ""

    @property
    def engageable(self) -> bool:
        """Whether members may do anything with it beyond reporting."""
        return self.faveable or self.shareable or self.rateable or self.commentable

    def offers(self, capability: Capability) -> bool:
        return bool(getattr(self, _FLAGS[capability]))

    def require(self, capability: Capability) -> None:
        """Raise :class:`CapabilityNotOfferedError` unless the kind offers ``capability``."""
        if not self.offers(capability):
            raise CapabilityNotOfferedError(self, capability)


_FLAGS = {
    Capability.FAVE: "faveable",
    Capability.SHARE: "shareable",
    Capability.RATE: "rateable",
    Capability.COMMENT: "commentable",
    Capability.FOLLOW: "followable",
    Capability.HIDE: "hideable",
}

_kinds: dict[type[models.Model], TargetKind[Any]] = {}


def register_target(kind: TargetKind[Any]) -> None:
    _kinds[kind.model] = kind


def registered_kinds() -> list[TargetKind[Any]]:
    return list(_kinds.values())


def registered_models() -> list[type[models.Model]]:
    return list(_kinds)


def _find(model: type[Any]) -> TargetKind[Any] | None:
    for klass in model.__mro__:
        if klass in _kinds:
            return _kinds[klass]
    return None


def is_registered(obj_or_model: Any) -> bool:
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    return _find(model) is not None


def kind_of(obj_or_model: Any) -> TargetKind[Any]:
    """The kind of an object or model, following multi-table inheritance (a story page's
    subclasses are stories); raises :class:`UnregisteredKindError`."""
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    kind = _find(model)
    if kind is None:
        raise UnregisteredKindError(f"{model.__name__} is not a registered target kind")
    return kind


def model_for(content_type_id: int) -> type[models.Model]:
    """The registered model a content type names; raises :class:`UnregisteredKindError`
    for an unknown content type or one of an unregistered model."""
    try:
        model = ContentType.objects.get_for_id(content_type_id).model_class()
    except ContentType.DoesNotExist:
        model = None
    if model is None or _find(model) is None:
        raise UnregisteredKindError(f"content type {content_type_id} is not a target kind")
    return model


def kind_for_content_type(content_type_id: int) -> TargetKind[Any]:
    return kind_of(model_for(content_type_id))


def resolve_target(content_type_id: int, object_id: int) -> Any:
    """The registered object named by a content type and id, public or not (for staff).
    Pages are returned as their specific class. Raises :class:`TargetNotFoundError`."""
    try:
        model = model_for(content_type_id)
    except UnregisteredKindError as error:
        raise TargetNotFoundError(str(error)) from error
    obj = model._default_manager.filter(pk=object_id).first()
    if obj is None:
        raise TargetNotFoundError(f"no item {content_type_id}/{object_id}")
    return getattr(obj, "specific", obj)


def resolve_public_target(
    content_type_id: int, object_id: int, *, capability: Capability | None
) -> Any:
    """The public object named by a content type and id, whose kind offers ``capability``
    (None: anything, for reports). Pages are returned as their specific class.

    Raises :class:`TargetNotFoundError` (unknown, unregistered or not public) or
    :class:`CapabilityNotOfferedError`.
    """
    target = resolve_target(content_type_id, object_id)
    public_kind(target, capability)
    return target


def public_kind(obj: Any, capability: Capability | None) -> TargetKind[Any]:
    """The kind of ``obj``, checked to offer ``capability`` (None: anything) and ``obj`` to
    be public; raises :class:`UnregisteredKindError`, :class:`CapabilityNotOfferedError` or
    :class:`TargetNotFoundError` (not public)."""
    kind = kind_of(obj)
    if capability is not None:
        kind.require(capability)
    if not kind.is_public(obj):
        raise TargetNotFoundError(f"{kind.label} {obj.pk} is not public")
    return kind


def target_reference(obj: models.Model) -> Ref:
    """(content type id, object id) under which engagement with ``obj`` is stored.

    Pages are stored under their concrete class's content type, so a story's faves are
    found the same way from any queryset that loads it.
    """
    content_type = ContentType.objects.get_for_model(obj)
    return content_type.pk, int(obj.pk)


def refs_condition(refs: Iterable[Ref]) -> Q:
    """A filter matching rows that name any of ``refs``: one ``IN`` per content type, so a
    page of 48 items of one kind is one short condition. Matches nothing for no refs."""
    by_type: dict[int, set[int]] = {}
    for content_type_id, object_id in refs:
        by_type.setdefault(content_type_id, set()).add(object_id)
    condition = Q(pk__in=[])
    for content_type_id, ids in sorted(by_type.items()):
        condition |= Q(content_type_id=content_type_id, object_id__in=sorted(ids))
    return condition


def load_targets(refs: Iterable[Ref], *, public_only: bool) -> dict[Ref, Any]:
    """The registered items named by ``refs``, keyed by ref: one query per kind. Refs of
    unknown or unregistered content types and of deleted items are left out, and so, with
    ``public_only``, are the items the public may not see."""
    by_type: dict[int, set[int]] = {}
    for content_type_id, object_id in refs:
        by_type.setdefault(content_type_id, set()).add(object_id)
    found: dict[Ref, Any] = {}
    for content_type_id, ids in by_type.items():
        try:
            model = model_for(content_type_id)
        except UnregisteredKindError:
            continue
        rows = model._default_manager.filter(pk__in=ids)
        if public_only:
            rows = rows.filter(pk__in=kind_of(model).public_queryset().values("pk"))
        for obj in rows:
            found[(content_type_id, int(obj.pk))] = obj
    return found


@dataclass
class EngagementState:
    """What a list of items shows per item, and what the viewer did with it."""

    faves: int = 0
    shares: int = 0
    has_faved: bool = False
    has_shared: bool = False
    # Comments the public sees (not hidden, not deleted).
    comments: int = 0
    ratings: int = 0
    # The mean on the site's scale, None without ratings.
    average_stars: float | None = None
    # The viewer's own stars on the site's scale, None if they have not rated.
    member_stars: int | None = None


# Fills its part of every state for the viewer (a member or an anonymous visitor) with one
# query per table, whatever the number of refs; the engagement apps register one each.
StateReader = Callable[[Any, list[Ref], dict[Ref, EngagementState]], None]
_state_readers: list[StateReader] = []


def register_state_reader(reader: StateReader) -> None:
    if reader not in _state_readers:
        _state_readers.append(reader)


def engagement_state(viewer: Any, items: Iterable[M]) -> dict[M, EngagementState]:
    """Counts, rating summary and the viewer's own faves, shares and stars for every item,
    for a list page: one query per engagement table (not per item), so a gallery of 48
    cards costs what one card costs."""
    refs = {item: target_reference(item) for item in items}
    states = {ref: EngagementState() for ref in refs.values()}
    if states:
        for reader in _state_readers:
            reader(viewer, list(states), states)
    return {item: states[ref] for item, ref in refs.items()}


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
