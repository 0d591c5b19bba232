"""oEmbed 1.0 answers for stories, images and videos; frameable embeds with credit; refusals."""

from __future__ import annotations

import html as html_lib
import io
import re
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.test import Client
from lxml import html as lxml_html

from gemeinsam.newsroom.models import ArticlePage, Video, VideoPage
from gemeinsam.newsroom.tests.factories import AuthorFactory, ImageFactory, png_bytes

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8000"

# oEmbed 1.0, section 2.3.4: fields every response has, and those each type requires.
REQUIRED = {"version", "type"}
REQUIRED_BY_TYPE = {
    "photo": {"url", "width", "height"},
    "video": {"html", "width", "height"},
    "rich": {"html", "width", "height"},
}


def _oembed(client: Client, url: str, **params: str) -> Any:
    return client.get("/oembed/?" + urlencode({"url": url, **params}))


def _assert_valid_oembed(data: dict[str, Any], kind: str) -> None:
    assert REQUIRED | REQUIRED_BY_TYPE[kind] <= set(data)
    assert data["version"] == "1.0"
    assert data["type"] == kind
    assert data["provider_name"] == settings.SITE_NAME
    assert data["provider_url"].startswith("http")
    assert data["title"]
    assert data["author_name"]
    assert isinstance(data["width"], int)
    assert isinstance(data["height"], int)
    thumbnail = {"thumbnail_url", "thumbnail_width", "thumbnail_height"} & set(data)
    assert thumbnail in (set(), {"thumbnail_url", "thumbnail_width", "thumbnail_height"})
    assert data["license"]
    assert data["credit"]


def _video(*, listed: bool = True, credit: str = "Cam Era") -> Video:
    video = Video(
        title="Roof in motion",
        poster=ImageFactory(),
        credit=credit,
        licence="cc-by-sa-4.0",
        is_listed=listed,
    )
    video.file.save("roof.mp4", ContentFile(b"\x00\x00\x00\x18ftypmp42"), save=False)
    video.save()
    return video


@pytest.fixture
def story(newsroom: Any) -> ArticlePage:
    author = AuthorFactory(name="Bea Schreiber", slug="bea")
    image = ImageFactory(credit="Ada Lens", licence="cc-by-4.0")
    page = newsroom.add_story(
        ArticlePage, title="Solar roof opens", lead_image=image, publish=False
    )
    page.authors.add(author)
    page.save_revision().publish()
    return page


@pytest.fixture
def big_image() -> Any:
    return ImageFactory(
        credit="Ada Lens",
        licence="cc-by-4.0",
        file=ImageFile(io.BytesIO(png_bytes(1600, 900)), name="big.png"),
    )


# ------------------------------------------------------------------------------ answers


def test_story_url_gets_a_rich_answer(story: ArticlePage, client: Client) -> None:
    response = _oembed(client, SITE + story.url)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert not response.cookies
    data = response.json()
    _assert_valid_oembed(data, "rich")
    assert data["title"] == "Solar roof opens"
    assert data["author_name"] == "Bea Schreiber"
    assert (data["width"], data["height"]) == (640, 480)
    assert f'src="{SITE}/embed/story/{story.pk}/"' in data["html"]
    assert "<figcaption>" in data["html"]
    assert "Ada Lens" in data["html"]
    assert "CC BY 4.0" in data["html"]
    assert data["thumbnail_url"].startswith("http")


def test_the_sites_own_host_and_the_embed_address_resolve_too(
    story: ArticlePage, client: Client
) -> None:
    for url in (story.full_url, f"{SITE}/embed/story/{story.pk}/", SITE + story.url + "print/"):
        response = _oembed(client, url)
        assert response.status_code == 200, url
        assert response.json()["type"] == "rich"


def test_a_german_story_resolves_under_de(newsroom: Any, client: Client) -> None:
    german = newsroom.add_story(
        ArticlePage, parent=newsroom.index_de, title="Solardach", slug="solardach"
    )

    data = _oembed(client, f"{SITE}/de/stories/solardach/").json()

    assert data["title"] == "Solardach"
    assert f"/embed/story/{german.pk}/" in data["html"]


