"""Fixtures for the member pages: the URL map with /members/ and the site's account adapter."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from gemeinsam.accounts.models import User

SITE = "https://news.example.org"


@pytest.fixture
def member_site(settings):  # type: ignore[no-untyped-def]
    """The settings the project wires for member accounts."""
    settings.ROOT_URLCONF = "gemeinsam.accounts.tests.urls"
    settings.ACCOUNT_ADAPTER = "gemeinsam.accounts.adapters.AccountAdapter"
    settings.SITE_URL = SITE
    return settings


@pytest.fixture
def other_member(db) -> User:  # type: ignore[no-untyped-def]
    return User.objects.create_user(
        email="other@example.org", password="correct-horse-9", display_name="Other"
    )


@pytest.fixture
def run_tasks(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """Captures what a save leaves for after its commit (the avatar's processing task runs
    then, at once under the test settings); ``execute=True`` runs it."""
    return django_capture_on_commit_callbacks


def csrf_client(user: User | None = None) -> tuple[Client, str]:
    """A client that enforces CSRF checks, with a token it may send."""
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
        client.get("/en/members/settings/mail/")
    else:
        client.get("/en/accounts/login/")
    return client, client.cookies["csrftoken"].value


SIGN_UP_PASSWORD = "a-long-and-unusual-passphrase-41"


def sign_up(client: Client, token: str, email: str) -> Any:
    """Post the sign-up form as a browser would, with ``token`` as its CSRF token."""
    return client.post(
        "/en/accounts/signup/",
        {
            "email": email,
            "password1": SIGN_UP_PASSWORD,
            "password2": SIGN_UP_PASSWORD,
            "csrfmiddlewaretoken": token,
        },
    )
