"""The site's URLs with the comment endpoints mounted, as the project mounts them."""

from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path

from config import urls as site_urls

urlpatterns = [
    *i18n_patterns(
        path("comments/", include("gemeinsam.conversations.urls")),
        prefix_default_language=True,
    ),
    *site_urls.urlpatterns,
]
