"""Fixtures for the whole suite: a newsroom page tree, staff and members, outside services."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest
from django.core.cache import cache

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
    cache.clear()
    yield
    cache.clear()


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
