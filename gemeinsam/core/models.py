"""Media models shared by every feature domain: images with credit and licence, renditions."""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.images.models import AbstractImage, AbstractRendition
from wagtail.images.models import Image as WagtailImage
from wagtail.search import index


class Licence(models.TextChoices):
    ALL_RIGHTS_RESERVED = "all-rights-reserved", _("All rights reserved")
    PRESS_USE = "press-use", _("Free for editorial use with credit")
    CC0 = "cc0-1.0", "CC0 1.0"
    CC_BY = "cc-by-4.0", "CC BY 4.0"
    CC_BY_SA = "cc-by-sa-4.0", "CC BY-SA 4.0"
    CC_BY_ND = "cc-by-nd-4.0", "CC BY-ND 4.0"
    CC_BY_NC = "cc-by-nc-4.0", "CC BY-NC 4.0"
    CC_BY_NC_SA = "cc-by-nc-sa-4.0", "CC BY-NC-SA 4.0"
    CC_BY_NC_ND = "cc-by-nc-nd-4.0", "CC BY-NC-ND 4.0"


LICENCE_URLS = {
    Licence.CC0: "https://creativecommons.org/publicdomain/zero/1.0/",
    Licence.CC_BY: "https://creativecommons.org/licenses/by/4.0/",
    Licence.CC_BY_SA: "https://creativecommons.org/licenses/by-sa/4.0/",
    Licence.CC_BY_ND: "https://creativecommons.org/licenses/by-nd/4.0/",
    Licence.CC_BY_NC: "https://creativecommons.org/licenses/by-nc/4.0/",
    Licence.CC_BY_NC_SA: "https://creativecommons.org/licenses/by-nc-sa/4.0/",
    Licence.CC_BY_NC_ND: "https://creativecommons.org/licenses/by-nc-nd/4.0/",
}


def credit_line(credit: str, licence: str) -> str:
    """The credit line printed beside a work: its credit, if any, then its licence."""
    parts = [credit] if credit else []
    parts.append(licence)
    return ", ".join(parts)


class CustomImage(AbstractImage):
    """An image with the facts a journalist needs to reuse it: alt text, credit, licence."""

    alt_text = models.CharField(
        _("alt text"),
        max_length=255,
        blank=True,
        help_text=_("Describes the image for people who cannot see it. Required."),
    )
    caption = models.CharField(_("caption"), max_length=500, blank=True)
    credit = models.CharField(
        _("credit"), max_length=255, blank=True, help_text=_("Photographer or rights holder.")
    )
    licence = models.CharField(
        _("licence"), max_length=32, choices=Licence.choices, default=Licence.PRESS_USE
    )
    is_listed = models.BooleanField(
        _("list in the media library"),
        default=False,
        help_text=_(
            "Images a published story uses are public anyway. Tick this to offer an image "
            "in the media library before (or without) a story."
        ),
    )

    admin_form_fields = (
        *WagtailImage.admin_form_fields,
        "alt_text",
        "caption",
        "credit",
        "licence",
        "is_listed",
    )
    search_fields = [
        *AbstractImage.search_fields,
        index.SearchField("alt_text"),
        index.SearchField("caption"),
        index.SearchField("credit"),
    ]

    class Meta(AbstractImage.Meta):
        verbose_name = _("image")
        verbose_name_plural = _("images")
        # The /media/ guard finds an image by its file's name on every request.
        indexes = [models.Index(fields=["file"], name="core_image_file_idx")]
        permissions = [("choose_image", "Can choose image")]

    @property
    def default_alt_text(self) -> str:
        return self.alt_text or self.title

    @property
    def licence_url(self) -> str:
        return LICENCE_URLS.get(Licence(self.licence), "")

    @property
    def attribution(self) -> str:
        """The credit line to print beside the image: "Photo: Jane Doe, CC BY 4.0"."""
        return credit_line(self.credit, self.get_licence_display())


class Rendition(AbstractRendition):
    image = models.ForeignKey(CustomImage, on_delete=models.CASCADE, related_name="renditions")

    class Meta:
        unique_together = (("image", "filter_spec", "focal_point_key"),)
        # The /media/ guard finds a rendition by its file's name on every request.
        indexes = [models.Index(fields=["file"], name="core_rendition_file_idx")]


class DeletionRequest(models.Model):
    """A member asked to delete their account; it is purged after the grace period unless
    they cancel. ``options`` holds their choices (e.g. {"comments": "keep"})."""

    user = models.OneToOneField(
        "accounts.User", on_delete=models.CASCADE, related_name="deletion_request"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    purge_after = models.DateTimeField(db_index=True)
    options = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("account deletion request")
        verbose_name_plural = _("account deletion requests")

    def __str__(self) -> str:
        return f"delete {self.user_id} after {self.purge_after:%Y-%m-%d}"


class MemberSession(AbstractBaseSession):
    """A stored session that also records whose it is, so a member's sessions are found by an
    indexed column instead of by decoding every session (the engine in ``core.sessions``)."""

    user_id = models.BigIntegerField(null=True, blank=True, db_index=True)

    class Meta(AbstractBaseSession.Meta):
        verbose_name = _("session")  # type: ignore[assignment]
        verbose_name_plural = _("sessions")  # type: ignore[assignment]

    @classmethod
    def get_session_store_class(cls) -> type[Any]:
        from gemeinsam.core.sessions import SessionStore

        return SessionStore
