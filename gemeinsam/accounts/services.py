"""Writes about members: their profile, their mail preferences, whom they block or mute."""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from gemeinsam.accounts.mail import read_unsubscribe_token
from gemeinsam.accounts.models import Block, MailPreference, Mute, Profile, User
from gemeinsam.core.caching import public_content_changed
from gemeinsam.core.tasks_util import enqueue_on_commit
from gemeinsam.core.uploads import (
    ImageLimits,
    UploadRejectedError,
    discard_pending_image,
    inspect_image,
    process_pending_image,
    store_pending_image,
)

logger = logging.getLogger(__name__)

AVATAR_SIZE = (400, 400)
AVATAR_FOLDER = "avatars/"
# Pictures with more pixels or frames are refused before they are decoded (a 16 MP RGBA
# picture takes 64 MB of memory); only the first frame of an animation is kept.
AVATAR_LIMITS = ImageLimits(max_bytes=5 * 1024 * 1024, max_pixels=16_000_000, max_frames=100)
AVATAR_MAX_BYTES = AVATAR_LIMITS.max_bytes


class ProfileError(Exception):
    """The profile cannot be changed; the message says why."""


class BlockError(Exception):
    """The block or unblock cannot be done; the message says why."""


class MuteError(Exception):
    """The mute or unmute cannot be done; the message says why."""


class UnsubscribeError(Exception):
    """The unsubscribe link is not valid; the message says why."""


def _require_member(actor: Any, error: type[Exception]) -> User:
    if actor is None or not actor.is_authenticated or not actor.is_active:
        raise error(_("Please sign in first."))
    assert isinstance(actor, User)  # noqa: S101 - narrows the type for the checker
    return actor


def _avatar_storage() -> Storage:
    """Where avatars (and their pending uploads) are kept: the avatar field's storage."""
    storage: Storage = Profile._meta.get_field("avatar").storage
    return storage


def check_avatar(upload: UploadedFile[bytes]) -> None:
    """Check ``upload`` as an avatar by its header alone (format by content, bytes, pixels,
    frames, whether it is whole); raises :class:`ProfileError` with a message for the
    member. Decodes nothing: the picture is processed later, in the background."""
    try:
        inspect_image(upload, limits=AVATAR_LIMITS)
    except UploadRejectedError as error:
        raise ProfileError(str(error)) from error


def update_profile(
    *,
    actor: Any,
    user: User,
    display_name: str,
    bio: str,
    links: list[str],
    avatar: UploadedFile[bytes] | None = None,
    remove_avatar: bool = False,
) -> Profile:
    """Save ``user``'s public profile. Only the member themselves may change it.

    ``links`` must already be validated (http/https, at most three). A new ``avatar`` is
    checked by its header and kept privately; the profile is marked as processing its
    avatar and :func:`process_avatar` runs in the background once the save commits. The
    avatar shown so far stays until then, and stays for good if the new one fails. A save
    without a new avatar clears the notice of a failed one. Purges the anonymous page
    cache, since the profile page is public.
    """
    member = _require_member(actor, ProfileError)
    if member.pk != user.pk:
        raise ProfileError(_("You can only change your own profile."))
    if len(links) > Profile.MAX_LINKS:
        raise ProfileError(_("At most three links."))
    if len(bio) > Profile.BIO_MAX_LENGTH:
        raise ProfileError(_("The text about you is longer than 500 characters."))
    storage = _avatar_storage()
    pending = None
    if avatar is not None:
        try:
            pending = store_pending_image(avatar, limits=AVATAR_LIMITS, storage=storage)
        except UploadRejectedError as error:
            raise ProfileError(str(error)) from error
    try:
        profile = _save_profile(
            user=user,
            display_name=display_name,
            bio=bio,
            links=links,
            pending_name=pending.name if pending else "",
            remove_avatar=remove_avatar,
        )
    except BaseException:
        if pending is not None:
            discard_pending_image(pending.name, storage=storage)
        raise
    return profile


@transaction.atomic
def _save_profile(
    *,
    user: User,
    display_name: str,
    bio: str,
    links: list[str],
    pending_name: str,
    remove_avatar: bool,
) -> Profile:
    user.display_name = display_name.strip()
    user.save(update_fields=["display_name"])
    profile, _created = Profile.objects.select_for_update().get_or_create(user=user)
    profile.bio = bio.strip()
    profile.links = list(links)
    storage = profile.avatar.storage
    old_name = profile.avatar.name if profile.avatar else ""
    superseded = profile.avatar_pending
    if pending_name:
        profile.avatar_pending = pending_name
        profile.avatar_status = Profile.AvatarStatus.PROCESSING
    elif remove_avatar:
        profile.avatar = None
        profile.avatar_pending = ""
        profile.avatar_status = Profile.AvatarStatus.READY
    elif profile.avatar_status == Profile.AvatarStatus.FAILED:
        profile.avatar_status = Profile.AvatarStatus.READY
    profile.save()
    if superseded and superseded != profile.avatar_pending:
        transaction.on_commit(partial(discard_pending_image, superseded, storage=storage))
    if old_name and not profile.avatar:
        transaction.on_commit(partial(storage.delete, old_name))
    if pending_name:
        from gemeinsam.accounts.tasks import process_avatar_task

        enqueue_on_commit(process_avatar_task, profile_id=profile.pk, pending_name=pending_name)
    public_content_changed()  # the name and picture show beside their comments anywhere
    return profile


