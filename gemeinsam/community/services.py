"""Writes of the community: follow, fan, fave, share, and the notifications they cause."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from taggit.models import Tag

from gemeinsam.accounts.models import User
from gemeinsam.accounts.selectors import (
    is_blocked_between,
    members_not_hearing_from,
    muted_user_ids,
)
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
from gemeinsam.community.selectors import FANS
from gemeinsam.community.tasks import send_mention_mail_task
from gemeinsam.core.caching import public_content_changed
from gemeinsam.core.engagement import (
    Capability,
    Tally,
    TargetError,
    TargetKind,
    is_registered,
    kind_of,
    public_kind,
    target_reference,
)
from gemeinsam.core.events import Event, Faved, Followed, Shared, announce
from gemeinsam.core.ratelimit import check as check_rate
from gemeinsam.core.tasks_util import enqueue_on_commit

ACTIONS_PER_MINUTE = 60


class CommunityError(ValueError):
    """A community action cannot be done; the message says why, for the member."""


class FollowBlockedError(CommunityError):
    pass


def _require_member(user: Any) -> Any:
    if user is None or not user.is_authenticated or not user.is_active:
        raise CommunityError(_("Please sign in first."))
    check_rate(
        f"community:{user.pk}",
        limit=ACTIONS_PER_MINUTE,
        period=60,
        message=_("Too many actions in a minute. Please wait a moment."),
    )
    return user


# ------------------------------------------------------------------------------- follows


@transaction.atomic
def follow_member(*, user: Any, member: User) -> bool:
    """``user`` follows ``member``; returns False if they already did.

    Refused for oneself and between members who block each other. Notifies the followed.
    """
    follower = _require_member(user)
    if follower.pk == member.pk:
        raise CommunityError(_("You cannot follow yourself."))
    if is_blocked_between(follower, member):
        raise FollowBlockedError(_("You cannot follow this member."))
    _follow, created = Follow.objects.get_or_create(follower=follower, followed=member)
    if created:
        announce(Followed(actor=follower, target=member))
    return created


@transaction.atomic
def unfollow_member(*, user: Any, member: User) -> None:
    follower = _require_member(user)
    Follow.objects.filter(follower=follower, followed=member).delete()


@transaction.atomic
def follow_tag(*, user: Any, tag: Tag) -> bool:
    member = _require_member(user)
    return TagFollow.objects.get_or_create(user=member, tag=tag)[1]


@transaction.atomic
def unfollow_tag(*, user: Any, tag: Tag) -> None:
    member = _require_member(user)
    TagFollow.objects.filter(user=member, tag=tag).delete()


@transaction.atomic
def become_fan(*, user: Any) -> bool:
    """``user`` becomes a fan of the host; returns False if they already were."""
    member = _require_member(user)
    created = Fan.objects.get_or_create(user=member)[1]
    if created:
        public_content_changed(FANS)
    return created


@transaction.atomic
def stop_being_fan(*, user: Any) -> None:
    member = _require_member(user)
    if Fan.objects.filter(user=member).delete()[0]:
        public_content_changed(FANS)


@transaction.atomic
def set_item_follow(*, user: Any, target: Any, following: bool) -> bool:
    """Follow ``target`` (a discussion) to be notified of every new comment on it, or stop
    following it; returns whether anything changed.

    Preconditions: ``user`` is an active member; the target is public and its kind can be
    followed.
    """
    member = _require_member(user)
    _require(target, Capability.FOLLOW, _("This cannot be followed."))
    content_type_id, object_id = target_reference(target)
    if following:
        return ItemFollow.objects.get_or_create(
            user=member, content_type_id=content_type_id, object_id=object_id
        )[1]
    return bool(
        ItemFollow.objects.filter(
            user=member, content_type_id=content_type_id, object_id=object_id
        ).delete()[0]
    )


# -------------------------------------------------------------------------- faves, shares


def _require(target: Any, capability: Capability, message: str) -> TargetKind[Any]:
    """The target's kind, if it is registered, offers ``capability`` and is public."""
    try:
        return public_kind(target, capability)
    except TargetError:
        raise CommunityError(message) from None


def _bump(target: Any, kind: TargetKind[Any], counter: Tally, delta: int) -> None:
    content_type_id, object_id = target_reference(target)
    EngagementCount.objects.get_or_create(content_type_id=content_type_id, object_id=object_id)
    EngagementCount.objects.filter(content_type_id=content_type_id, object_id=object_id).update(
        **{counter: F(counter) + delta}
    )
    kind.count_changed(target, counter, delta)
    public_content_changed(target)


