"""Story pages render for readers, in both languages, with a print view and no cookies."""

from __future__ import annotations

import pytest
from django.test import Client

from gemeinsam.newsroom.models import ArticlePage, NewsPage, PressReleasePage
from gemeinsam.newsroom.tests.factories import ImageFactory, PressContactFactory

pytestmark = pytest.mark.django_db


def test_story_page_shows_title_body_and_credit(newsroom, client: Client) -> None:
    image = ImageFactory(credit="Ada Lens")
    story = newsroom.add_story(ArticlePage, title="Solar roof opens", lead_image=image)

    response = client.get(story.url)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Solar roof opens" in html
    assert "The body of the story." in html
    assert "Ada Lens, CC BY 4.0" in html


def test_home_page_lists_latest_stories(newsroom, client: Client) -> None:
    newsroom.add_story(NewsPage, title="Quarterly figures out")

    response = client.get("/en/")

    assert response.status_code == 200
    assert "Quarterly figures out" in response.content.decode()


def test_public_reading_pages_set_no_cookies(newsroom, client: Client) -> None:
    story = newsroom.add_story(ArticlePage, title="No cookies here")
    for url in ("/en/", story.url, "/en/search/?q=cookies", "/en/media-library/", "/de/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert not response.cookies, f"{url} set {list(response.cookies)}"


def test_print_view_has_no_navigation_and_prints_the_url(newsroom, client: Client) -> None:
    story = newsroom.add_story(ArticlePage, title="Printable")

    response = client.get(story.url + "print/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "<nav" not in html
    assert story.full_url in html


def test_press_release_shows_its_contacts(newsroom, client: Client) -> None:
    contact = PressContactFactory(name="Pia Presse")
    release = newsroom.add_story(PressReleasePage, title="Merger", publish=False)
    release.contacts.add(contact)
    release.save_revision().publish()

    html = client.get(release.url).content.decode()

    assert "Pia Presse" in html


def test_search_finds_a_story_by_a_word_of_its_body(newsroom, client: Client) -> None:
    newsroom.add_story(
        ArticlePage,
        title="Annual report",
        body=[("paragraph", "<p>Our photovoltaic harvest doubled.</p>")],
    )
    newsroom.add_story(ArticlePage, title="Unrelated")

    html = client.get("/en/search/", {"q": "photovoltaic"}).content.decode()

    assert "Annual report" in html
    assert "Unrelated" not in html


def test_overlong_search_gets_a_clear_message(newsroom, client: Client) -> None:
    response = client.get("/en/search/", {"q": "x" * 500})

    assert response.status_code == 200
    assert "at most 200 characters" in response.content.decode()


def test_german_translation_is_served_under_de(newsroom, client: Client) -> None:
    response = client.get("/de/")

    assert response.status_code == 200
    assert 'lang="de"' in response.content.decode()


def test_external_video_needs_a_click_and_then_allows_only_its_player(newsroom, client) -> None:
    from gemeinsam.newsroom.models import VideoPage

    video = newsroom.add_story(
        VideoPage, title="Talk", external_url="https://www.youtube.com/watch?v=abc123"
    )

    before = client.get(video.url)
    after = client.get(video.url, {"load-external": "1"})

    assert "<iframe" not in before.content.decode()
    assert "youtube" not in before["Content-Security-Policy"]
    assert 'src="https://www.youtube-nocookie.com/embed/abc123"' in after.content.decode()
    assert "https://www.youtube-nocookie.com" in after["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("url", "player"),
    [
        ("https://youtu.be/xyz", "https://www.youtube-nocookie.com/embed/xyz"),
        ("https://vimeo.com/76979871", "https://player.vimeo.com/video/76979871?dnt=1"),
        ("https://video.example.org/v/1", "https://video.example.org/v/1"),
    ],
)
def test_external_player_addresses(url: str, player: str) -> None:
    from gemeinsam.newsroom.models import external_player_url

    assert external_player_url(url) == player
