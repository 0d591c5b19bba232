"""Exactly one way in: every login and password page of the site is allauth's, or leads there."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.core import mail
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import LocalePrefixPattern, RegexPattern, RoutePattern
from django.utils import translation

from gemeinsam.accounts.sign_in import ToAllauthView

# Forms that check a password or set one: a view built on one of them signs people in or
# changes how they do.
CREDENTIAL_FORMS = (
    auth_forms.AuthenticationForm,
    auth_forms.PasswordResetForm,
    auth_forms.SetPasswordForm,
    auth_forms.AdminPasswordChangeForm,
)
CREDENTIAL_VIEWS = (auth_views.LoginView, auth_views.PasswordContextMixin)


def _sample(pattern: Any) -> str:
    """A concrete path that ``pattern`` (one segment of a URL) matches."""
    if isinstance(pattern, LocalePrefixPattern):
        return pattern.language_prefix
    if isinstance(pattern, RoutePattern):
        return re.sub(r"<[^>]+>", "1", str(pattern))
    assert isinstance(pattern, RegexPattern)
    text = re.sub(r"\(\?P<\w+>[^)]*\)", "1", str(pattern))
    text = text.replace("(?:[\\w\\-]+/)*", "")
    return text.lstrip("^").rstrip("$").replace("\\", "")


def _routes(patterns: list[Any], prefix: str = "/") -> Iterator[tuple[str, Any]]:
    """Every leaf of the URL map: a sample path and the view its pattern names."""
    for pattern in patterns:
        path = prefix + _sample(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, path)
        else:
            assert isinstance(pattern, URLPattern)
            yield path, pattern.callback


def _handles_credentials(view: Any) -> bool:
    view_class = getattr(view, "view_class", None)
    module = getattr(view_class or view, "__module__", "") or ""
    if module.startswith("django.contrib.admin"):
        return True  # Django's own admin site carries a login and a password change.
    if view_class is None:
        return False
    if issubclass(view_class, CREDENTIAL_VIEWS):
        return True
    forms = [
        getattr(view_class, "form_class", None),
        getattr(view_class, "authentication_form", None),
    ]
    return any(isinstance(form, type) and issubclass(form, CREDENTIAL_FORMS) for form in forms)


def _is_allauth(view: Any) -> bool:
    view_class = getattr(view, "view_class", None)
    return str(getattr(view_class or view, "__module__", "")).startswith("allauth.")


def _leads_to_allauth(view: Any) -> bool:
    view_class = getattr(view, "view_class", None)
    if view_class is None or not issubclass(view_class, ToAllauthView):
        return False
    target = view.view_initkwargs["pattern_name"]
    return _is_allauth(resolve(reverse(target)).func)


def _credential_routes() -> list[tuple[str, Any]]:
    with translation.override("en"):
        return [
            (path, view)
            for path, view in _routes(get_resolver().url_patterns)
            if _handles_credentials(view)
        ]


def test_the_url_map_walk_finds_the_login_and_password_pages_wagtail_and_django_mount() -> None:
    found = {path for path, _view in _credential_routes()}

    assert "/admin/login/" in found
    assert "/admin/password_reset/" in found
    assert "/admin/password_reset/confirm/1/1/" in found
    assert "/en/_util/login/" in found


def test_every_login_and_password_address_is_allauth_or_a_redirect_there() -> None:
    """A new route that signs people in or sets passwords, and bypasses allauth, fails here."""
    bypasses = []
    with translation.override("en"):
        for path, _view in _credential_routes():
            served_by = resolve(path).func
            if not (_is_allauth(served_by) or _leads_to_allauth(served_by)):
                bypasses.append(path)

    assert bypasses == []


def test_allauth_serves_the_site_login_and_password_pages() -> None:
    with translation.override("en"):
        for path in ("/en/accounts/login/", "/en/accounts/password/reset/"):
            assert _is_allauth(resolve(path).func)


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ("/admin/login/?next=/admin/pages/", "/en/accounts/login/?next=/admin/pages/"),
        ("/admin/password_reset/", "/en/accounts/password/reset/"),
        ("/admin/password_reset/confirm/MQ/abc-123/", "/en/accounts/password/reset/"),
        ("/admin/account/change_password/", "/en/accounts/password/change/"),
        ("/en/_util/login/?next=/en/private/", "/en/accounts/login/?next=/en/private/"),
    ],
)
def test_the_other_sign_in_addresses_redirect_to_allauth_with_the_query(
    path: str, target: str
) -> None:
    response = Client().get(path)

    assert response.status_code == 302
    assert response["Location"] == target


@pytest.fixture
def totp_staff(db: Any, staff_user: Any) -> Any:
    EmailAddress.objects.create(
        user=staff_user, email=staff_user.email, verified=True, primary=True
    )
    TOTP.activate(staff_user, generate_totp_secret())
    return staff_user


def test_correct_password_posted_to_the_admin_login_of_a_totp_user_gives_no_session(
    totp_staff: Any,
) -> None:
    client = Client()
    client.get("/admin/login/")

    response = client.post(
        "/admin/login/", {"username": totp_staff.email, "password": "correct-horse-9"}
    )

    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/login/")
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/")["Location"].startswith("/en/accounts/login/")


def test_allauth_asks_the_totp_user_for_the_code(totp_staff: Any) -> None:
    client = Client()

    response = client.post(
        "/en/accounts/login/", {"login": totp_staff.email, "password": "correct-horse-9"}
    )

    assert response["Location"] == "/en/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session


def test_the_admin_password_reset_sends_no_mail(staff_user: Any) -> None:
    client = Client()

    for _attempt in range(3):
        client.post("/admin/password_reset/", {"email": staff_user.email})

    assert mail.outbox == []


def test_the_admin_account_page_changes_neither_password_nor_address(staff_user: Any) -> None:
    client = Client()
    client.force_login(staff_user)

    page = client.get("/admin/account/")
    client.post(
        "/admin/account/",
        {
            "password-old_password": "correct-horse-9",
            "password-new_password1": "a-new-and-long-passphrase-7",
            "password-new_password2": "a-new-and-long-passphrase-7",
            "name_email-email": "taken-over@example.org",
            "name_email-first_name": "",
            "name_email-last_name": "",
        },
    )

    staff_user.refresh_from_db()
    assert staff_user.check_password("correct-horse-9")
    assert staff_user.email == "admin@example.org"
    html = page.content.decode()
    assert "/en/accounts/password/change/" in html
    assert "/en/accounts/2fa/" in html


def test_the_site_password_change_page_answers_a_signed_in_member(member: Any) -> None:
    client = Client()
    client.force_login(member)

    assert client.get("/en/accounts/password/change/").status_code == 200
    assert client.get("/en/accounts/email/").status_code == 200
