"""The demo: content for a fresh install and bulk data for benchmarks; nothing imports it."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    name = "gemeinsam.demo"
    label = "demo"
    verbose_name = _("Demo")
