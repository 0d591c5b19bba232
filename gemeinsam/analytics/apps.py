"""Analytics: page views counted without cookies and without a database write per view."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "gemeinsam.analytics"
    label = "analytics"
    verbose_name = _("Analytics")

    def ready(self) -> None:
        from gemeinsam.analytics import tasks
        from gemeinsam.core.scheduler import register_periodic_job

        register_periodic_job("view-counts", tasks.flush_view_counts_task, every_seconds=60)
