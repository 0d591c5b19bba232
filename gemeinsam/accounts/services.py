"""Writes about members: their profile, their mail preferences, whom they block or mute."""

from __future__ import annotations

import io
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import ImageOps

from gemeinsam.accounts.mail import read_unsubscribe_token
from gemeinsam.accounts.models import Block, MailPreference, Mute, Profile, User
from gemeinsam.core.caching import public_content_changed
from gemeinsam.core.uploads import UploadRejectedError, checked_image

AVATAR_MAX_SIZE = (400, 400)
AVATAR_MAX_BYTES = 5 * 1024 * 1024
# Pictures with more pixels are refused before they are decoded (a 16 MP RGBA picture takes
# 64 MB of memory); JPEGs are decoded at the smallest scale still twice the stored size.
AVATAR_MAX_PIXELS = 16_000_000
AVATAR_DRAFT_SIZE = (800, 800)
# Pillow's format name -> (format to store, file extension)
AVATAR_FORMATS = {"JPEG": ("JPEG", "jpg"), "PNG": ("PNG", "png"), "WEBP": ("WEBP", "webp")}


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


class PreparedAvatar(ContentFile[bytes]):
    """A picture :func:`prepare_avatar` checked and re-encoded: stored as it is."""


def prepare_avatar(upload: UploadedFile[bytes]) -> PreparedAvatar:
    """Check ``upload`` by its content and return it without metadata, at most 400×400.

    The picture is decoded once, and only if its header says it has at most
    :data:`AVATAR_MAX_PIXELS` pixels (a JPEG at a reduced scale). Raises
    :class:`ProfileError` with a message for the member when it is not an image we take,
    too large, or damaged or cut short. GIFs are stored as PNG (their first frame); nothing
    of the file's metadata (EXIF, comments, XMP) is kept.
    """
    if upload.size is not None and upload.size > AVATAR_MAX_BYTES:
        raise ProfileError(_("The picture is larger than 5 MB."))
    try:
        with checked_image(upload, max_pixels=AVATAR_MAX_PIXELS, draft_size=AVATAR_DRAFT_SIZE) as (
            image,
            image_format,
        ):
            stored_format, extension = AVATAR_FORMATS.get(image_format, ("PNG", "png"))
            upright = ImageOps.exif_transpose(image)
    except UploadRejectedError as error:
        raise ProfileError(str(error)) from error
    if stored_format == "JPEG":
        picture = upright.convert("RGB")
    elif upright.mode not in ("RGB", "RGBA", "L", "LA"):
        picture = upright.convert("RGBA")
    else:
        picture = upright.copy()
    picture.thumbnail(AVATAR_MAX_SIZE)
    picture.info = {}  # no comment, EXIF, XMP or ICC profile travels on
    out = io.BytesIO()
    options: dict[str, Any] = {"quality": 88, "optimize": True} if stored_format == "JPEG" else {}
    picture.save(out, format=stored_format, **options)
    return PreparedAvatar(out.getvalue(), name=f"avatar.{extension}")


@transaction.atomic
def update_profile(
    *,
    actor: Any,
    user: User,
    display_name: str,
    bio: str,
    links: list[str],
    avatar: UploadedFile[bytes] | PreparedAvatar | None = None,
    remove_avatar: bool = False,
) -> Profile:
    """Save ``user``'s public profile. Only the member themselves may change it.

    ``links`` must already be validated (http/https, at most three). ``avatar`` is an upload
    (checked here) or what :func:`prepare_avatar` returned for it. A new avatar replaces
    the old one, whose file is deleted after the commit. Purges the anonymous page cache,
    since the profile page is public.
    """
    member = _require_member(actor, ProfileError)
    if member.pk != user.pk:
        raise ProfileError(_("You can only change your own profile."))
    if len(links) > Profile.MAX_LINKS:
        raise ProfileError(_("At most three links."))
    if len(bio) > Profile.BIO_MAX_LENGTH:
        raise ProfileError(_("The text about you is longer than 500 characters."))
    picture = (
        avatar if avatar is None or isinstance(avatar, PreparedAvatar) else prepare_avatar(avatar)
    )

    user.display_name = display_name.strip()
    user.save(update_fields=["display_name"])
    profile, _created = Profile.objects.select_for_update().get_or_create(user=user)
    profile.bio = bio.strip()
    profile.links = list(links)
    old_name = profile.avatar.name if profile.avatar else ""
    if picture is not None:
        profile.avatar.save(picture.name or "avatar.png", picture, save=False)
    elif remove_avatar:
        profile.avatar = None
    profile.save()
    new_name = profile.avatar.name if profile.avatar else ""
    if old_name and old_name != new_name:
        storage = profile.avatar.storage
        transaction.on_commit(lambda: storage.delete(old_name))
    public_content_changed()  # the name and picture show beside their comments anywhere
    return profile


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
