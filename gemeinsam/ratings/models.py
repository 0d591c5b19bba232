"""Ratings: one value per member per item, and an exact running aggregate per item.

Every rating is stored on the 1–10 scale, whatever the site shows. The site can show a 1–5
scale instead (``GEMEINSAM_RATING_SCALE = 5``, read at call time); then a member's *k* stars
are stored as ``2k``, and everything shown is converted back: the average is divided by two
and the distribution folds stored values ``2k - 1`` and ``2k`` into *k* stars. A rating given
on one scale therefore keeps its meaning when the site switches to the other: 8/10 shows as
4/5, and 4/5 shows as 8/10.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.translation import gettext_lazy as _

STORED_MAX = 10
SCALES = (5, 10)


def rating_scale() -> int:
    """The scale members rate on now: 10 (the default) or 5."""
    raw = getattr(settings, "GEMEINSAM_RATING_SCALE", 10)
    try:
        scale = int(raw)
    except (TypeError, ValueError):
        scale = 0
    if scale not in SCALES:
        raise ImproperlyConfigured(f"GEMEINSAM_RATING_SCALE must be 5 or 10, not {raw!r}.")
    return scale


def to_stored(stars: int, scale: int) -> int:
    """The stored 1–10 value of ``stars`` given on ``scale``."""
    return stars * (STORED_MAX // scale)


def to_stars(value: int, scale: int) -> int:
    """A stored 1–10 value as whole stars on ``scale``; odd values round up on 1–5."""
    step = STORED_MAX // scale
    return (value + step - 1) // step


class Rating(models.Model):
    """One member's rating of one item, stored on the 1–10 scale."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="ratings",
        verbose_name=_("member"),
    )
    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, verbose_name=_("content type")
    )
    object_id = models.PositiveBigIntegerField(_("object id"))
    value = models.PositiveSmallIntegerField(_("value (1–10)"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["user", "content_type", "object_id"], name="rating_one_per_member"
            ),
            models.CheckConstraint(
                condition=models.Q(value__gte=1, value__lte=STORED_MAX),
                name="rating_value_1_to_10",
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["content_type", "object_id"], name="rating_target_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.value}/10"

    @property
    def item_type(self) -> str:
        """The rated item's kind as "app.model", e.g. "newsroom.articlepage"."""
        content_type = ContentType.objects.get_for_id(self.content_type_id)
        return f"{content_type.app_label}.{content_type.model}"


class RatingAggregate(models.Model):
    """Count, sum and distribution of the stored values for one item.

    Kept exact by the services: written in the same transaction as the rating, with ``F()``
    expressions, while the row is locked. Rows are never deleted, so the row can be locked
    by every writer of the item.
    """

    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, verbose_name=_("content type")
    )
    object_id = models.PositiveBigIntegerField(_("object id"))
    count = models.PositiveIntegerField(_("number of ratings"), default=0)
    total = models.PositiveBigIntegerField(_("sum of stored values"), default=0)
    stars_1 = models.PositiveIntegerField(default=0)
    stars_2 = models.PositiveIntegerField(default=0)
    stars_3 = models.PositiveIntegerField(default=0)
    stars_4 = models.PositiveIntegerField(default=0)
    stars_5 = models.PositiveIntegerField(default=0)
    stars_6 = models.PositiveIntegerField(default=0)
    stars_7 = models.PositiveIntegerField(default=0)
    stars_8 = models.PositiveIntegerField(default=0)
    stars_9 = models.PositiveIntegerField(default=0)
    stars_10 = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("rating aggregate")
        verbose_name_plural = _("rating aggregates")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"], name="rating_aggregate_one_per_target"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.count} ratings"

    def stored_distribution(self) -> list[int]:
        """How many ratings hold each stored value, index 0 for 1 up to index 9 for 10."""
        return [int(getattr(self, f"stars_{value}")) for value in range(1, STORED_MAX + 1)]