def test_image_embed_url_gets_a_photo_within_maxwidth_and_maxheight(
    big_image: Any, client: Client
) -> None:
    url = f"{SITE}/embed/image/{big_image.pk}/"

    plain = _oembed(client, url).json()
    bounded = _oembed(client, url, maxwidth="500", maxheight="400").json()

    _assert_valid_oembed(plain, "photo")
    _assert_valid_oembed(bounded, "photo")
    assert (plain["width"], plain["height"]) == (1200, 675)
    assert bounded["width"] <= 500
    assert bounded["height"] <= 400
    assert bounded["url"].startswith("http")
    assert bounded["url"] != plain["url"]
    assert bounded["credit"] == "Ada Lens, CC BY 4.0"
    assert bounded["license_url"] == "https://creativecommons.org/licenses/by/4.0/"


def test_the_media_file_of_a_library_image_resolves(big_image: Any, client: Client) -> None:
    data = _oembed(client, SITE + big_image.file.url).json()

    _assert_valid_oembed(data, "photo")
    assert data["title"] == big_image.title


def test_video_embed_url_gets_a_video_answer(newsroom: Any, client: Client) -> None:
    video = _video()

    response = _oembed(client, f"{SITE}/embed/video/{video.pk}/", maxwidth="320")

    data = response.json()
    _assert_valid_oembed(data, "video")
    assert data["width"] == 320
    assert f'src="{SITE}/embed/video/{video.pk}/"' in data["html"]
    assert "Cam Era" in data["html"]
    assert data["license"] == "CC BY-SA 4.0"
    assert data["thumbnail_width"] <= 320


@pytest.mark.parametrize("kind", ["rich", "photo", "video"])
def test_every_type_has_the_required_fields(
    story: ArticlePage, big_image: Any, client: Client, kind: str
) -> None:
    url = {
        "rich": SITE + story.url,
        "photo": f"{SITE}/embed/image/{big_image.pk}/",
        "video": f"{SITE}/embed/video/{_video().pk}/",
    }[kind]

    _assert_valid_oembed(_oembed(client, url).json(), kind)


def test_story_pages_announce_their_oembed_answer(story: ArticlePage, client: Client) -> None:
    document = lxml_html.fromstring(client.get(story.url).content)

    [link] = document.xpath('//head/link[@rel="alternate"][@type="application/json+oembed"]')
    address = urlsplit(link.get("href"))
    response = client.get(f"{address.path}?{address.query}")

    assert response.status_code == 200
    assert response.json()["title"] == "Solar roof opens"


# ----------------------------------------------------------------------------- refusals


@pytest.mark.parametrize("fmt", ["xml", "yaml"])
def test_formats_other_than_json_are_not_implemented(
    story: ArticlePage, client: Client, fmt: str
) -> None:
    assert _oembed(client, SITE + story.url, format=fmt).status_code == 501


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"url": ""},
        {"url": "ftp://127.0.0.1/en/"},
        {"url": "not an address"},
        {"url": "http://[::1/en/"},
        {"url": SITE + "/" + "a" * 2100},
        {"url": SITE + "/en/", "maxwidth": "wide"},
        {"url": SITE + "/en/", "maxwidth": "0"},
        {"url": SITE + "/en/", "maxheight": "-5"},
        {"url": SITE + "/en/", "maxheight": "99999999999999999999999"},
    ],
)
def test_malformed_requests_get_400_with_a_message(
    newsroom: Any, client: Client, params: dict[str, str]
) -> None:
    response = client.get("/oembed/", params)

    assert response.status_code == 400
    assert response.json()["error"]


@pytest.mark.parametrize(
    "url",
    [
        SITE + "/en/stories/no-such-story/",
        SITE + "/en/",
        SITE + "/en/authors/bea/",
        SITE + "/nowhere/",
        SITE + "/embed/story/999999/",
        SITE + "/embed/story/99999999999999999999999/",
        SITE + "/embed/image/999999/",
        "https://elsewhere.example/en/stories/solar-roof-opens/",
    ],
)
def test_unknown_or_foreign_addresses_get_404(story: ArticlePage, client: Client, url: str) -> None:
    response = _oembed(client, url)

    assert response.status_code == 404
    assert response.json()["error"]