def process_avatar(*, profile_id: int, pending_name: str) -> str:
    """Turn the pending upload ``pending_name`` into the avatar of profile ``profile_id``.

    Decodes the picture once (a JPEG at the smallest scale still twice the stored size),
    turns it upright and stores it at most 400×400 with no metadata but its colour profile,
    under a random name in the detected format's type (HEIC as JPEG, GIF as PNG). Then
    the new avatar replaces the old, whose file is deleted after the commit. When the
    picture cannot be decoded the profile is marked as failed and keeps its old avatar.
    Nothing changes when the profile is gone or a newer upload replaced this one. The
    pending file is deleted in every case. Returns the avatar status it left (or
    ``"superseded"``).
    """
    storage = _avatar_storage()
    if not Profile.objects.filter(pk=profile_id, avatar_pending=pending_name).exists():
        discard_pending_image(pending_name, storage=storage)
        return "superseded"
    try:
        processed = process_pending_image(
            pending_name,
            folder=AVATAR_FOLDER,
            limits=AVATAR_LIMITS,
            renditions={"avatar": AVATAR_SIZE},
            keep_original=False,
            storage=storage,
        )
    except (UploadRejectedError, FileNotFoundError) as error:
        logger.info("Avatar upload %s of profile %s failed: %s", pending_name, profile_id, error)
        return _finish_avatar(profile_id=profile_id, pending_name=pending_name, new_name="")
    except BaseException:
        _finish_avatar(profile_id=profile_id, pending_name=pending_name, new_name="")
        raise
    return _finish_avatar(
        profile_id=profile_id, pending_name=pending_name, new_name=processed.renditions["avatar"]
    )


@transaction.atomic
def _finish_avatar(*, profile_id: int, pending_name: str, new_name: str) -> str:
    """Record the outcome of processing ``pending_name``: ``new_name`` as the avatar, or a
    failure when it is empty; unless a newer upload or a deletion came first."""
    storage = _avatar_storage()
    transaction.on_commit(partial(discard_pending_image, pending_name, storage=storage))
    profile = (
        Profile.objects.select_for_update()
        .filter(pk=profile_id, avatar_pending=pending_name)
        .first()
    )
    if profile is None:
        if new_name:
            transaction.on_commit(partial(storage.delete, new_name))
        return "superseded"
    profile.avatar_pending = ""
    if not new_name:
        profile.avatar_status = Profile.AvatarStatus.FAILED
        profile.save(update_fields=["avatar_pending", "avatar_status"])
        return profile.avatar_status
    old_name = profile.avatar.name if profile.avatar else ""
    profile.avatar.name = new_name
    profile.avatar_status = Profile.AvatarStatus.READY
    profile.save(update_fields=["avatar", "avatar_pending", "avatar_status", "updated_at"])
    if old_name and old_name != new_name:
        transaction.on_commit(partial(storage.delete, old_name))
    public_content_changed()  # the picture shows beside their comments anywhere
    return profile.avatar_status


def set_profile_hidden(user: User, hidden: bool) -> None:
    """Hide the member's profile from everyone else, or show it again (moderation decides).

    While hidden, the public profile page answers "This profile is hidden", the avatar file
    is not served to others, and the member's name shows as "hidden member" wherever their
    activity appears. Every cached public page turns stale after the commit.
    """
    User.objects.filter(pk=user.pk).update(profile_hidden=hidden)
    user.profile_hidden = hidden
    public_content_changed()


@transaction.atomic
def set_mail_preference(*, user: User, kind: str, is_enabled: bool) -> MailPreference:
    """Record whether ``user`` wants non-transactional mail of ``kind``."""
    if kind not in MailPreference.Kind.values:
        raise ValueError(f"Unknown mail kind {kind!r}")
    preference, _created = MailPreference.objects.update_or_create(
        user=user, kind=kind, defaults={"is_enabled": is_enabled}
    )
    return preference


@transaction.atomic
def unsubscribe(*, token: str) -> MailPreference:
    """Switch off the kind of mail a signed unsubscribe token names; no sign-in needed."""
    found = read_unsubscribe_token(token)
    if found is None:
        raise UnsubscribeError(_("This unsubscribe link is not valid."))
    user_id, kind = found
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise UnsubscribeError(_("This unsubscribe link is not valid."))
    return set_mail_preference(user=user, kind=kind, is_enabled=False)


@transaction.atomic
def block_member(*, actor: Any, target: User) -> Block:
    """``actor`` blocks ``target``: neither sees the other from now on. Idempotent."""
    member = _require_member(actor, BlockError)
    if member.pk == target.pk:
        raise BlockError(_("You cannot block yourself."))
    if not target.is_active:
        raise BlockError(_("This member does not exist."))
    block, _created = Block.objects.get_or_create(blocker=member, blocked=target)
    return block


@transaction.atomic
def unblock_member(*, actor: Any, target: User) -> None:
    """``actor`` lifts their block of ``target``, if there was one."""
    member = _require_member(actor, BlockError)
    if member.pk == target.pk:
        raise BlockError(_("You cannot block yourself."))
    Block.objects.filter(blocker=member, blocked=target).delete()


@transaction.atomic
def mute_member(*, actor: Any, target: User) -> Mute:
    """``actor`` mutes ``target``: their activity leaves the actor's feed. Idempotent."""
    member = _require_member(actor, MuteError)
    if member.pk == target.pk:
        raise MuteError(_("You cannot mute yourself."))
    if not target.is_active:
        raise MuteError(_("This member does not exist."))
    mute, _created = Mute.objects.get_or_create(muter=member, muted=target)
    return mute


@transaction.atomic
def unmute_member(*, actor: Any, target: User) -> None:
    """``actor`` lifts their mute of ``target``, if there was one."""
    member = _require_member(actor, MuteError)
    if member.pk == target.pk:
        raise MuteError(_("You cannot mute yourself."))
    Mute.objects.filter(muter=member, muted=target).delete()
