"""The one way in: the admin's own login and password pages lead to the site's sign-in, and
the passwords of private pages and documents are throttled.

Signing in, resetting and changing a password go through allauth only, with its throttles,
e-mail verification and second factor. Wagtail mounts its own login and password-reset views
outside its admin-access check; the patterns here are mounted before Wagtail's, so those
addresses answer with a redirect to allauth's page and carry the query string (``next``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path, re_path
from django.utils.translation import gettext as _
from django.views.generic import RedirectView
from wagtail import views as wagtail_views
from wagtail.documents.views import serve as document_views

from gemeinsam.core.clientip import client_key
from gemeinsam.core.http import refusal
from gemeinsam.core.ratelimit import RateLimitedError, check

# Tries of one private page's or document collection's password per minute, from anyone.
CONTENT_PASSWORD_TRIES = 20


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


def throttled_password(view: Callable[..., HttpResponse], *, restriction: str) -> Any:
    """``view`` (Wagtail's form for a page or document password) with its POSTs limited to
    ``CONTENT_PASSWORD_TRIES`` a minute per restriction and visitor, so the password cannot
    be guessed quickly; over the limit it answers 429 with ``Retry-After``. Counted per
    visitor, a guesser cannot lock out the readers who know the password."""

    @wraps(view)
    def limited(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "POST":
            try:
                check(
                    f"content-password:{view.__module__}:{kwargs[restriction]}:"
                    f"{client_key(request)}",
                    limit=CONTENT_PASSWORD_TRIES,
                    period=60,
                    message=_("Too many tries of this password. Please wait a minute."),
                )
            except RateLimitedError as error:
                return refusal(error)
        return view(request, *args, **kwargs)

    return limited


# Mounted under /<language>/ before Wagtail's page serving (its login for private pages).
wagtail_site_overrides: list[URLPattern] = [
    path("_util/login/", to_allauth("account_login"), name="site-login-to-allauth"),
    path(
        "_util/authenticate_with_password/<int:page_view_restriction_id>/<int:page_id>/",
        throttled_password(
            wagtail_views.authenticate_with_password, restriction="page_view_restriction_id"
        ),
    ),
]

# Mounted under /documents/ before Wagtail's document URLs.
wagtail_document_overrides: list[URLPattern] = [
    path(
        "authenticate_with_password/<int:restriction_id>/",
        throttled_password(document_views.authenticate_with_password, restriction="restriction_id"),
    ),
]
