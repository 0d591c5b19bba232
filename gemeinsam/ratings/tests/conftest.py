"""Fixtures for the ratings tests: the URLs with the ratings endpoint, a story, members."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _ratings_urls(settings: Any) -> None:
    settings.ROOT_URLCONF = "gemeinsam.ratings.tests.urls"


@pytest.fixture
def story(newsroom: Any) -> Any:
    return newsroom.add_story(title="Rated story")


@pytest.fixture
def make_member(db: Any) -> Callable[..., Any]:
    from gemeinsam.accounts.models import User

    counter = iter(range(1, 10_000))

    def make(**fields: Any) -> User:
        return User.objects.create_user(
            email=f"rater{next(counter)}@example.org", password="correct-horse-9", **fields
        )

    return make
