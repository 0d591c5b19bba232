"""Ratings: one rating per member per item, with exact aggregates."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RatingsConfig(AppConfig):
    name = "gemeinsam.ratings"
    label = "ratings"
    verbose_name = _("Ratings")
