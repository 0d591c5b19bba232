"""Feeds: RSS, Atom and JSON Feed read by an outside parser, scoped, cached and embargo-safe."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import feedparser
import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gemeinsam.core.caching import SITE, invalidate
from gemeinsam.newsroom.models import ArticlePage, NewsPage, PressReleasePage
from gemeinsam.newsroom.services import publish_due_content
from gemeinsam.newsroom.tests.factories import AuthorFactory, ImageFactory

pytestmark = pytest.mark.django_db

XML_FORMATS = ("rss", "atom")
CONTENT_TYPES = {
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
    "json": "application/feed+json; charset=utf-8",
}


@pytest.fixture
def content(newsroom: Any) -> dict[str, Any]:
    """An illustrated article with an author and tags, a short news, an embargoed release."""
    author = AuthorFactory(name="Bea Schreiber", slug="bea")
    image = ImageFactory(credit="Ada Lens", licence="cc-by-4.0")
    article = newsroom.add_story(
        ArticlePage, title="Solar roof opens", lead_image=image, publish=False
    )
    article.authors.add(author)
    article.tags.add("energy", "roofs")
    article.save_revision().publish()
    news = newsroom.add_story(NewsPage, title="Quarterly figures out")
    release = newsroom.add_embargoed_release(title="Secret merger", lead_image=ImageFactory())
    return {"author": author, "image": image, "article": article, "news": news, "release": release}


def _parse(client: Client, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, url
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, f"{url}: {parsed.get('bozo_exception')}"
    return parsed


@pytest.mark.parametrize("fmt", XML_FORMATS)
def test_xml_feeds_parse_with_entries_and_enclosures(
    content: dict[str, Any], client: Client, fmt: str
) -> None:
    parsed = _parse(client, f"/en/feeds/{fmt}/")

    titles = [entry.title for entry in parsed.entries]
    assert titles == ["Quarterly figures out", "Solar roof opens"]
    article = parsed.entries[1]
    assert article.link.startswith("http")
    assert article.link.endswith("/en/stories/solar-roof-opens/")
    assert article.summary == "What happened, in one sentence."
    assert article.published_parsed is not None
    assert {tag.term for tag in article.tags} == {"energy", "roofs"}
    assert "Bea Schreiber" in [author.get("name") for author in article.authors]
    [enclosure] = article.enclosures
    assert enclosure.type == "image/png"
    assert int(enclosure.length) == content["image"].file.size > 0
    assert enclosure.href.startswith("http")
    assert enclosure.href.endswith(content["image"].file.url)


def test_rss_carries_the_lead_image_as_media_content(
    content: dict[str, Any], client: Client
) -> None:
    parsed = _parse(client, "/en/feeds/rss/")

    article = parsed.entries[1]
    [media] = article.media_content
    assert media["url"].endswith(content["image"].file.url)
    assert media["type"] == "image/png"
    assert media["medium"] == "image"
    assert article.media_credit[0]["content"] == "Ada Lens"
    assert "media_content" not in parsed.entries[0]  # the short news has no image


def test_json_feed_follows_json_feed_1_1(content: dict[str, Any], client: Client) -> None:
    response = client.get("/en/feeds/json/")

    feed = json.loads(response.content)
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"]
    assert feed["feed_url"].endswith("/en/feeds/json/")
    assert feed["language"] == "en"
    assert [item["title"] for item in feed["items"]] == [
        "Quarterly figures out",
        "Solar roof opens",
    ]
    for item in feed["items"]:
        assert item["id"]
        assert item["url"].startswith("http")
        assert item.get("content_text") or item.get("content_html")
        datetime.fromisoformat(item["date_published"])
        for key in item:
            assert key in JSON_FEED_ITEM_KEYS or key.startswith("_"), key
    article = feed["items"][1]
    assert article["authors"][0]["name"] == "Bea Schreiber"
    assert article["authors"][0]["url"].endswith("/en/authors/bea/")
    assert set(article["tags"]) == {"energy", "roofs"}
    assert article["image"].endswith(content["image"].file.url)
    [attachment] = article["attachments"]
    assert attachment["mime_type"] == "image/png"
    assert attachment["size_in_bytes"] == content["image"].file.size


JSON_FEED_ITEM_KEYS = {
    "id",
    "url",
    "external_url",
    "title",
    "content_html",
    "content_text",
    "summary",
    "image",
    "banner_image",
    "date_published",
    "date_modified",
    "authors",
    "tags",
    "language",
    "attachments",
}


@pytest.mark.parametrize("fmt", ["rss", "atom", "json"])
def test_feeds_have_their_content_type_and_caching_headers(
    content: dict[str, Any], client: Client, fmt: str
) -> None:
    response = client.get(f"/en/feeds/{fmt}/")

    assert response["Content-Type"] == CONTENT_TYPES[fmt]
    assert response["Cache-Control"] == "public, max-age=300"
    assert response["ETag"].startswith('"')
    assert response["Last-Modified"].endswith("GMT")
    assert not response.cookies


@pytest.mark.parametrize("fmt", ["rss", "atom", "json"])
def test_embargoed_release_never_appears(content: dict[str, Any], client: Client, fmt: str) -> None:
    body = client.get(f"/en/feeds/{fmt}/").content.decode()
    type_feed = client.get(f"/en/feeds/type/press-release/{fmt}/").content.decode()

    for text in (body, type_feed):
        assert "Secret merger" not in text
        assert content["release"].slug not in text
        assert content["release"].lead_image.file.url not in text


def test_an_embargo_lift_brings_the_release_into_the_feed(
    content: dict[str, Any], client: Client
) -> None:
    with time_machine.travel(timezone.now() + timedelta(hours=3)):
        publish_due_content()

        parsed = _parse(client, "/en/feeds/rss/")

    assert "Secret merger" in [entry.title for entry in parsed.entries]


def test_tag_type_and_author_feeds_carry_only_their_stories(
    content: dict[str, Any], client: Client
) -> None:
    by_tag = _parse(client, "/en/feeds/tag/energy/atom/")
    by_type = _parse(client, "/en/feeds/type/news/rss/")
    by_author = _parse(client, "/en/feeds/author/bea/rss/")

    assert [entry.title for entry in by_tag.entries] == ["Solar roof opens"]
    assert [entry.title for entry in by_type.entries] == ["Quarterly figures out"]
    assert [entry.title for entry in by_author.entries] == ["Solar roof opens"]
    assert "energy" in by_tag.feed.title
    assert "Bea Schreiber" in by_author.feed.title


def test_each_language_has_its_own_feed(
    content: dict[str, Any], newsroom: Any, client: Client
) -> None:
    newsroom.add_story(
        NewsPage, parent=newsroom.index_de, title="Zahlen veröffentlicht", slug="zahlen"
    )

    english = _parse(client, "/en/feeds/rss/")
    german = _parse(client, "/de/feeds/rss/")

    assert "Zahlen veröffentlicht" not in [entry.title for entry in english.entries]
    assert [entry.title for entry in german.entries] == ["Zahlen veröffentlicht"]
    assert german.feed.language == "de"
    assert german.entries[0].link.endswith("/de/stories/zahlen/")


@pytest.mark.parametrize(
    "url",
    [
        "/en/feeds/xml/",
        "/en/feeds/RSS/",
        "/en/feeds/tag/energy/html/",
        "/en/feeds/tag/no-such-tag/rss/",
        "/en/feeds/type/no-such-type/rss/",
        "/en/feeds/type/press-release/yaml/",
        "/en/feeds/author/nobody/atom/",
    ],
)
def test_unknown_formats_and_scopes_are_not_found(
    content: dict[str, Any], client: Client, url: str
) -> None:
    assert client.get(url).status_code == 404


def test_feeds_answer_only_safe_methods(newsroom: Any, client: Client) -> None:
    assert client.post("/en/feeds/rss/").status_code == 405


def test_feed_holds_at_most_twenty_items(newsroom: Any, client: Client) -> None:
    for number in range(22):
        newsroom.add_story(NewsPage, title=f"News {number}", slug=f"news-{number}")

    parsed = _parse(client, "/en/feeds/rss/")

    assert len(parsed.entries) == 20
    assert parsed.entries[0].title == "News 21"


def _render_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_feed_queries_do_not_grow_with_the_number_of_stories(newsroom: Any, client: Client) -> None:
    def add_illustrated_stories(count: int, start: int) -> None:
        for number in range(start, start + count):
            story = newsroom.add_story(
                ArticlePage,
                title=f"Story {number}",
                slug=f"story-{number}",
                lead_image=ImageFactory(),
                publish=False,
            )
            story.authors.add(AuthorFactory())
            story.tags.add(f"tag-{number}")
            story.save_revision().publish()

    add_illustrated_stories(2, 0)
    _render_queries(client, "/en/feeds/rss/")  # warms the site-root cache
    invalidate(SITE)
    few = _render_queries(client, "/en/feeds/rss/")
    add_illustrated_stories(6, 2)
    invalidate(SITE)
    many = _render_queries(client, "/en/feeds/rss/")

    assert many == few


# ------------------------------------------------------------------ conditional requests


@pytest.mark.parametrize(
    "url",
    [
        "/en/feeds/rss/",
        "/en/feeds/atom/",
        "/de/feeds/json/",
        "/en/feeds/tag/energy/rss/",
        "/en/feeds/type/article/json/",
        "/en/feeds/author/bea/atom/",
    ],
)
def test_a_matching_etag_gets_304_within_two_queries_and_no_template(
    content: dict[str, Any], client: Client, django_assert_max_num_queries: Any, url: str
) -> None:
    etag = client.get(url)["ETag"]

    with django_assert_max_num_queries(2):
        response = client.get(url, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304
    assert response.content == b""
    assert not response.templates
    assert response["ETag"] == etag
    assert response["Cache-Control"] == "public, max-age=300"


def test_if_modified_since_gets_304_until_the_next_publish(
    content: dict[str, Any], newsroom: Any, client: Client
) -> None:
    last_modified = client.get("/en/feeds/rss/")["Last-Modified"]

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/en/feeds/rss/", HTTP_IF_MODIFIED_SINCE=last_modified)
    assert response.status_code == 304
    assert len(queries) <= 2

    invalidate(SITE)
    stale = client.get("/en/feeds/rss/", HTTP_IF_MODIFIED_SINCE="Thu, 01 Jan 1970 00:00:00 GMT")
    assert stale.status_code == 200


def test_a_publish_changes_the_etag(content: dict[str, Any], newsroom: Any, client: Client) -> None:
    etag = client.get("/en/feeds/rss/")["ETag"]

    newsroom.add_story(NewsPage, title="Fresh news", slug="fresh")
    response = client.get("/en/feeds/rss/", HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 200
    assert response["ETag"] != etag
    assert "Fresh news" in response.content.decode()


def test_each_feed_has_its_own_etag(content: dict[str, Any], client: Client) -> None:
    etags = {
        client.get(url)["ETag"]
        for url in (
            "/en/feeds/rss/",
            "/en/feeds/atom/",
            "/de/feeds/rss/",
            "/en/feeds/tag/energy/rss/",
        )
    }

    assert len(etags) == 4


def test_release_type_is_a_press_release_feed(content: dict[str, Any], client: Client) -> None:
    live = (
        content["news"]
        .get_parent()
        .add_child(
            instance=PressReleasePage(
                title="Public release",
                summary="Out now.",
                live=False,
                body=[("paragraph", "<p>Text.</p>")],
            )
        )
    )
    live.save_revision().publish()

    parsed = _parse(client, "/en/feeds/type/press-release/rss/")

    assert [entry.title for entry in parsed.entries] == ["Public release"]
