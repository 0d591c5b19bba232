"""Forms for a member's own settings: the public profile and which mail they receive."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from gemeinsam.accounts.models import MailPreference, Profile, User
from gemeinsam.accounts.services import ProfileError, check_avatar

_http_only = URLValidator(
    schemes=["http", "https"], message=_("Enter a web address starting with http:// or https://.")
)


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=80,
        required=False,
        help_text=_("Shown next to your activity. Leave empty to use the start of your e-mail."),
    )
    bio = forms.CharField(
        label=_("About you"),
        max_length=Profile.BIO_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Plain text, at most 500 characters."),
    )
    link_1 = forms.CharField(label=_("Link 1"), max_length=300, required=False)
    link_2 = forms.CharField(label=_("Link 2"), max_length=300, required=False)
    link_3 = forms.CharField(label=_("Link 3"), max_length=300, required=False)
    avatar = forms.FileField(
        label=_("Profile picture"),
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp,image/heic,image/heif,image/gif"}
        ),
        help_text=_(
            "JPEG, PNG, WebP, HEIC or GIF, at most 5 MB. We remove location and camera data."
        ),
    )
    remove_avatar = forms.BooleanField(label=_("Remove my profile picture"), required=False)

    LINK_FIELDS = ("link_1", "link_2", "link_3")

    @classmethod
    def for_member(cls, user: User, data: Any = None, files: Any = None) -> ProfileForm:
        try:
            profile: Profile | None = user.profile
        except Profile.DoesNotExist:
            profile = None
        links = list(profile.links) if profile else []
        initial: dict[str, Any] = {
            "display_name": user.display_name,
            "bio": profile.bio if profile else "",
        }
        for name, link in zip(cls.LINK_FIELDS, links, strict=False):
            initial[name] = link
        return cls(data=data, files=files, initial=initial)

    def _clean_link(self, name: str) -> str:
        value = str(self.cleaned_data.get(name) or "").strip()
        if value:
            _http_only(value)
        return value

    def clean_link_1(self) -> str:
        return self._clean_link("link_1")

    def clean_link_2(self) -> str:
        return self._clean_link("link_2")

    def clean_link_3(self) -> str:
        return self._clean_link("link_3")

    def clean_avatar(self) -> Any:
        """The upload, checked by its header only (the service stores it for processing)."""
        upload = self.cleaned_data.get("avatar")
        if not upload:
            return None
        try:
            check_avatar(upload)
        except ProfileError as error:
            raise forms.ValidationError(str(error)) from error
        return upload

    @property
    def links(self) -> list[str]:
        return [self.cleaned_data[name] for name in self.LINK_FIELDS if self.cleaned_data.get(name)]


class MailPreferencesForm(forms.Form):
    digest = forms.BooleanField(
        label=_("Notification digest"),
        required=False,
        help_text=_("A summary of replies, mentions and new followers you have not seen yet."),
    )
    mentions = forms.BooleanField(
        label=_("Mentions"),
        required=False,
        help_text=_("An e-mail when someone mentions you."),
    )

    def preferences(self) -> dict[str, bool]:
        return {kind: bool(self.cleaned_data.get(kind)) for kind in MailPreference.Kind.values}
