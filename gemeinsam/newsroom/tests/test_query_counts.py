"""Pinned query counts: reader pages cost the same number of queries with 10 or 1,000 stories."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gemeinsam.newsroom.models import ArticlePage
from gemeinsam.newsroom.tests.factories import AuthorFactory, ImageFactory

pytestmark = pytest.mark.django_db

# Exact counts, anonymous and signed in. A change here needs a reason in the commit message.
# Signed in adds the session, the user, the unread-notification count and one's own state.
# A story page includes the engagement bar (1) and the rating widget (1). Its head tags, its
# body (header, lead image, authors, tags) and its list of comments are the same for every
# reader and cached until the next public change (a signed-in member adds one query for
# blocks).
EXPECTED = {
    ("home", "anonymous"): 14,
    ("home", "member"): 20,
    ("story", "anonymous"): 13,
    ("story", "member"): 21,
    ("index", "anonymous"): 14,
    ("index", "member"): 19,
    ("rss", "anonymous"): 6,
    ("rss", "member"): 6,
    ("atom", "anonymous"): 6,
    ("atom", "member"): 6,
    ("json", "anonymous"): 6,
    ("json", "member"): 6,
    ("tag-rss", "anonymous"): 7,
    ("tag-rss", "member"): 7,
}


def add_stories(newsroom, count: int, *, start: int = 0) -> ArticlePage:
    """``count`` live stories, each with a lead image, two authors and two tags."""
    image = ImageFactory()
    authors = [AuthorFactory(), AuthorFactory()]
    now = timezone.now()
    story = None
    for number in range(start, start + count):
        story = newsroom.index.add_child(
            instance=ArticlePage(
                title=f"Story {number}",
                slug=f"story-{number}",
                summary="Summary.",
                body=[("paragraph", "<p>Body.</p>")],
                lead_image=image,
                live=True,
                first_published_at=now - timedelta(minutes=number),
            )
        )
        story.authors.set(authors)
        story.tags.set(["energy", "people"])
        story.save()
    assert story is not None
    return story


def count_queries(client: Client, url: str) -> int:
    client.get(url)  # warm caches that every process keeps (content types, site root)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def measure(newsroom, story: ArticlePage, member) -> dict[tuple[str, str], int]:
    urls = {
        "home": "/en/",
        "story": story.url,
        "index": "/en/stories/",
        "rss": "/en/feeds/rss/",
        "atom": "/en/feeds/atom/",
        "json": "/en/feeds/json/",
        "tag-rss": "/en/feeds/tag/energy/rss/",
    }
    counts = {}
    for who in ("anonymous", "member"):
        client = Client()
        if who == "member":
            client.force_login(member)
        for name, url in urls.items():
            counts[(name, who)] = count_queries(client, url)
    return counts


@pytest.fixture
def no_page_cache(settings) -> None:
    settings.PAGE_CACHE_SECONDS = 0


@pytest.mark.slow
def test_query_counts_are_pinned_and_do_not_grow(newsroom, member, no_page_cache) -> None:
    story = add_stories(newsroom, 10)
    with_ten = measure(newsroom, story, member)
    add_stories(newsroom, 990, start=10)
    with_thousand = measure(newsroom, story, member)

    assert with_ten == EXPECTED
    assert with_thousand == EXPECTED