def test_embargoed_release_and_its_image_get_404(newsroom: Any, client: Client) -> None:
    image = ImageFactory()
    release = newsroom.add_embargoed_release(title="Secret merger", slug="secret", lead_image=image)

    assert _oembed(client, f"{SITE}/en/stories/secret/").status_code == 404
    assert _oembed(client, f"{SITE}/embed/story/{release.pk}/").status_code == 404
    assert _oembed(client, f"{SITE}/embed/image/{image.pk}/").status_code == 404
    assert _oembed(client, SITE + image.file.url).status_code == 404
    assert client.get(f"/embed/story/{release.pk}/").status_code == 404
    assert client.get(f"/embed/image/{image.pk}/").status_code == 404


def test_drafts_and_unused_unlisted_videos_are_not_embeddable(
    newsroom: Any, client: Client
) -> None:
    draft = newsroom.add_story(ArticlePage, title="Draft", slug="draft", publish=False)
    hidden = _video(listed=False)

    assert client.get(f"/embed/story/{draft.pk}/").status_code == 404
    assert client.get(f"/embed/video/{hidden.pk}/").status_code == 404
    assert _oembed(client, f"{SITE}/embed/video/{hidden.pk}/").status_code == 404

    newsroom.add_story(VideoPage, title="Watch", slug="watch", video=hidden)
    assert client.get(f"/embed/video/{hidden.pk}/").status_code == 200


def test_embed_pages_answer_404_for_huge_ids(newsroom: Any, client: Client) -> None:
    for kind in ("story", "image", "video"):
        assert client.get(f"/embed/{kind}/99999999999999999999999/").status_code == 404


# ------------------------------------------------------------------------- embed pages


def _assert_frameable(response: Any) -> None:
    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    policy = response["Content-Security-Policy"]
    assert re.search(r"frame-ancestors \*(;|$)", policy), policy
    assert not response.cookies


def test_story_embed_is_frameable_and_credits_its_image(story: ArticlePage, client: Client) -> None:
    response = client.get(f"/embed/story/{story.pk}/")

    _assert_frameable(response)
    html = response.content.decode()
    assert "<nav" not in html
    assert "Solar roof opens" in html
    assert "Ada Lens" in html
    assert 'href="https://creativecommons.org/licenses/by/4.0/"' in html
    assert f'href="{SITE}{story.url}"' in html


def test_image_embed_is_frameable_with_credit_licence_and_link_back(
    big_image: Any, client: Client
) -> None:
    response = client.get(f"/embed/image/{big_image.pk}/")

    _assert_frameable(response)
    html = response.content.decode()
    assert "<nav" not in html
    assert "Ada Lens" in html
    assert "CC BY 4.0" in html
    assert f'href="{SITE}/en/media-library/"' in html


def test_video_embed_is_frameable_with_credit_and_licence(newsroom: Any, client: Client) -> None:
    video = _video()

    response = client.get(f"/embed/video/{video.pk}/")

    _assert_frameable(response)
    html = response.content.decode()
    assert "<video" in html
    assert video.file.url in html
    assert "Cam Era" in html
    assert 'href="https://creativecommons.org/licenses/by-sa/4.0/"' in html


def test_ordinary_pages_stay_unframeable(story: ArticlePage, client: Client) -> None:
    response = client.get(story.url)

    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]


def test_media_library_embed_code_carries_credit_and_licence(newsroom: Any, client: Client) -> None:
    image = ImageFactory(title='Roof <b>"top"</b>', credit="Ada Lens", licence="cc-by-4.0")
    video = _video()

    document = lxml_html.fromstring(client.get("/en/media-library/").content)

    image_code = document.get_element_by_id(f"embed-image-{image.pk}").text_content()
    video_code = document.get_element_by_id(f"embed-video-{video.pk}").text_content()
    snippet = lxml_html.fragment_fromstring(image_code)
    assert snippet.tag == "figure"
    [frame] = snippet.xpath("iframe")
    assert frame.get("src") == f"{SITE}/embed/image/{image.pk}/"
    [caption] = snippet.xpath("figcaption")
    caption_text = caption.text_content()
    assert 'Roof <b>"top"</b>' in caption_text  # the title stays text, never markup
    assert "Ada Lens" in caption_text
    assert "CC BY 4.0" in caption_text
    assert caption.xpath('a[@rel="license"]/@href') == [
        "https://creativecommons.org/licenses/by/4.0/"
    ]
    assert f"{SITE}/embed/video/{video.pk}/" in video_code
    assert "Cam Era" in html_lib.unescape(video_code)
    assert "CC BY-SA 4.0" in video_code
