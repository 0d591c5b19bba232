"""Accounts: members and staff share one user model and one login."""

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _create_roles(sender: Any, **kwargs: Any) -> None:
    """After a migrate run, once every app's permissions exist: the last app's signal."""
    from django.apps import apps

    from gemeinsam.accounts.roles import ensure_staff_roles

    with_models = [config for config in apps.get_app_configs() if config.models_module]
    if with_models and sender is with_models[-1]:
        ensure_staff_roles()


def _delete_profiles(rows: Any, options: dict[str, Any]) -> None:
    """Delete profiles together with their avatar files and any upload still waiting to be
    processed. The files go once the purge has committed: a purge that fails and rolls back
    keeps the profile with its avatar."""
    from functools import partial

    from django.db import transaction

    from gemeinsam.core.uploads import discard_pending_image

    for profile in rows:
        if profile.avatar:
            transaction.on_commit(partial(profile.avatar.storage.delete, profile.avatar.name))
        if profile.avatar_pending:
            transaction.on_commit(
                partial(
                    discard_pending_image, profile.avatar_pending, storage=profile.avatar.storage
                )
            )
    rows.delete()


def _register_profiles() -> None:
    """Profiles can be reported and hidden; a hidden profile's avatar is served only to the
    member and moderators."""
    from gemeinsam.accounts.selectors import can_see_hidden_profiles, is_hidden_avatar
    from gemeinsam.accounts.targets import ProfileKind
    from gemeinsam.core.engagement import register_target
    from gemeinsam.core.media import register_media_owner

    register_target(ProfileKind())

    def may_have_avatar(request: Any, path: str) -> bool:
        viewer = getattr(request, "user", None)
        return not is_hidden_avatar(path, viewer=viewer) or can_see_hidden_profiles(viewer)

    register_media_owner("avatars/", may_have_avatar)
    # Staff pictures in the admin (Wagtail's user profiles): shown beside their edits.
    register_media_owner("avatar_images/", lambda request, path: True)


def _register_personal_data() -> None:
    """What accounts keep about a member. ``user_field`` is the lookup that finds a member's
    rows when given their primary key: ``Model.objects.filter(**{user_field: member.pk})``.
    The user row itself is found by ``pk``."""
    from gemeinsam.accounts.models import Block, MailPreference, Mute, Profile, User
    from gemeinsam.core.personal_data import PersonalData, register_personal_data

    register_personal_data(
        PersonalData(
            model=User,
            user_field="pk",
            description="Your account: how you sign in and the name shown next to your activity.",
            fields={
                "email": "The e-mail address you sign in with and we write to.",
                "display_name": "The name shown next to your activity.",
                "first_name": "Your first name, if you gave one.",
                "last_name": "Your last name, if you gave one.",
                "date_joined": "When you created the account.",
                "last_login": "When you last signed in.",
                "is_staff": "Whether you work for the host (your posts carry an official badge).",
                "profile_hidden": "Whether the community managers hid your profile.",
            },
            # The account deletion flow decides what happens to the row itself.
            policy="custom",
        )
    )
    register_personal_data(
        PersonalData(
            model=Profile,
            user_field="user",
            description="Your public profile.",
            fields={
                "bio": "The text about you on your profile page.",
                "links": "Up to three web addresses shown on your profile page.",
                "avatar": "Your profile picture (stored without location or camera data).",
                "avatar_status": "Whether a new profile picture is still being processed.",
                "avatar_pending": "Where a new picture waits, as uploaded, until it is processed.",
                "updated_at": "When you last changed your profile.",
            },
            policy="custom",
            on_delete=_delete_profiles,
        )
    )
    register_personal_data(
        PersonalData(
            model=MailPreference,
            user_field="user",
            description="Which kinds of non-essential e-mail you chose to receive or not.",
            fields={
                "kind": "The kind of e-mail (digest, mentions).",
                "is_enabled": "Whether you receive it.",
                "updated_at": "When you last chose.",
            },
            policy="delete",
        )
    )
    register_personal_data(
        PersonalData(
            model=Block,
            user_field="blocker",
            description="A member you blocked.",
            fields={"blocked": "The member you blocked.", "created_at": "When you blocked them."},
            policy="delete",
        )
    )
    register_personal_data(
        PersonalData(
            model=Block,
            user_field="blocked",
            # Who blocked whom stays with the blocker: the export says only when.
            description="Another member blocked you.",
            fields={"created_at": "When you were blocked."},
            policy="delete",
        )
    )
    register_personal_data(
        PersonalData(
            model=Mute,
            user_field="muter",
            description="A member you muted.",
            fields={"muted": "The member you muted.", "created_at": "When you muted them."},
            policy="delete",
        )
    )
    register_personal_data(
        PersonalData(
            model=Mute,
            user_field="muted",
            description="Another member muted you.",
            fields={"created_at": "When you were muted."},
            policy="delete",
        )
    )


class AccountsConfig(AppConfig):
    name = "gemeinsam.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from gemeinsam.accounts import checks  # noqa: F401  (registers the deploy checks)

        post_migrate.connect(_create_roles, dispatch_uid="gemeinsam-staff-roles")
        _register_personal_data()
        _register_profiles()
