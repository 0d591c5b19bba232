"""The newsroom in a real browser (Debian's Chromium): every page type, both languages,
checked by axe-core for accessibility, plus keyboard use and the two-click video consent."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page

from gemeinsam.demo.newsroom import seed_newsroom
from gemeinsam.newsroom.embargo import token_for_link
from gemeinsam.newsroom.models import (
    ArticlePage,
    Author,
    LegalPage,
    NewsPage,
    PhotoStoryPage,
    PressKitPage,
    PressReleasePage,
    VideoPage,
)
from gemeinsam.newsroom.services import create_embargo_link

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

BLOCKING = {"serious", "critical"}


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def demo(transactional_db: Any) -> Any:
    demo = seed_newsroom()
    assert demo is not None
    return demo


def story_urls(language: str) -> list[str]:
    urls = []
    for model in (ArticlePage, NewsPage, PhotoStoryPage, PressReleasePage, PressKitPage):
        story = model.objects.live().filter(locale__language_code=language).first()
        assert story is not None, model
        urls.append(story.url)
    videos = VideoPage.objects.live().filter(locale__language_code=language)
    urls += [video.url for video in videos]
    legal = LegalPage.objects.live().filter(locale__language_code=language).first()
    assert legal is not None
    urls += [legal.url, f"{urls[0]}print/"]
    return urls


def page_types(language: str) -> list[str]:
    author = Author.objects.first()
    assert author is not None
    return [
        f"/{language}/",
        f"/{language}/stories/" if language == "en" else f"/{language}/geschichten/",
        *story_urls(language),
        f"/{language}/authors/{author.slug}/",
        f"/{language}/tags/solar/",
        f"/{language}/media-library/",
        f"/{language}/search/?q=roof",
        f"/{language}/accounts/login/",
        f"/{language}/community/share-on-mastodon/?instance=social.example&text=Hi&back=/{language}/",
        f"/{language}/community/share-on-mastodon/?instance=not+a+server&text=Hi",
        f"/{language}/no-such-page/",
    ]


def serious_violations(tab: Page) -> list[str]:
    results = Axe().run(tab)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} "
        f"{[node['target'] for node in violation['nodes']][:3]}"
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING
    ]


@pytest.mark.parametrize("language", ["en", "de"])
def test_every_page_type_passes_axe(demo: Any, live_server: Any, page: Page, language: str) -> None:
    failures = {}
    for path in page_types(language):
        response = page.goto(live_server.url + path)
        assert response is not None
        assert response.status < 500, path
        assert page.locator("html").get_attribute("lang") in ("en", "de")
        found = serious_violations(page)
        if found:
            failures[path] = found
    assert not failures, failures


def test_embargo_preview_passes_axe_and_shows_the_banner(
    demo: Any, live_server: Any, page: Page, staff_user: Any
) -> None:
    release = PressReleasePage.objects.not_live().filter(locale__language_code="en").get()
    link = create_embargo_link(actor=staff_user, release=release, recipient="Rita Reporter")

    page.goto(f"{live_server.url}/en/embargo/{token_for_link(link)}/")

    assert "Embargoed until" in page.locator(".embargo-banner").inner_text()
    assert page.locator("h1").inner_text() == release.title
    assert not serious_violations(page)


def test_keyboard_user_reaches_the_content_first(demo: Any, live_server: Any, page: Page) -> None:
    page.goto(live_server.url + "/en/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


def test_external_video_loads_only_after_consent(demo: Any, live_server: Any, page: Page) -> None:
    external = (
        VideoPage.objects.live().filter(locale__language_code="en").exclude(external_url="").get()
    )
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))

    page.goto(live_server.url + external.url)

    assert page.locator("iframe").count() == 0
    assert all(url.startswith(live_server.url) for url in requests)
    page.get_by_role("button", name="Load the video").click()
    page.wait_for_load_state()
    assert page.locator("iframe").count() == 1