def _toggle(
    *,
    user: Any,
    target: Any,
    model: type[Fave] | type[Share],
    counter: Tally,
    capability: Capability,
    event: type[Faved] | type[Shared],
    on: bool,
) -> bool:
    """Add or remove the member's fave or share of ``target`` and move its count in the same
    transaction; returns whether anything changed. Adding announces ``event``; removing
    also takes it out of followers' feeds."""
    member = _require_member(user)
    kind = _require(target, capability, _("This cannot be faved or shared."))
    content_type_id, object_id = target_reference(target)
    if on:
        try:
            with transaction.atomic():
                model.objects.create(
                    user=member, content_type_id=content_type_id, object_id=object_id
                )
        except IntegrityError:
            return False
        _bump(target, kind, counter, 1)
        announce(event(actor=member, target=target))
        return True
    deleted = model.objects.filter(
        user=member, content_type_id=content_type_id, object_id=object_id
    ).delete()[0]
    if deleted:
        _bump(target, kind, counter, -1)
        Activity.objects.filter(
            actor=member, verb=event.verb, content_type_id=content_type_id, object_id=object_id
        ).delete()
    return bool(deleted)


@transaction.atomic
def set_fave(*, user: Any, target: Any, faved: bool) -> bool:
    """Fave or unfave ``target``; the item's owner is notified of a new fave."""
    return _toggle(
        user=user,
        target=target,
        model=Fave,
        counter=Tally.FAVES,
        capability=Capability.FAVE,
        event=Faved,
        on=faved,
    )


@transaction.atomic
def set_share(*, user: Any, target: Any, shared: bool) -> bool:
    """Boost or un-boost ``target`` into the member's followers' home feeds."""
    return _toggle(
        user=user,
        target=target,
        model=Share,
        counter=Tally.SHARES,
        capability=Capability.SHARE,
        event=Shared,
        on=shared,
    )


# ------------------------------------------------------------------- activity, notifications


def record_activity(*, event: Event) -> None:
    """Turn a domain event into home-feed activity and notifications (the event receiver),
    following the event's own rules.

    Preconditions: the write it reports has committed. Members who muted or blocked the actor
    get no notification. A mentioned member also gets an e-mail, from a task and only if
    they want it.
    """
    actor, target = event.actor, event.target
    if event.in_feeds and is_registered(target):
        content_type = ContentType.objects.get_for_model(target)
        Activity.objects.create(
            actor=actor, verb=event.verb, content_type=content_type, object_id=target.pk
        )
    for notice in event.notices():
        recipient = notice.recipient
        if recipient is None or recipient.pk == actor.pk:
            continue
        if actor.pk in muted_user_ids(recipient):
            continue
        notification = _notify(
            recipient=recipient, actor=actor, verb=notice.verb, about=notice.about
        )
        if notice.by_mail:
            enqueue_on_commit(send_mention_mail_task, notification.pk)
    if not is_registered(target) or not kind_of(target).followable:
        return
    if event.actor_follows:
        content_type_id, object_id = target_reference(target)
        ItemFollow.objects.get_or_create(
            user=actor, content_type_id=content_type_id, object_id=object_id
        )
    comment = event.new_comment()
    if comment is not None:
        _notify_followers(actor=actor, target=target, comment=comment, told=event.told_ids())


def _notify_followers(*, actor: User, target: Any, comment: Any, told: set[int]) -> None:
    """Tell the followers of ``target`` about the new ``comment``: one query for the
    recipients, one to store every notification. Left out: the members ``told`` already
    (the author, the member they replied to, the members they mentioned), inactive members,
    and members who muted the author or block or are blocked by them."""
    content_type_id, object_id = target_reference(target)
    recipients = list(
        ItemFollow.objects.filter(
            content_type_id=content_type_id, object_id=object_id, user__is_active=True
        )
        .exclude(user_id__in=told)
        .exclude(user_id__in=members_not_hearing_from(actor))
        .values_list("user_id", flat=True)
    )
    if not recipients:
        return
    url = kind_of(comment).get_url(comment)
    title = kind_of(target).get_title(target)
    comment_type = ContentType.objects.get_for_model(comment)
    Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=recipient,
                actor=actor,
                verb=Notification.Verb.NEW_REPLY,
                content_type=comment_type,
                object_id=comment.pk,
                url=url[:500],
                title=title[:300],
            )
            for recipient in recipients
        ]
    )


def _notify(*, recipient: User, actor: User, verb: str, about: Any) -> Notification:
    url = title = ""
    content_type = None
    object_id = None
    if about is not None:
        if is_registered(about):
            kind = kind_of(about)
            url, title = kind.get_url(about), kind.get_title(about)
        content_type = ContentType.objects.get_for_model(about)
        object_id = about.pk
    return Notification.objects.create(
        recipient=recipient,
        actor=actor,
        verb=verb,
        content_type=content_type,
        object_id=object_id,
        url=url[:500],
        title=title[:300],
    )


@transaction.atomic
def mark_notifications_read(*, user: Any) -> int:
    member = _require_member(user)
    return Notification.objects.filter(recipient=member, read_at__isnull=True).update(
        read_at=timezone.now()
    )
