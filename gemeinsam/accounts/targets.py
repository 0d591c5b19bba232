"""Members' profiles as targets: they can be reported and hidden, nothing more."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.urls import reverse

from gemeinsam.accounts.models import User
from gemeinsam.accounts.services import set_profile_hidden
from gemeinsam.core.engagement import TargetKind


class ProfileKind(TargetKind[User]):
    """Profiles can be reported and hidden (moderation), but not faved, shared, rated or
    commented on."""

    model = User
    label = "profile"
    faveable = shareable = rateable = commentable = False
    hideable = True

    def get_url(self, obj: User) -> str:
        return reverse("accounts:profile", args=[obj.pk])

    def get_title(self, obj: User) -> str:
        return str(obj.chosen_name)

    def is_public(self, obj: User) -> bool:
        return bool(obj.is_active) and not obj.profile_hidden

    def public_queryset(self) -> models.QuerySet[User]:
        return User.objects.filter(is_active=True, profile_hidden=False)

    def get_owner(self, obj: User) -> Any:
        return obj

    def set_hidden(self, obj: User, hidden: bool) -> None:
        set_profile_hidden(obj, hidden)

    def is_hidden(self, obj: User) -> bool:
        return User.objects.filter(pk=obj.pk, profile_hidden=True).exists()
