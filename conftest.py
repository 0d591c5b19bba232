"""Fixtures for the whole suite: a newsroom page tree, staff and members, outside services."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest
from django.core.cache import caches

CI = os.environ.get("CI", "").lower() == "true"


def skip_or_fail(reason: str) -> None:
    """Skip on a newcomer's bare machine; under CI a missing service fails the run instead."""
    if CI:
        pytest.fail(f"CI needs this: {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """A request under /de/ leaves German active in this thread; start every test in English."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    for alias in ("default", "scopes"):
        caches[alias].clear()
    yield
    for alias in ("default", "scopes"):
        caches[alias].clear()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def newsroom(db):  # type: ignore[no-untyped-def]
    from gemeinsam.newsroom.tests.factories import Newsroom

    return Newsroom()


@pytest.fixture
def staff_user(db):  # type: ignore[no-untyped-def]
    from gemeinsam.accounts.models import User

    return User.objects.create_superuser(email="admin@example.org", password="correct-horse-9")


@pytest.fixture
def member(db):  # type: ignore[no-untyped-def]
    from gemeinsam.accounts.models import User

    return User.objects.create_user(email="member@example.org", password="correct-horse-9")


@pytest.fixture
def chromium_path() -> str:
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(path):
        skip_or_fail("Chromium is not installed (apt-get install chromium)")
    return path


@pytest.fixture
def smtp_inbox(settings):  # type: ignore[no-untyped-def]
    """A real SMTP server on a free loopback port; Django's SMTP backend sends to it."""
    from aiosmtpd.controller import Controller

    from gemeinsam.core.tests.support import Inbox, free_port

    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def browser(chromium_path: str, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Debian's Chromium through Playwright's sync API."""
    from playwright.sync_api import sync_playwright

    from gemeinsam.core.tests.support import CHROMIUM_ARGS

    # Playwright's sync API runs an event loop in this thread; the test's own database
    # queries are still synchronous and safe.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield launched
        launched.close()
