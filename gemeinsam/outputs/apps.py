"""Outputs: feeds, oEmbed and embed pages, sitemaps, robots.txt and the head tags of pages."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutputsConfig(AppConfig):
    name = "gemeinsam.outputs"
    label = "outputs"
    verbose_name = _("Outputs")
