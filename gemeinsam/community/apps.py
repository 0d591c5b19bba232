"""Community: follows, fans, faves, shares, the home feed and notifications."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "gemeinsam.community"
    label = "community"
    verbose_name = _("Community")
