"""The anonymous page cache: keyed on all a response depends on, never outliving a purge."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import caches
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from gemeinsam.conversations.tests.factories import make_comment
from gemeinsam.core.caching import SITE, invalidate
from gemeinsam.core.caching.pages import AnonymousPageCacheMiddleware, LocalPages
from gemeinsam.core.caching.scopes import VERSION_PREFIX
from gemeinsam.core.engagement import target_reference

pytestmark = pytest.mark.django_db


def test_a_purge_in_another_process_reaches_this_one_at_once(newsroom: Any) -> None:
    story = newsroom.add_story(title="Before the change")
    client = Client()
    assert client.get(story.url)["X-Cache"] == "miss"
    assert client.get(story.url)["X-Cache"] == "hit"  # now in this process's layer too
    story.title = "After the change"
    story.save_revision().publish()
    # Another process changes the site: only the shared version of its scope changes.
    caches["scopes"].set(VERSION_PREFIX + SITE, "another-process.1", 60)
    response = client.get(story.url)
    assert response["X-Cache"] == "miss"
    assert "After the change" in response.content.decode()
    invalidate(SITE)
    assert client.get(story.url)["X-Cache"] == "miss"


def test_local_pages_expire_and_keep_only_the_latest(monkeypatch: Any) -> None:
    pages = LocalPages()
    clock = [1000.0]
    monkeypatch.setattr("gemeinsam.core.caching.pages.time.monotonic", lambda: clock[0])
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
    assert again["X-Cache"] == "hit"
    assert client.get("/en/feeds/rss/", HTTP_IF_NONE_MATCH='"other"').status_code == 200
    invalidate(SITE)  # a change: the old validator no longer matches
    assert client.get("/en/feeds/rss/", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_an_htmx_request_does_not_poison_the_page_for_readers_without_javascript(
    newsroom: Any,
) -> None:
    """One anonymous request with ``HX-Request: true`` gets the bare fragment; the next
    reader without JavaScript still gets the whole page, and both say what they vary on."""
    story = newsroom.add_story(title="Talked about")
    make_comment(target=story, body="First!")
    url = reverse("conversations:comments", args=target_reference(story))
    client = Client()

    fragment = client.get(url, HTTP_HX_REQUEST="true")
    page = client.get(url)

    assert "<html" not in fragment.content.decode()
    assert "<html" in page.content.decode()
    assert "First!" in page.content.decode()
    assert "HX-Request" in page["Vary"]
    assert client.get(url, HTTP_HX_REQUEST="true")["X-Cache"] == "hit"
    assert "<html" not in client.get(url, HTTP_HX_REQUEST="true").content.decode()


def test_responses_that_vary_on_an_unkeyed_header_are_not_stored() -> None:
    kept = HttpResponse("same for all")
    kept["Vary"] = "Cookie, HX-Request"
    varying = HttpResponse("depends on the browser")
    varying["Vary"] = "Cookie, User-Agent"
    everything = HttpResponse("depends on anything")
    everything["Vary"] = "*"

    assert AnonymousPageCacheMiddleware._is_cacheable_response(kept)
    assert not AnonymousPageCacheMiddleware._is_cacheable_response(varying)
    assert not AnonymousPageCacheMiddleware._is_cacheable_response(everything)


def test_the_key_holds_the_scheme_and_the_htmx_header() -> None:
    factory = RequestFactory()
    plain = factory.get("/en/")
    secure = factory.get("/en/", secure=True)
    htmx = factory.get("/en/", HTTP_HX_REQUEST="true")
    keys = {AnonymousPageCacheMiddleware._key(request) for request in (plain, secure, htmx)}
    assert len(keys) == 3
