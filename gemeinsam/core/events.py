"""Domain events that cross the engagement apps, sent only by services after commit.

Each event is a typed object that carries its own rules: whether it shows in the actor's
followers' home feeds (``in_feeds``), whom it notifies and about what (``notices()``), whether
the actor starts following the item (``actor_follows``), and which new comment the item's
followers hear of (``new_comment()``). ``activity_happened`` carries the event as ``event``
(and, for receivers that want them, ``actor``, ``verb``, ``target`` and ``context``). The
community app turns events into home-feed activity and notifications; nobody else needs to
know the others exist. A new verb is a new subclass here (and, if it shows in feeds, a
choice of the community's ``Activity.Verb``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar

from django.db import transaction
from django.dispatch import Signal

from gemeinsam.core.engagement import is_registered, kind_of

activity_happened = Signal()


class NoticeVerb(StrEnum):
    """What a notification tells its recipient (the community's ``Notification.Verb``)."""

    REPLIED = "replied"
    MENTIONED = "mentioned"
    FOLLOWED = "followed"
    FAVED = "faved"
    SHARED = "shared"
    NEW_REPLY = "new_reply"


@dataclass(frozen=True)
class Notice:
    """One notification an event causes: ``recipient`` hears ``verb`` about ``about``, and
    also by e-mail (``by_mail``) if they want such mail. Members who muted or block the
    actor, and the actor themself, are never told."""

    recipient: Any
    verb: NoticeVerb
    about: Any
    by_mail: bool = False


@dataclass(frozen=True, kw_only=True)
class Event:
    """Something a member (``actor``) did with an item (``target``)."""

    verb: ClassVar[str]
    # Shown in the actor's followers' home feeds and on the actor's profile.
    in_feeds: ClassVar[bool] = False
    # The actor follows the item from now on (who starts a discussion).
    actor_follows: ClassVar[bool] = False

    actor: Any
    target: Any

    def notices(self) -> list[Notice]:
        """The notifications this event causes (before muting and blocking are applied)."""
        return []

    def new_comment(self) -> Any:
        """The new comment that the followers of a followable target hear of, or None."""
        return None

    def told_ids(self) -> set[int]:
        """Members told already, whom the followers' notice leaves out."""
        return {self.actor.pk}

    @property
    def context(self) -> dict[str, Any]:
        """The event's details as a dict, for receivers of ``activity_happened``."""
        return {}


def _owner_of(target: Any) -> Any:
    return kind_of(target).get_owner(target) if is_registered(target) else None


@dataclass(frozen=True, kw_only=True)
class Faved(Event):
    """The owner of the item hears of it."""

    verb = "faved"
    in_feeds = True

    def notices(self) -> list[Notice]:
        return [Notice(_owner_of(self.target), NoticeVerb.FAVED, self.target)]


@dataclass(frozen=True, kw_only=True)
class Shared(Event):
    """The owner of the item hears of it."""

    verb = "shared"
    in_feeds = True

    def notices(self) -> list[Notice]:
        return [Notice(_owner_of(self.target), NoticeVerb.SHARED, self.target)]


@dataclass(frozen=True, kw_only=True)
class Rated(Event):
    """Shown in feeds; nobody is notified."""

    verb = "rated"
    in_feeds = True
    stars: int
    scale: int

    @property
    def context(self) -> dict[str, Any]:
        return {"stars": self.stars, "scale": self.scale}


@dataclass(frozen=True, kw_only=True)
class Commented(Event):
    """A new top-level comment on the item: the item's followers hear of it, except the
    members it mentions (told by :class:`Mentioned`)."""

    verb = "commented"
    in_feeds = True
    comment: Any
    mentioned: list[Any] = field(default_factory=list)

    def new_comment(self) -> Any:
        return self.comment

    def told_ids(self) -> set[int]:
        return {self.actor.pk, *(user.pk for user in self.mentioned)}

    @property
    def context(self) -> dict[str, Any]:
        return {"comment": self.comment, "mentioned": self.mentioned}


@dataclass(frozen=True, kw_only=True)
class Replied(Commented):
    """A reply: the author of the comment replied to hears of it, and the item's followers
    as for a comment (except that author)."""

    verb = "replied"
    parent: Any

    def notices(self) -> list[Notice]:
        author = getattr(self.parent, "author", None)
        return [Notice(author, NoticeVerb.REPLIED, self.comment)]

    def told_ids(self) -> set[int]:
        parent_author = getattr(self.parent, "author_id", None)
        told = super().told_ids()
        return told | {parent_author} if parent_author is not None else told

    @property
    def context(self) -> dict[str, Any]:
        return {"comment": self.comment, "parent": self.parent, "mentioned": self.mentioned}


@dataclass(frozen=True, kw_only=True)
class Mentioned(Event):
    """Every member mentioned in a comment hears of it, by e-mail too if they want."""

    verb = "mentioned"
    comment: Any
    users: list[Any]

    def notices(self) -> list[Notice]:
        return [
            Notice(user, NoticeVerb.MENTIONED, self.comment, by_mail=True) for user in self.users
        ]

    @property
    def context(self) -> dict[str, Any]:
        return {"comment": self.comment, "users": self.users}


@dataclass(frozen=True, kw_only=True)
class StartedThread(Event):
    """Who starts a discussion follows it."""

    verb = "started_thread"
    in_feeds = True
    actor_follows = True


@dataclass(frozen=True, kw_only=True)
class Followed(Event):
    """The followed member (``target``) hears of it, about the follower's profile: it links
    there, and leaves the list if that profile is hidden."""

    verb = "followed"

    def notices(self) -> list[Notice]:
        return [Notice(self.target, NoticeVerb.FOLLOWED, self.actor)]


EVENT_TYPES: tuple[type[Event], ...] = (
    Faved,
    Shared,
    Rated,
    Commented,
    Replied,
    Mentioned,
    StartedThread,
    Followed,
)


def announce(event: Event) -> None:
    """Send ``activity_happened`` with ``event`` once the current transaction has committed."""
    transaction.on_commit(
        lambda: activity_happened.send(
            sender=type(event.target),
            event=event,
            actor=event.actor,
            verb=event.verb,
            target=event.target,
            context=event.context,
        )
    )
