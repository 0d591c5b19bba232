"""How often each public item was viewed, per day."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class DailyViews(models.Model):
    """Views of one item on one day (UTC). Holds no personal data: no visitor, no address."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    day = models.DateField(_("day"))
    count = models.PositiveBigIntegerField(_("views"), default=0)

    class Meta:
        verbose_name = _("daily views")
        verbose_name_plural = _("daily views")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "day"], name="daily_views_unique"
            )
        ]
        indexes = [models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"{self.content_type_id}:{self.object_id} {self.day} {self.count}"
