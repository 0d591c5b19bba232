"""Embargo: a scheduled release is nowhere public before its lift time and everywhere after."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from gemeinsam.newsroom.embargo import token_for_link
from gemeinsam.newsroom.models import (
    EmbargoAccess,
    PressReleaseAttachment,
    PressReleasePage,
)
from gemeinsam.newsroom.services import (
    EmbargoLinkError,
    create_embargo_link,
    publish_due_content,
)
from gemeinsam.newsroom.tests.factories import (
    AuthorFactory,
    ImageFactory,
    PressContactFactory,
    make_document,
)

pytestmark = pytest.mark.django_db

SECRET_TITLE = "Secret merger of equals"
SECRET_TAG = "merger-of-equals"
SECRET_AUTHOR = "otto-offen"


@pytest.fixture
def embargoed(newsroom):
    """A release under embargo with a lead image, an attachment, a tag, an author and a press
    contact that nothing public uses, and its German translation, lifting 30 minutes later."""
    image = ImageFactory(title="Merger photo")
    release = newsroom.add_story(
        PressReleasePage,
        publish=False,
        title=SECRET_TITLE,
        lead_image=image,
        summary="Two cooperatives join forces.",
        contacts=[PressContactFactory(name="Mara Merger")],
        authors=[AuthorFactory(name="Otto Offen", slug=SECRET_AUTHOR)],
    )
    release.tags.add(SECRET_TAG)
    release.attachments.add(
        PressReleaseAttachment(document=make_document("Merger terms"), title="Merger terms")
    )
    release.go_live_at = timezone.now() + timedelta(hours=2)
    release.save_revision().publish()
    release.refresh_from_db()
    translation = release.copy_for_translation(newsroom.de).specific
    translation.title = "Geheime Fusion unter Gleichen"
    translation.go_live_at = release.go_live_at + timedelta(minutes=30)
    translation.save_revision().publish()
    return release


def public_outputs(client: Client, release: PressReleasePage) -> dict[str, str]:
    """Every public output a reader or machine could find the release in."""
    image_url = release.lead_image.get_rendition("width-1200").url
    urls = [
        "/en/",
        "/de/",
        "/en/stories/",
        "/en/stories/?type=press-release",
        f"/en/search/?q={SECRET_TITLE.split()[1]}",
        "/en/media-library/",
        release.url_path.replace("/newsroom/", "/en/", 1),
        image_url,
        release.lead_image.file.url,
    ]
    return {url: client.get(url).content.decode(errors="replace") for url in urls}


def test_release_and_its_image_are_hidden_before_the_lift(embargoed, client: Client) -> None:
    outputs = public_outputs(client, embargoed)

    for url, body in outputs.items():
        assert SECRET_TITLE not in body, url
        assert "Geheime Fusion" not in body, url
    image_url = embargoed.lead_image.get_rendition("width-1200").url
    assert client.get(image_url).status_code == 404
    assert client.get(embargoed.lead_image.file.url).status_code == 404
    assert "Merger photo" not in outputs["/en/media-library/"]


def test_every_language_lifts_together_on_time(embargoed, client: Client) -> None:
    lift = embargoed.go_live_at

    with time_machine.travel(lift + timedelta(seconds=5)):
        assert publish_due_content() == 2
        home = client.get("/en/").content.decode()
        home_de = client.get("/de/").content.decode()
        image = client.get(embargoed.lead_image.get_rendition("width-1200").url)

    assert SECRET_TITLE in home
    assert "Geheime Fusion unter Gleichen" in home_de
    assert image.status_code == 200
    assert publish_due_content() == 0  # idempotent


def test_cached_pages_show_the_release_right_after_the_lift(
    embargoed, client: Client, settings
) -> None:
    settings.PAGE_CACHE_SECONDS = 300
    assert SECRET_TITLE not in client.get("/en/").content.decode()
    assert client.get("/en/")["X-Page-Cache"] == "hit"

    with time_machine.travel(embargoed.go_live_at + timedelta(seconds=1)):
        publish_due_content()
        response = client.get("/en/")

    assert SECRET_TITLE in response.content.decode()


def test_journalist_reads_early_through_a_logged_link(
    embargoed, staff_user, client: Client
) -> None:
    link = create_embargo_link(actor=staff_user, release=embargoed, recipient="Rita Reporter")

    response = client.get(f"/en/embargo/{token_for_link(link)}/", HTTP_USER_AGENT="Newsdesk/1")

    html = response.content.decode()
    assert response.status_code == 200
    assert SECRET_TITLE in html
    assert "Embargoed until" in html
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]
    access = EmbargoAccess.objects.get()
    assert access.link == link
    assert access.user_agent == "Newsdesk/1"


def test_images_load_inside_the_embargo_preview(embargoed, staff_user, client: Client) -> None:
    link = create_embargo_link(actor=staff_user, release=embargoed, recipient="Rita")
    token = token_for_link(link)
    html = client.get(f"/en/embargo/{token}/").content.decode()
    rendition = embargoed.lead_image.get_rendition("width-1200")

    assert f"{rendition.url}?embargo={token}" in html
    assert client.get(f"{rendition.url}?embargo={token}").status_code == 200
    assert client.get(rendition.url).status_code == 404


def test_expired_or_forged_links_are_refused(embargoed, staff_user, client: Client) -> None:
    link = create_embargo_link(actor=staff_user, release=embargoed, recipient="Rita", valid_days=1)
    token = token_for_link(link)

    with time_machine.travel(timezone.now() + timedelta(days=2)):
        expired = client.get(f"/en/embargo/{token}/")
    forged = client.get(f"/en/embargo/{token[:-3]}abc/")

    assert expired.status_code == 410
    assert SECRET_TITLE not in expired.content.decode()
    assert forged.status_code == 404
    assert not EmbargoAccess.objects.exists()


def test_members_without_press_rights_cannot_make_links(embargoed, member) -> None:
    with pytest.raises(EmbargoLinkError):
        create_embargo_link(actor=member, release=embargoed, recipient="Rita")


def test_links_need_a_scheduled_release(newsroom, staff_user) -> None:
    live = newsroom.add_story(PressReleasePage, title="Already out")

    with pytest.raises(EmbargoLinkError, match="not under embargo"):
        create_embargo_link(actor=staff_user, release=live, recipient="Rita")


def test_a_fresh_upload_is_private_until_a_published_story_uses_it(newsroom, client) -> None:
    image = ImageFactory(title="Prepared in advance", is_listed=False)
    rendition = image.get_rendition("width-1200")

    assert client.get(image.file.url).status_code == 404
    assert client.get(rendition.url).status_code == 404
    assert "Prepared in advance" not in client.get("/en/media-library/").content.decode()

    newsroom.add_story(title="Now it is out", lead_image=image)

    assert client.get(image.file.url).status_code == 200
    assert client.get(rendition.url).status_code == 200
    assert "Prepared in advance" in client.get("/en/media-library/").content.decode()


def test_staff_see_private_images(newsroom, staff_user, client) -> None:
    image = ImageFactory(is_listed=False)
    client.force_login(staff_user)

    response = client.get(image.file.url)

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"  # no shared cache may keep it


def test_tags_and_authors_only_an_embargoed_translation_uses_are_unknown(embargoed, client) -> None:
    assert client.get(f"/de/tags/{SECRET_TAG}/").status_code == 404
    assert client.get(f"/de/feeds/tag/{SECRET_TAG}/json/").status_code == 404
    assert client.get(f"/de/authors/{SECRET_AUTHOR}/").status_code == 404
    assert client.get(f"/de/feeds/author/{SECRET_AUTHOR}/json/").status_code == 404
