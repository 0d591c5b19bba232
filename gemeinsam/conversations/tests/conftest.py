"""Fixtures for the comment tests: a story to talk about, members, and captured events."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from gemeinsam.accounts.models import User
from gemeinsam.core.events import activity_happened


@pytest.fixture(autouse=True)
def _comment_urls(settings: Any) -> None:
    settings.ROOT_URLCONF = "gemeinsam.conversations.tests.urls"


@pytest.fixture
def story(newsroom: Any) -> Any:
    return newsroom.add_story(title="A viral video")


@pytest.fixture
def other_member(db: Any) -> User:
    return User.objects.create_user(
        email="other@example.org", password="correct-horse-9", display_name="Other Person"
    )


@pytest.fixture
def events() -> Iterator[list[dict[str, Any]]]:
    """Every activity announced during the test, as keyword dicts."""
    seen: list[dict[str, Any]] = []

    def receiver(sender: Any, **kwargs: Any) -> None:
        seen.append(kwargs)

    activity_happened.connect(receiver, weak=False, dispatch_uid="conversations-test-events")
    yield seen
    activity_happened.disconnect(dispatch_uid="conversations-test-events")
