"""The newsroom: stories, press material, feeds and the outputs search engines read."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsroomConfig(AppConfig):
    name = "gemeinsam.newsroom"
    label = "newsroom"
    verbose_name = _("Newsroom")

    def ready(self) -> None:
        from gemeinsam.core.media import register_media_guard
        from gemeinsam.newsroom import signals  # noqa: F401 (connects the receivers)
        from gemeinsam.newsroom.embargo import is_embargoed_media

        register_media_guard(is_embargoed_media)
