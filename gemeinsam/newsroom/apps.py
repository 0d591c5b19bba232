"""The newsroom: stories, press material, feeds and the outputs search engines read."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsroomConfig(AppConfig):
    name = "gemeinsam.newsroom"
    label = "newsroom"
    verbose_name = _("Newsroom")

    def ready(self) -> None:
        from gemeinsam.core.media import register_media_guard
        from gemeinsam.core.scheduler import register_periodic_job
        from gemeinsam.newsroom import (
            embargo_admin,  # noqa: F401 (registers admin hooks)
            signals,  # noqa: F401 (connects the receivers)
            tasks,
        )
        from gemeinsam.newsroom.embargo import is_hidden_media

        register_media_guard(is_hidden_media)
        # Press-kit archives are served by their own view, never straight from /media/.
        register_media_guard(lambda request, path: path.startswith("presskits/"))
        # Embargoes lift and scheduled stories go live within this many seconds of their time.
        register_periodic_job(
            "publish-due-content", tasks.publish_due_content_task, every_seconds=10
        )
        register_periodic_job(
            "pull-outside-channels", tasks.pull_all_channels_task, every_seconds=15 * 60
        )
