"""The one way in: the admin's own login and password pages lead to the site's sign-in.

Signing in, resetting and changing a password go through allauth only, with its throttles,
e-mail verification and second factor. Wagtail mounts its own login and password-reset views
outside its admin-access check; the patterns here are mounted before Wagtail's, so those
addresses answer with a redirect to allauth's page and carry the query string (``next``).
"""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path, re_path
from django.views.generic import RedirectView


class ToAllauthView(RedirectView):
    """A temporary redirect to one of allauth's account pages, keeping the query string.

    Every method, a POST of credentials included, gets the redirect and nothing else.
    """

    permanent = False
    query_string = True


def to_allauth(pattern_name: str) -> Any:
    return ToAllauthView.as_view(pattern_name=pattern_name)


# Mounted under /admin/ before Wagtail's own URLs.
wagtail_admin_overrides: list[URLPattern] = [
    path("login/", to_allauth("account_login"), name="admin-login-to-allauth"),
    re_path(
        r"^password_reset/",
        to_allauth("account_reset_password"),
        name="admin-password-reset-to-allauth",
    ),
    re_path(
        r"^account/change_password/",
        to_allauth("account_change_password"),
        name="admin-password-change-to-allauth",
    ),
]

# Mounted under /<language>/ before Wagtail's page serving (its login for private pages).
wagtail_site_overrides: list[URLPattern] = [
    path("_util/login/", to_allauth("account_login"), name="site-login-to-allauth"),
]
