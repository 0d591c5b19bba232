"""Embargo: a scheduled release is nowhere public before its lift time and everywhere after."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone
from django.utils.text import slugify
from wagtail.models import Collection, CollectionViewRestriction, PageViewRestriction

from gemeinsam.newsroom.embargo import token_for_link
from gemeinsam.newsroom.models import (
    EmbargoAccess,
    PressReleaseAttachment,
    PressReleasePage,
    Video,
    VideoCaption,
    VideoPage,
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
    committed,
    make_document,
    publish_committed,
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
    assert client.get("/en/")["X-Cache"] == "hit"

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


# ---------------------------------------------------------------- files, documents, listings


@pytest.fixture
def embargoed_video(newsroom, embargoed):
    """A video story with captions that goes live together with the release."""
    video = Video(title="Merger film", poster=ImageFactory(title="Merger poster"))
    video.file.save("merger-film.webm", ContentFile(b"\x1aE\xdf\xa3webm"), save=False)
    video.save()
    caption = VideoCaption(video=video, language="en", label="English")
    caption.file.save("merger-film-en.vtt", ContentFile(b"WEBVTT\n\n"), save=False)
    caption.save()
    story = newsroom.add_story(VideoPage, publish=False, title="Merger film story", video=video)
    story.go_live_at = embargoed.go_live_at
    story.save_revision().publish()
    return video


def file_outputs(release: PressReleasePage, video: Video) -> dict[str, str]:
    """Every address a file, document, card or listing of the embargoed content has."""
    image = release.lead_image
    document = release.attachments.get().document
    contact = release.contacts.get()
    story_url = release.url_path.replace("/newsroom/", "/en/", 1)
    return {
        "image file": image.file.url,
        "image rendition": image.get_rendition("width-1200").url,
        "image embed": f"/embed/image/{image.pk}/",
        "video file": video.file.url,
        "captions": video.captions.get().file.url,
        "poster": video.poster.file.url,
        "video embed": f"/embed/video/{video.pk}/",
        "document": document.url,
        "vCard": f"/en/contacts/{contact.pk}/vcard/",
        "tag page": f"/en/tags/{SECRET_TAG}/",
        "tag feed": f"/en/feeds/tag/{SECRET_TAG}/rss/",
        "author page": f"/en/authors/{SECRET_AUTHOR}/",
        "author feed": f"/en/feeds/author/{SECRET_AUTHOR}/atom/",
        "release": story_url,
        "print view": f"{story_url}print/",
    }


def test_no_file_document_card_or_listing_of_an_embargo_is_public(
    embargoed, embargoed_video, client: Client
) -> None:
    outputs = file_outputs(embargoed, embargoed_video)

    for name, url in outputs.items():
        assert client.get(url).status_code == 404, (name, url)
    library = client.get("/en/media-library/").content.decode()
    for title in ("Merger photo", "Merger film", "Merger poster"):
        assert title not in library
    # A hidden tag or author answers exactly like one that does not exist.
    assert client.get("/en/tags/no-such-tag/").status_code == 404
    assert client.get("/en/authors/no-such-author/").status_code == 404
    # Wagtail's previews of the draft send visitors to the sign-in page.
    for url in (
        f"/admin/pages/{embargoed.pk}/view_draft/",
        f"/admin/pages/{embargoed.pk}/edit/preview/",
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/accounts/login/" in response["Location"], url


def test_every_file_document_card_and_listing_appears_after_the_lift(
    embargoed, embargoed_video, client: Client
) -> None:
    outputs = file_outputs(embargoed, embargoed_video)

    with time_machine.travel(embargoed.go_live_at + timedelta(seconds=5)):
        assert publish_due_content() == 3  # the release, its translation, the video story
        statuses = {name: client.get(url).status_code for name, url in outputs.items()}
        library = client.get("/en/media-library/").content.decode()
        document = client.get(outputs["document"])

    assert statuses == dict.fromkeys(outputs, 200)
    for title in ("Merger photo", "Merger film", "Merger poster"):
        assert title in library
    assert document["Cache-Control"] == "public, max-age=300"


def test_the_preview_reaches_every_file_of_the_release_through_its_link(
    embargoed, staff_user, client: Client
) -> None:
    link = create_embargo_link(actor=staff_user, release=embargoed, recipient="Rita")
    token = token_for_link(link)
    html = client.get(f"/en/embargo/{token}/").content.decode()
    document = embargoed.attachments.get().document
    contact = embargoed.contacts.get()
    image = embargoed.lead_image

    for url in (document.url, f"/en/contacts/{contact.pk}/vcard/"):
        assert f'href="{url}?embargo={token}"' in html
        granted = client.get(f"{url}?embargo={token}")
        assert granted.status_code == 200, url
        assert granted["Cache-Control"] == "private, no-store", url
        assert client.get(url).status_code == 404, url
    original = client.get(f"{image.file.url}?embargo={token}")
    assert original.status_code == 200
    assert original["Cache-Control"] == "private, no-store"


def test_a_link_opens_only_the_files_of_its_own_release(
    newsroom, embargoed, staff_user, client: Client
) -> None:
    other = newsroom.add_embargoed_release(title="Another secret", lead_image=ImageFactory())
    token = token_for_link(create_embargo_link(actor=staff_user, release=other, recipient="R"))
    document = embargoed.attachments.get().document

    assert client.get(f"{document.url}?embargo={token}").status_code == 404
    assert client.get(f"{embargoed.lead_image.file.url}?embargo={token}").status_code == 404
    contact = embargoed.contacts.get()
    assert client.get(f"/en/contacts/{contact.pk}/vcard/?embargo={token}").status_code == 404


def test_a_link_opens_the_files_of_the_scheduled_version_not_of_a_later_draft(
    embargoed, staff_user, client: Client
) -> None:
    """A draft saved after the links went out changes neither what they show nor which
    files and cards they open: the scheduled version decides."""
    token = token_for_link(create_embargo_link(actor=staff_user, release=embargoed, recipient="R"))
    scheduled_image = embargoed.lead_image
    contact = embargoed.contacts.get()
    draft_only = ImageFactory(title="Only in the draft", is_listed=False)
    embargoed.lead_image = draft_only
    embargoed.contacts.set([])
    embargoed.save_revision()  # a draft; the scheduled revision stays as it was
    embargoed.save()  # the page row follows drafts while the release is not live

    assert client.get(f"{scheduled_image.file.url}?embargo={token}").status_code == 200
    assert client.get(f"/en/contacts/{contact.pk}/vcard/?embargo={token}").status_code == 200
    assert client.get(f"{draft_only.file.url}?embargo={token}").status_code == 404


def test_staff_get_hidden_files_but_no_shared_cache_keeps_them(
    embargoed, embargoed_video, staff_user, client: Client
) -> None:
    client.force_login(staff_user)

    for name, url in file_outputs(embargoed, embargoed_video).items():
        if name in {"image file", "image rendition", "video file", "captions", "document"}:
            response = client.get(url)
            assert response.status_code == 200, name
            assert response["Cache-Control"] == "private, no-store", name


def test_public_files_may_be_kept_by_shared_caches(newsroom, client: Client) -> None:
    story = newsroom.add_story(title="Out now", lead_image=ImageFactory())

    response = client.get(story.lead_image.file.url)

    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=300"


# ------------------------------------------------------------------------------ embargo link


def test_the_link_shows_the_scheduled_version_not_a_later_draft(
    embargoed, staff_user, client: Client
) -> None:
    link = create_embargo_link(actor=staff_user, release=embargoed, recipient="Rita")
    draft = embargoed.get_latest_revision_as_object()
    draft.title = "Internal note: figures not final"
    draft.save_revision()

    html = client.get(f"/en/embargo/{token_for_link(link)}/").content.decode()

    assert SECRET_TITLE in html
    assert "Internal note" not in html


def test_the_link_answers_gone_once_the_release_is_taken_off_the_schedule(
    embargoed, staff_user, client: Client
) -> None:
    link = create_embargo_link(actor=staff_user, release=embargoed, recipient="Rita")
    token = token_for_link(link)
    document = embargoed.attachments.get().document
    embargoed.revisions.update(approved_go_live_at=None)  # what "Cancel scheduled publish" does

    response = client.get(f"/en/embargo/{token}/")

    assert response.status_code == 410
    html = response.content.decode()
    assert "no longer scheduled" in html
    assert SECRET_TITLE not in html
    assert client.get(f"{document.url}?embargo={token}").status_code == 404
    assert client.get(f"{embargoed.lead_image.file.url}?embargo={token}").status_code == 404
    assert not EmbargoAccess.objects.exists()


# ---------------------------------------------------------------------- videos and restrictions


def make_video(*, title: str = "Clip", listed: bool | None = None) -> Video:
    video = Video(title=title, poster=ImageFactory(title=f"{title} poster", is_listed=False))
    if listed is not None:
        video.is_listed = listed
    video.file.save(f"{slugify(title)}.webm", ContentFile(b"\x1aE\xdf\xa3webm"), save=False)
    video.save()
    caption = VideoCaption(video=video, language="en", label="English")
    caption.file.save(f"{slugify(title)}-en.vtt", ContentFile(b"WEBVTT\n\n"), save=False)
    caption.save()
    return video


def test_a_new_video_is_private_until_a_published_story_uses_it(newsroom, client) -> None:
    video = make_video(title="Fresh clip")
    caption = video.captions.get()

    assert not video.is_listed
    assert client.get(video.file.url).status_code == 404
    assert client.get(caption.file.url).status_code == 404
    assert client.get(video.poster.file.url).status_code == 404
    assert "Fresh clip" not in client.get("/en/media-library/").content.decode()

    newsroom.add_story(VideoPage, title="Clip story", video=video)

    assert client.get(video.file.url).status_code == 200
    assert client.get(caption.file.url).status_code == 200
    assert client.get(video.poster.file.url).status_code == 200
    assert "Fresh clip" in client.get("/en/media-library/").content.decode()


def test_a_listed_video_stays_hidden_while_only_an_unpublished_story_uses_it(
    newsroom, client
) -> None:
    listed = make_video(title="Listed clip", listed=True)
    waiting = make_video(title="Waiting clip", listed=True)
    newsroom.add_story(VideoPage, publish=False, title="Draft clip story", video=waiting)

    library = client.get("/en/media-library/").content.decode()

    assert "Listed clip" in library
    assert client.get(listed.file.url).status_code == 200
    assert "Waiting clip" not in library
    assert client.get(waiting.file.url).status_code == 404
    assert client.get(waiting.captions.get().file.url).status_code == 404
    assert client.get(f"/embed/video/{waiting.pk}/").status_code == 404


def test_files_of_a_view_restricted_page_are_not_public(newsroom, client, settings) -> None:
    settings.PAGE_CACHE_SECONDS = 300
    image = ImageFactory(title="Members only photo", is_listed=False)
    story = newsroom.add_story(title="Members only", lead_image=image)
    document = make_document("Members only terms")
    story.body = [("paragraph", f'<p><a linktype="document" id="{document.pk}">terms</a></p>')]
    publish_committed(story)
    assert client.get(image.file.url).status_code == 200
    assert client.get(document.url).status_code == 200
    assert "Members only" in client.get(story.url).content.decode()

    with committed():
        PageViewRestriction.objects.create(
            page=story, restriction_type=PageViewRestriction.PASSWORD, password="s3cret"
        )

    assert client.get(image.file.url).status_code == 404
    assert client.get(document.url).status_code == 404
    assert "Members only photo" not in client.get("/en/media-library/").content.decode()
    assert "Members only" not in client.get("/en/").content.decode()
    assert "password" in client.get(story.url).content.decode().lower()


def test_files_of_a_restricted_page_reach_the_visitors_it_lets_in(newsroom, client, member) -> None:
    """Signed-in members see a members-only page, so they get its files too, privately;
    anonymous readers get 404 like for any file that is not public."""
    image = ImageFactory(title="Members only photo", is_listed=False)
    story = newsroom.add_story(title="Members only", lead_image=image)
    document = make_document("Members only terms")
    story.body = [("paragraph", f'<p><a linktype="document" id="{document.pk}">terms</a></p>')]
    story.save_revision().publish()
    PageViewRestriction.objects.create(page=story, restriction_type=PageViewRestriction.LOGIN)
    assert client.get(image.file.url).status_code == 404
    assert client.get(document.url).status_code == 404

    client.force_login(member)
    photo = client.get(image.file.url)
    terms = client.get(document.url)

    assert photo.status_code == 200
    assert "no-store" in photo["Cache-Control"]
    assert terms.status_code == 200
    assert "no-store" in terms["Cache-Control"]


def test_files_of_a_password_page_reach_only_those_who_entered_the_password(newsroom) -> None:
    """The password is kept in the visitor's session: their copy of the files is private,
    and a visitor without it, or a shared cache, gets nothing."""
    image = ImageFactory(title="Board photo", is_listed=False)
    story = newsroom.add_story(title="Board only", lead_image=image)
    restriction = PageViewRestriction.objects.create(
        page=story, restriction_type=PageViewRestriction.PASSWORD, password="s3cret"
    )
    insider, outsider = Client(), Client()
    insider.post(
        f"/en/_util/authenticate_with_password/{restriction.pk}/{story.pk}/",
        {"password": "s3cret", "return_url": story.url},
    )

    photo = insider.get(image.file.url)

    assert photo.status_code == 200
    assert photo["Cache-Control"] == "private, no-store"
    assert outsider.get(image.file.url).status_code == 404


def test_a_document_in_a_password_collection_asks_for_its_password(client) -> None:
    collection = Collection.get_first_root_node().add_child(name="Board papers")
    CollectionViewRestriction.objects.create(
        collection=collection,
        restriction_type=CollectionViewRestriction.PASSWORD,
        password="open-sesame-42",
    )
    document = make_document("Board minutes")
    document.collection = collection
    document.save()

    asked = client.get(document.url)

    assert asked.status_code == 200
    assert 'name="password"' in asked.content.decode()


def test_a_restriction_lifted_makes_the_files_public_again(newsroom, client) -> None:
    image = ImageFactory(is_listed=False)
    story = newsroom.add_story(title="Soon open", lead_image=image)
    restriction = PageViewRestriction.objects.create(
        page=story, restriction_type=PageViewRestriction.PASSWORD, password="s3cret"
    )
    assert client.get(image.file.url).status_code == 404

    with committed():
        restriction.delete()

    assert client.get(image.file.url).status_code == 200


def test_tags_and_authors_only_an_embargoed_translation_uses_are_unknown(embargoed, client) -> None:
    assert client.get(f"/de/tags/{SECRET_TAG}/").status_code == 404
    assert client.get(f"/de/feeds/tag/{SECRET_TAG}/json/").status_code == 404
    assert client.get(f"/de/authors/{SECRET_AUTHOR}/").status_code == 404
    assert client.get(f"/de/feeds/author/{SECRET_AUTHOR}/json/").status_code == 404
