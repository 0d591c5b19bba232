"""The site's URL map with the member pages mounted, as the project wires them."""

from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path

from config import urls as site_urls

_language_prefixed = site_urls.urlpatterns[-1]
_is_mounted = any(
    getattr(pattern, "namespace", None) == "accounts" for pattern in _language_prefixed.url_patterns
)

if _is_mounted:
    urlpatterns = list(site_urls.urlpatterns)
else:
    urlpatterns = [
        *site_urls.urlpatterns[:-1],
        *i18n_patterns(
            path("members/", include("gemeinsam.accounts.urls")),
            *_language_prefixed.url_patterns,
            prefix_default_language=True,
        ),
    ]
