"""The anonymous page cache: its per-process layer never outlives a purge or its time."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from gemeinsam.core.caching import GENERATION_KEY, purge_public_content
from gemeinsam.core.middleware import LocalPages

pytestmark = pytest.mark.django_db


def test_a_purge_in_another_process_reaches_this_one_at_once(newsroom: Any) -> None:
    story = newsroom.add_story(title="Before the change")
    client = Client()
    assert client.get(story.url)["X-Page-Cache"] == "miss"
    assert client.get(story.url)["X-Page-Cache"] == "hit"  # now in this process's layer too
    story.title = "After the change"
    story.save_revision().publish()
    # Another process purges: only the shared generation changes.
    cache.set(GENERATION_KEY, "another-process.1", 60)
    response = client.get(story.url)
    assert response["X-Page-Cache"] == "miss"
    assert "After the change" in response.content.decode()
    purge_public_content()
    assert client.get(story.url)["X-Page-Cache"] == "miss"


def test_local_pages_expire_and_keep_only_the_latest(monkeypatch: Any) -> None:
    pages = LocalPages()
    clock = [1000.0]
    monkeypatch.setattr("gemeinsam.core.middleware.time.monotonic", lambda: clock[0])
    pages.put("a", "page a", 10)
    assert pages.get("a") == "page a"
    clock[0] += 11
    assert pages.get("a") is None
    for number in range(LocalPages.SIZE + 5):
        pages.put(str(number), number, 60)
    assert pages.get("0") is None
    assert pages.get(str(LocalPages.SIZE + 4)) == LocalPages.SIZE + 4


def test_feed_readers_revalidate_against_the_cached_page(
    newsroom: Any, django_assert_num_queries: Any
) -> None:
    newsroom.add_story(title="In the feed")
    client = Client()
    first = client.get("/en/feeds/rss/")
    etag = first["ETag"]
    with django_assert_num_queries(0):
        again = client.get("/en/feeds/rss/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again["ETag"] == etag
    assert again["X-Page-Cache"] == "hit"
    assert client.get("/en/feeds/rss/", HTTP_IF_NONE_MATCH='"other"').status_code == 200
    purge_public_content()  # a change: the old validator no longer matches
    assert client.get("/en/feeds/rss/", HTTP_IF_NONE_MATCH=etag).status_code == 200
