"""The lowest layer: shared media models, caching, outbound fetching and scheduling."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "gemeinsam.core"
    label = "core"
    verbose_name = _("Core")
