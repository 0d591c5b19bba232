"""URL map: language-neutral machine endpoints first, then pages under /en/ and /de/."""

from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from gemeinsam.accounts.sign_in import (
    wagtail_admin_overrides,
    wagtail_document_overrides,
    wagtail_site_overrides,
)
from gemeinsam.community import views as community_views
from gemeinsam.core.media import serve_media
from gemeinsam.newsroom import urls as newsroom_urls

urlpatterns = [
    # Wagtail's own login and password reset lead to the one sign-in (allauth).
    path("admin/", include(wagtail_admin_overrides)),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtail_document_overrides)),
    path("documents/", include(wagtaildocs_urls)),
    re_path(r"^media/(?P<path>.+)$", serve_media, name="media"),
    path("", include("gemeinsam.analytics.urls")),
    path("", include(("gemeinsam.outputs.urls", "outputs"))),
]

urlpatterns += i18n_patterns(
    path("accounts/", include("allauth.urls")),
    path("community/", include("gemeinsam.community.urls")),
    path("members/privacy/", include("gemeinsam.core.privacy_urls")),
    path("members/<int:user_id>/", community_views.member_page, name="member-profile"),
    path("members/", include("gemeinsam.accounts.urls")),
    path("report/", include("gemeinsam.moderation.urls")),
    path("comments/", include("gemeinsam.conversations.urls")),
    path("ratings/", include("gemeinsam.ratings.urls")),
    path("", include(("gemeinsam.outputs.feed_urls", "feeds"))),
    path("", include((newsroom_urls.page_patterns, "newsroom"))),
    path("", include(wagtail_site_overrides)),
    path("", include(wagtail_urls)),
    prefix_default_language=True,
)
