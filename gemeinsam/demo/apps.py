"""The demo: content for a fresh install and bulk data for benchmarks; nothing imports it."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    name = "gemeinsam.demo"
    label = "demo"
    verbose_name = _("Demo")

    def ready(self) -> None:
        from gemeinsam.demo import newsroom
        from gemeinsam.demo.registry import register_seed_step

        # One step per feature area; a new area adds its module here and names the steps
        # whose content it builds on.
        register_seed_step("newsroom", newsroom.seed_step)
