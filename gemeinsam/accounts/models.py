"""The user model: one account per e-mail address, for members and staff alike."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class UserManager(DjangoUserManager["User"]):
    use_in_migrations = True

    def _create_user_by_email(self, email: str, password: str | None, **extra_fields: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(  # type: ignore[override]
        self, email: str, password: str | None = None, **extra_fields: Any
    ) -> User:
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user_by_email(email, password, **extra_fields)

    def create_superuser(  # type: ignore[override]
        self, email: str, password: str | None = None, **extra_fields: Any
    ) -> User:
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user_by_email(email, password, **extra_fields)


class User(AbstractUser):
    username = None  # type: ignore[assignment]
    email = models.EmailField(_("e-mail address"), unique=True)
    display_name = models.CharField(
        _("display name"), max_length=80, blank=True, help_text=_("Shown next to your activity.")
    )
    # Set by the community managers' decision on a report (moderation), never by the member.
    profile_hidden = models.BooleanField(
        _("profile hidden"),
        default=False,
        help_text=_("Others see neither the profile nor the member's name."),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects = UserManager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.public_name

    @property
    def chosen_name(self) -> str:
        """The name the member chose: display name, full name or the address's local part.
        For the member themselves and for staff screens; everyone else sees ``public_name``."""
        full = f"{self.first_name} {self.last_name}".strip()
        return self.display_name or full or self.email.split("@", 1)[0]

    @property
    def public_name(self) -> str:
        """The name others see next to the member's activity: the chosen name, or a neutral
        "hidden member" while the community managers hide the profile."""
        if self.profile_hidden:
            return gettext("hidden member")
        return self.chosen_name


class Block(models.Model):
    """``blocker`` blocked ``blocked``: they cannot follow, mention or reply to the blocker,
    and neither sees the other's activity."""

    blocker = models.ForeignKey(User, on_delete=models.CASCADE, related_name="blocks_made")
    blocked = models.ForeignKey(User, on_delete=models.CASCADE, related_name="blocks_received")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="block_unique_pair"),
            models.CheckConstraint(
                condition=~models.Q(blocker=models.F("blocked")), name="block_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.blocker_id} blocks {self.blocked_id}"


class Mute(models.Model):
    """``muter`` muted ``muted``: their activity leaves the muter's feed and notifications."""

    muter = models.ForeignKey(User, on_delete=models.CASCADE, related_name="mutes_made")
    muted = models.ForeignKey(User, on_delete=models.CASCADE, related_name="mutes_received")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["muter", "muted"], name="mute_unique_pair"),
            models.CheckConstraint(
                condition=~models.Q(muter=models.F("muted")), name="mute_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.muter_id} mutes {self.muted_id}"


def _avatar_path(instance: Profile, filename: str) -> str:
    """Avatars are stored under a random name: the upload's own name may say too much."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "img"
    return f"avatars/{uuid.uuid4().hex}.{extension}"


class Profile(models.Model):
    """What a member shows about themselves on their public profile page."""

    class AvatarStatus(models.TextChoices):
        """Where the latest avatar upload stands; ``avatar`` is always the one shown."""

        READY = "ready", _("ready")
        PROCESSING = "processing", _("processing")
        FAILED = "failed", _("failed")

    BIO_MAX_LENGTH = 500
    MAX_LINKS = 3

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    bio = models.TextField(_("about me"), max_length=BIO_MAX_LENGTH, blank=True)
    links = models.JSONField(_("links"), default=list, blank=True)
    avatar = models.ImageField(_("avatar"), upload_to=_avatar_path, blank=True)
    avatar_status = models.CharField(
        _("avatar status"), max_length=12, choices=AvatarStatus.choices, default=AvatarStatus.READY
    )
    # The storage name of the raw upload its task is still to process (private, never served).
    avatar_pending = models.CharField(_("avatar upload waiting"), max_length=255, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return f"Profile of {self.user_id}"


class MailPreference(models.Model):
    """Whether a member wants one kind of non-transactional e-mail; no row means the default."""

    class Kind(models.TextChoices):
        DIGEST = "digest", _("Notification digest")
        MENTIONS = "mentions", _("Mentions")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="mail_preferences")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    is_enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="mail_preference_unique_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}={'on' if self.is_enabled else 'off'}"


# A member who never chose gets these: mentions are about their own conversations, the
# digest is a summary they ask for.
MAIL_KIND_DEFAULTS: dict[str, bool] = {
    MailPreference.Kind.DIGEST: False,
    MailPreference.Kind.MENTIONS: True,
}
