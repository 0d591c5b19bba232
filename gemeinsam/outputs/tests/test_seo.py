"""Head tags and JSON-LD read by an outside extractor; sitemaps, news sitemap and robots.txt."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import extruct
import pytest
import time_machine
from defusedxml import ElementTree
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from gemeinsam.newsroom.models import (
    ArticlePage,
    NewsPage,
    PhotoStoryPage,
    PressReleasePage,
    Video,
    VideoPage,
)
from gemeinsam.newsroom.tests.factories import AuthorFactory, ImageFactory

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8000"

SITEMAP_NS = {
    "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}


def _extract(client: Client, url: str) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == 200, url
    return extruct.extract(
        response.content.decode(),
        base_url="http://testserver" + url,
        syntaxes=["opengraph", "json-ld"],
        uniform=True,
    )


def _json_ld_of_type(data: dict[str, Any], schema_type: str) -> dict[str, Any]:
    matches = [item for item in data["json-ld"] if item.get("@type") == schema_type]
    assert len(matches) == 1, data["json-ld"]
    return matches[0]


@pytest.fixture
def article(newsroom: Any) -> ArticlePage:
    author = AuthorFactory(name="Bea Schreiber", slug="bea")
    image = ImageFactory(credit="Ada Lens", licence="cc-by-4.0", alt_text="A solar roof")
    story = newsroom.add_story(
        ArticlePage, title="Solar roof opens", lead_image=image, publish=False
    )
    story.authors.add(author)
    story.tags.add("energy")
    story.save_revision().publish()
    return story


# ------------------------------------------------------------------------- story pages


def test_story_page_has_opengraph_tags(article: ArticlePage, client: Client) -> None:
    data = _extract(client, article.url)

    [og] = data["opengraph"]
    assert og["og:title"] == "Solar roof opens"
    assert og["@type"] == "article"
    assert og["og:description"] == "What happened, in one sentence."
    assert og["og:url"].endswith(article.url)
    assert og["og:image"].startswith("http")
    assert "width-1200" in og["og:image"]
    assert og["og:image:alt"] == "A solar roof"
    assert og["og:site_name"]
    assert og["og:locale"] == "en_US"
    assert og["article:published_time"]


def test_story_page_has_a_news_article_in_json_ld(article: ArticlePage, client: Client) -> None:
    data = _extract(client, article.url)

    news = _json_ld_of_type(data, "NewsArticle")
    assert news["headline"] == "Solar roof opens"
    assert news["datePublished"]
    assert news["dateModified"]
    assert news["inLanguage"] == "en"
    assert news["mainEntityOfPage"]["@id"].endswith(article.url)
    [author] = news["author"]
    assert author == {
        "@type": "Person",
        "name": "Bea Schreiber",
        "url": author["url"],
        "jobTitle": "Editor",
    }
    assert author["url"].endswith("/en/authors/bea/")
    [image] = news["image"]
    assert image["@type"] == "ImageObject"
    assert image["url"].startswith("http")
    assert image["width"] == 64
    assert image["height"] == 48
    assert image["creditText"] == "Ada Lens"
    assert image["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert image["copyrightNotice"] == "Ada Lens, CC BY 4.0"
    assert news["publisher"]["@type"] == "Organization"
    assert news["publisher"]["name"]
    assert news["publisher"]["url"].startswith("http")


def test_story_head_has_canonical_twitter_and_oembed_discovery(
    article: ArticlePage, client: Client
) -> None:
    html = client.get(article.url).content.decode()

    assert (
        '<link rel="canonical" href="http://127.0.0.1:8000/en/stories/solar-roof-opens/">' in html
    )
    assert '<meta name="description" content="What happened, in one sentence.">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert 'type="application/json+oembed"' in html
    assert "/oembed/?url=http%3A%2F%2F127.0.0.1%3A8000%2Fen%2Fstories%2Fsolar-roof-opens%2F" in html
    assert html.count('property="og:title"') == 1  # the site-wide defaults stay out


def test_story_head_links_its_translations(
    article: ArticlePage, newsroom: Any, client: Client
) -> None:
    german = article.copy_for_translation(newsroom.de)
    german.title = "Solardach eröffnet"
    german.save_revision().publish()

    html = client.get(article.url).content.decode()

    assert (
        '<link rel="alternate" hreflang="en" href="http://127.0.0.1:8000/en/stories/solar-roof-opens/">'
        in html
    )
    assert 'hreflang="de" href="http://127.0.0.1:8000/de/stories/solar-roof-opens/"' in html
    assert '<meta property="og:locale:alternate" content="de_DE">' in html


@pytest.mark.parametrize(
    "title",
    [
        "</script><script>alert(1)</script>",
        "</SCRIPT ><img src=x onerror=alert(1)>",
        "<!--<script>",
        'Tom & Jerry \u2028 "quoted"',
    ],
)
def test_hostile_titles_stay_inert_in_json_ld(newsroom: Any, client: Client, title: str) -> None:
    story = newsroom.add_story(
        ArticlePage, title=title, slug="hostile", summary="</script><b>bold</b>"
    )

    html = client.get(story.url).content.decode()

    start = html.index('<script type="application/ld+json">') + len(
        '<script type="application/ld+json">'
    )
    end = html.index("</script>", start)
    payload = html[start:end]
    assert "<" not in payload
    assert ">" not in payload
    assert json.loads(payload)["headline"] == title
    assert "<script>alert(1)</script>" not in html
    assert "<img src=x" not in html
    data = extruct.extract(html, syntaxes=["json-ld"], uniform=True)
    assert [item["headline"] for item in data["json-ld"]] == [title]


def test_video_story_adds_a_video_object(newsroom: Any, client: Client) -> None:
    poster = ImageFactory(credit="Cam Era")
    video = Video(
        title="Roof in motion",
        poster=poster,
        description="A drone flight.",
        transcript="Wind. Then applause.",
        credit="Cam Era",
        licence="cc-by-4.0",
    )
    video.file.save("roof.mp4", ContentFile(b"\x00\x00\x00\x18ftypmp42"), save=False)
    video.save()
    story = newsroom.add_story(VideoPage, title="Watch the roof", video=video)

    data = _extract(client, story.url)

    news = _json_ld_of_type(data, "NewsArticle")
    clip = _json_ld_of_type(data, "VideoObject")
    assert news["headline"] == "Watch the roof"
    assert clip["name"] == "Roof in motion"
    assert clip["description"] == "A drone flight."
    assert clip["transcript"] == "Wind. Then applause."
    assert clip["contentUrl"].endswith(video.file.url)
    assert clip["contentUrl"].startswith("http")
    assert clip["thumbnailUrl"][0].startswith("http")
    assert clip["uploadDate"]


def test_press_kit_is_a_creative_work(newsroom: Any, client: Client) -> None:
    from gemeinsam.newsroom.models import PressKitPage

    kit = newsroom.add_story(PressKitPage, title="Press kit 2026", slug="kit")

    data = _extract(client, kit.url)

    assert _json_ld_of_type(data, "CreativeWork")["headline"] == "Press kit 2026"


# -------------------------------------------------------------------- home and authors


def test_home_page_describes_the_organisation(newsroom: Any, client: Client) -> None:
    data = _extract(client, "/en/")

    organisation = _json_ld_of_type(data, "Organization")
    assert organisation["name"]
    assert organisation["url"].startswith("http")
    [og] = data["opengraph"]
    assert og["@type"] == "website"
    assert og["og:url"].endswith("/en/")
    assert og["og:site_name"] == organisation["name"]


def test_author_page_describes_the_person(newsroom: Any, client: Client) -> None:
    author = AuthorFactory(
        name="Bea Schreiber", slug="bea", bio="Writes about energy.", photo=ImageFactory()
    )
    newsroom.add_story(title="Bea's first story", authors=[author])

    data = _extract(client, "/en/authors/bea/")

    person = _json_ld_of_type(data, "Person")
    assert person["name"] == "Bea Schreiber"
    assert person["url"].endswith("/en/authors/bea/")
    assert person["jobTitle"] == "Editor"
    assert person["image"].startswith("http")
    [og] = data["opengraph"]
    assert og["@type"] == "profile"
    assert og["og:title"] == "Bea Schreiber"


def test_other_pages_get_site_wide_opengraph_defaults(newsroom: Any, client: Client) -> None:
    data = _extract(client, "/en/media-library/")

    [og] = data["opengraph"]
    assert og["og:site_name"]
    assert og["og:url"].endswith("/en/media-library/")
    assert not data["json-ld"]


def test_embargo_preview_head_keeps_crawlers_out(newsroom: Any, staff_user: Any) -> None:
    from gemeinsam.newsroom.embargo import token_for_link
    from gemeinsam.newsroom.services import create_embargo_link

    release = newsroom.add_embargoed_release(title="Secret merger", lead_image=ImageFactory())
    link = create_embargo_link(actor=staff_user, release=release, recipient="Jo Journalist")

    html = Client().get(f"/en/embargo/{token_for_link(link)}/").content.decode()

    assert "Secret merger" in html
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert "application/ld+json" not in html
    assert "og:image" not in html


# ----------------------------------------------------------------------------- sitemaps


def _locations(content: bytes) -> list[str]:
    tree = ElementTree.fromstring(content)
    return [element.text for element in tree.findall("s:url/s:loc", SITEMAP_NS)]


def test_sitemap_lists_live_pages_of_every_language(newsroom: Any, client: Client) -> None:
    story = newsroom.add_story(ArticlePage, title="Public story", slug="public-story")
    newsroom.add_story(ArticlePage, title="Draft", slug="draft-story", publish=False)
    newsroom.add_embargoed_release(title="Secret merger", slug="secret-merger")
    newsroom.add_story(NewsPage, parent=newsroom.index_de, title="Nachricht", slug="nachricht")

    response = client.get("/sitemap.xml")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    assert not response.cookies
    locations = _locations(response.content)
    assert "http://127.0.0.1:8000" + story.url in locations
    assert "http://127.0.0.1:8000/en/" in locations
    assert "http://127.0.0.1:8000/de/" in locations
    assert "http://127.0.0.1:8000/de/stories/nachricht/" in locations
    assert not [loc for loc in locations if "draft-story" in loc or "secret-merger" in loc]


def _news_entries(client: Client) -> dict[str, dict[str, str]]:
    response = client.get("/news-sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    tree = ElementTree.fromstring(response.content)
    entries = {}
    for url in tree.findall("s:url", SITEMAP_NS):
        entries[url.findtext("s:loc", namespaces=SITEMAP_NS)] = {
            "name": url.findtext("news:news/news:publication/news:name", namespaces=SITEMAP_NS),
            "language": url.findtext(
                "news:news/news:publication/news:language", namespaces=SITEMAP_NS
            ),
            "date": url.findtext("news:news/news:publication_date", namespaces=SITEMAP_NS),
            "title": url.findtext("news:news/news:title", namespaces=SITEMAP_NS),
        }
    return entries


def test_news_sitemap_lists_only_news_of_the_last_two_days(newsroom: Any, client: Client) -> None:
    start = timezone.now()
    with time_machine.travel(start - timedelta(days=3), tick=False):
        newsroom.add_story(NewsPage, title="Old news", slug="old-news")
    with time_machine.travel(start - timedelta(hours=30), tick=False):
        newsroom.add_story(PressReleasePage, title="Yesterday's release", slug="release")
    with time_machine.travel(start, tick=False):
        newsroom.add_story(ArticlePage, title="Fresh article", slug="fresh")
        newsroom.add_story(PhotoStoryPage, title="Gallery", slug="gallery")
        newsroom.add_story(NewsPage, parent=newsroom.index_de, title="Frisch", slug="frisch")
        newsroom.add_embargoed_release(title="Secret merger", slug="secret")

        entries = _news_entries(client)

    assert set(entries) == {
        "http://127.0.0.1:8000/en/stories/release/",
        "http://127.0.0.1:8000/en/stories/fresh/",
        "http://127.0.0.1:8000/de/stories/frisch/",
    }
    fresh = entries["http://127.0.0.1:8000/en/stories/fresh/"]
    assert fresh["title"] == "Fresh article"
    assert fresh["language"] == "en"
    assert fresh["name"]
    assert fresh["date"].startswith(timezone.localtime(start).strftime("%Y-%m-%d"))
    assert entries["http://127.0.0.1:8000/de/stories/frisch/"]["language"] == "de"

    with time_machine.travel(start + timedelta(days=2, hours=1), tick=False):
        later = _news_entries(client)
    assert set(later) == set()


def test_robots_txt_points_to_both_sitemaps(newsroom: Any, client: Client) -> None:
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert not response.cookies
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert "Allow: /" in lines
    for disallowed in (
        "/admin/",
        "/en/accounts/",
        "/de/accounts/",
        "/en/embargo/",
        "/de/embargo/",
        "/en/search/",
        "/de/search/",
    ):
        assert f"Disallow: {disallowed}" in lines
    assert "Sitemap: http://127.0.0.1:8000/sitemap.xml" in lines
    assert "Sitemap: http://127.0.0.1:8000/news-sitemap.xml" in lines


@pytest.mark.parametrize("url", ["/sitemap.xml", "/news-sitemap.xml", "/robots.txt"])
def test_machine_outputs_are_cacheable_and_answer_304(
    newsroom: Any, client: Client, django_assert_max_num_queries: Any, url: str
) -> None:
    first = client.get(url)
    assert first["Cache-Control"] == "public, max-age=300"
    assert not first.cookies

    with django_assert_max_num_queries(0):
        again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 304


def test_home_page_json_ld_counts_the_fans(newsroom, member, client) -> None:
    import extruct

    from gemeinsam.community.models import Fan

    Fan.objects.create(user=member)

    html = client.get("/en/").content.decode()

    data = extruct.extract(html, syntaxes=["json-ld"])["json-ld"]
    organization = next(item for item in data if item.get("@type") == "Organization")
    assert organization["interactionStatistic"]["userInteractionCount"] == 1
