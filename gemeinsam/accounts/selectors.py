"""Reads about members that every engagement app needs: who blocks or mutes whom."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from gemeinsam.accounts.models import (
    MAIL_KIND_DEFAULTS,
    Block,
    MailPreference,
    Mute,
    Profile,
    User,
)


def blocked_user_ids(user: Any) -> set[int]:
    """Members ``user`` blocked or was blocked by: neither side sees the other."""
    if user is None or not user.is_authenticated:
        return set()
    pairs = Block.objects.filter(Q(blocker=user) | Q(blocked=user)).values_list(
        "blocker_id", "blocked_id"
    )
    return {other for pair in pairs for other in pair if other != user.pk}


def blocked_user_ids_query(user: Any) -> QuerySet[User, Any]:
    """The same members as ``blocked_user_ids``, as a subquery (``pk`` values) to use inside
    another query, so that filtering them out costs no query of its own."""
    if user is None or not user.is_authenticated:
        return User.objects.none().values("pk")
    return User.objects.filter(
        Q(pk__in=Block.objects.filter(blocker=user).values("blocked_id"))
        | Q(pk__in=Block.objects.filter(blocked=user).values("blocker_id"))
    ).values("pk")


def is_blocked_between(first: Any, second: Any) -> bool:
    if first is None or second is None or first.pk == second.pk:
        return False
    return Block.objects.filter(
        Q(blocker=first, blocked=second) | Q(blocker=second, blocked=first)
    ).exists()


def muted_user_ids(user: Any) -> set[int]:
    """Members whose activity ``user`` does not want in feed or notifications (blocked too)."""
    if user is None or not user.is_authenticated:
        return set()
    muted = set(Mute.objects.filter(muter=user).values_list("muted_id", flat=True))
    return muted | blocked_user_ids(user)


def muted_user_ids_query(user: Any) -> QuerySet[User, Any]:
    """The same members as ``muted_user_ids`` (muted, or blocked either way), as a subquery."""
    if user is None or not user.is_authenticated:
        return User.objects.none().values("pk")
    return User.objects.filter(
        Q(pk__in=Mute.objects.filter(muter=user).values("muted_id"))
        | Q(pk__in=Block.objects.filter(blocker=user).values("blocked_id"))
        | Q(pk__in=Block.objects.filter(blocked=user).values("blocker_id"))
    ).values("pk")


def members_not_hearing_from(actor: Any) -> QuerySet[User, Any]:
    """Members who get no notifications of ``actor``'s activity: who muted the actor, or
    block or are blocked by them; a subquery (``pk`` values)."""
    return User.objects.filter(
        Q(pk__in=Mute.objects.filter(muted=actor).values("muter_id"))
        | Q(pk__in=Block.objects.filter(blocked=actor).values("blocker_id"))
        | Q(pk__in=Block.objects.filter(blocker=actor).values("blocked_id"))
    ).values("pk")


def is_mail_enabled(*, user: User, kind: str) -> bool:
    """Whether ``user`` wants non-transactional mail of ``kind`` (their choice, or the default)."""
    choice = (
        MailPreference.objects.filter(user=user, kind=kind)
        .values_list("is_enabled", flat=True)
        .first()
    )
    return MAIL_KIND_DEFAULTS.get(kind, False) if choice is None else bool(choice)


def mail_preferences(*, user: User) -> dict[str, bool]:
    """Every kind of member mail and whether ``user`` receives it."""
    chosen = dict(MailPreference.objects.filter(user=user).values_list("kind", "is_enabled"))
    return {kind: bool(chosen.get(kind, MAIL_KIND_DEFAULTS[kind])) for kind in MAIL_KIND_DEFAULTS}


# Community managers hold this permission (moderation); named here so this layer needs no
# import of the moderation app.
MODERATE_PERMISSION = "moderation.moderate_content"


def can_see_hidden_profiles(user: Any) -> bool:
    """Staff who decide on reports see hidden profiles, to judge whether to restore them."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_staff
        and user.has_perm(MODERATE_PERMISSION)
    )


def is_hidden_avatar(path: str, *, viewer: Any = None) -> bool:
    """Whether ``path`` (below the media root) is the avatar of a hidden profile that is not
    the viewer's own; one query."""
    owner = Profile.objects.filter(avatar=path, user__profile_hidden=True).values_list(
        "user_id", flat=True
    )
    found = owner.first()
    return found is not None and found != getattr(viewer, "pk", None)


@dataclass(frozen=True)
class MemberProfile:
    """Everything a public profile page shows, and what the viewer may do there."""

    member: User
    profile: Profile | None
    is_own: bool
    is_muted: bool
    # The community managers hid it; only the member and moderators get to see it.
    is_hidden: bool = False
    hidden_from_viewer: bool = False

    @property
    def name(self) -> str:
        """The member's name on their own page (shown only to those who may see it)."""
        return self.member.chosen_name

    @property
    def bio(self) -> str:
        return self.profile.bio if self.profile else ""

    @property
    def links(self) -> list[str]:
        return list(self.profile.links) if self.profile else []

    @property
    def avatar_url(self) -> str:
        return self.profile.avatar.url if self.profile and self.profile.avatar else ""

    @property
    def avatar_status(self) -> str:
        """Whether a new avatar is still processing or failed (shown to the member only)."""
        return self.profile.avatar_status if self.profile else Profile.AvatarStatus.READY


def member_profile(user_id: int, *, viewer: Any = None) -> MemberProfile | None:
    """The profile of an active member as ``viewer`` may see it; None if absent or blocked.
    A hidden profile comes back with ``hidden_from_viewer`` set unless the viewer is the
    member or may see hidden profiles.

    One query for anonymous viewers and the member themselves, three for other members.
    """
    member = User.objects.filter(pk=user_id, is_active=True).select_related("profile").first()
    if member is None:
        return None
    signed_in = viewer is not None and viewer.is_authenticated
    is_own = signed_in and viewer.pk == member.pk
    is_muted = False
    if signed_in and not is_own:
        relations = list(
            Block.objects.filter(
                Q(blocker=viewer, blocked=member) | Q(blocker=member, blocked=viewer)
            ).values_list("pk", flat=True)[:1]
        )
        if relations:
            return None
        is_muted = Mute.objects.filter(muter=viewer, muted=member).exists()
    try:
        profile: Profile | None = member.profile
    except Profile.DoesNotExist:
        profile = None
    hidden_from_viewer = member.profile_hidden and not (is_own or can_see_hidden_profiles(viewer))
    return MemberProfile(
        member=member,
        profile=profile,
        is_own=is_own,
        is_muted=is_muted,
        is_hidden=member.profile_hidden,
        hidden_from_viewer=hidden_from_viewer,
    )


def blocked_and_muted(*, user: User) -> tuple[list[User], list[User]]:
    """The members ``user`` blocked and muted, by name, for the settings page."""
    blocked = list(
        User.objects.filter(blocks_received__blocker=user).order_by("display_name", "email")
    )
    muted = list(User.objects.filter(mutes_received__muter=user).order_by("display_name", "email"))
    return blocked, muted


def avatar_status(*, user: User) -> str:
    """Whether ``user``'s latest avatar upload is ready, still processing or failed."""
    status = Profile.objects.filter(user=user).values_list("avatar_status", flat=True).first()
    return status or Profile.AvatarStatus.READY
