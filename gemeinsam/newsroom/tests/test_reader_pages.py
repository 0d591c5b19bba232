"""Author, tag, media-library and legal pages, and the admin's way in through the one login."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image as PILImage

from gemeinsam.core.uploads import UploadRejectedError, strip_image_metadata
from gemeinsam.newsroom.models import ArticlePage, NewsPage
from gemeinsam.newsroom.tests.factories import AuthorFactory, ImageFactory

pytestmark = pytest.mark.django_db


def test_author_page_lists_their_stories(newsroom, client: Client) -> None:
    author = AuthorFactory(name="Lena Vogt", slug="lena-vogt", bio="Writes about roofs.")
    story = newsroom.add_story(ArticlePage, title="Roof report", publish=False)
    story.authors.add(author)
    story.save_revision().publish()
    newsroom.add_story(NewsPage, title="Someone else's news")

    html = client.get("/en/authors/lena-vogt/").content.decode()

    assert "Writes about roofs." in html
    assert "Roof report" in html
    assert "Someone else" not in html
    assert client.get("/en/authors/nobody/").status_code == 404


def test_tag_page_lists_tagged_stories(newsroom, client: Client) -> None:
    story = newsroom.add_story(ArticlePage, title="Tagged story", publish=False)
    story.tags.add("solar")
    story.save_revision().publish()

    assert "Tagged story" in client.get("/en/tags/solar/").content.decode()
    assert client.get("/en/tags/unknown-tag/").status_code == 404


def test_authors_and_tags_known_only_from_drafts_are_unknown(newsroom, client: Client) -> None:
    author = AuthorFactory(name="Nina Neu", slug="nina-neu")
    draft = newsroom.add_story(ArticlePage, title="Not yet", publish=False, authors=[author])
    draft.tags.add("upcoming-launch")
    draft.save()
    assert draft.tagged_items.filter(tag__slug="upcoming-launch").exists()

    for url in (
        "/en/authors/nina-neu/",
        "/en/feeds/author/nina-neu/rss/",
        "/en/tags/upcoming-launch/",
        "/en/feeds/tag/upcoming-launch/rss/",
    ):
        assert client.get(url).status_code == 404, url


def test_story_list_filters_by_type(newsroom, client: Client) -> None:
    newsroom.add_story(ArticlePage, title="An article")
    newsroom.add_story(NewsPage, title="A short news")

    html = client.get("/en/stories/", {"type": "news"}).content.decode()

    assert "A short news" in html
    assert "An article" not in html


def test_media_library_shows_credit_licence_download_and_embed_code(newsroom, client) -> None:
    ImageFactory(title="Field at dawn", credit="Ada Lens", licence="cc-by-sa-4.0")
    ImageFactory(title="Hidden one", is_listed=False)

    html = client.get("/en/media-library/").content.decode()

    assert "Field at dawn" in html
    assert "Ada Lens, CC BY-SA 4.0" in html
    assert "download" in html
    assert "&lt;iframe" in html
    assert "Hidden one" not in html


def test_every_page_links_the_legal_pages(newsroom, client: Client) -> None:
    newsroom.add_legal_pages()
    story = newsroom.add_story(ArticlePage, title="Any story")

    for url in ("/en/", story.url, "/en/search/", "/en/media-library/", "/en/accounts/login/"):
        html = client.get(url).content.decode()
        for title in ("Imprint", "Privacy policy", "Terms of use", "Contact"):
            assert f">{title}</a>" in html, (url, title)


def test_admin_login_leads_to_the_one_sign_in_page(client: Client) -> None:
    response = client.get("/admin/")

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_pages_carry_feed_autodiscovery_links(newsroom, client: Client) -> None:
    html = client.get("/en/").content.decode()

    assert 'type="application/rss+xml"' in html
    assert 'type="application/atom+xml"' in html
    assert 'type="application/feed+json"' in html


def jpeg_with_gps() -> bytes:
    image = PILImage.new("RGB", (40, 30), "green")
    exif = PILImage.Exif()
    exif[0x010F] = "SpyCam"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (52.0, 31.0, 0.0)  # latitude
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def test_uploaded_images_lose_their_metadata() -> None:
    upload = SimpleUploadedFile("holiday.jpg", jpeg_with_gps(), content_type="image/jpeg")
    assert PILImage.open(io.BytesIO(jpeg_with_gps())).getexif()

    cleaned = strip_image_metadata(upload)

    with PILImage.open(cleaned) as image:
        assert not image.getexif()
        assert image.format == "JPEG"


def test_a_file_that_only_claims_to_be_an_image_is_refused() -> None:
    upload = SimpleUploadedFile("evil.png", b"<html><script>alert(1)</script>", "image/png")

    with pytest.raises(UploadRejectedError, match="not an image"):
        strip_image_metadata(upload)


def test_archives_and_documents_are_not_served_from_media(client: Client, settings) -> None:
    for name in ("presskits/kit-1-abc.zip", "documents/fact-sheet.pdf"):
        path = settings.MEDIA_ROOT / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"secret")

        assert client.get(f"/media/{name}").status_code == 404


def test_media_refuses_paths_outside_the_media_folder(client: Client) -> None:
    assert client.get("/media/../config/settings.py").status_code == 404
    assert client.get("/media/%2e%2e/secret_key").status_code == 404


def test_media_serves_only_the_upload_folders(newsroom, client: Client, settings) -> None:
    story = newsroom.add_story(title="Out now", lead_image=ImageFactory())
    for name in ("secret_key", "db.sqlite3", "backups/site.png", "original_images.png"):
        path = settings.MEDIA_ROOT / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"secret")

        assert client.get(f"/media/{name}", follow=True).status_code == 404, name
    assert client.get(story.lead_image.file.url).status_code == 200
    for sneaky in (
        "/media/original_images/../secret_key",
        "/media/original_images/%2e%2e/secret_key",
        "/media/videos/..%2fsecret_key",
        f"/media/original_images//{story.lead_image.file.name.split('/')[-1]}",
    ):
        assert client.get(sneaky, follow=True).status_code == 404, sneaky


def test_a_file_in_an_upload_folder_that_no_record_claims_is_not_public(
    client: Client, staff_user, settings
) -> None:
    for name in ("videos/left-over.webm", "captions/left-over.vtt", "original_images/old.png"):
        path = settings.MEDIA_ROOT / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"old")

        assert client.get(f"/media/{name}").status_code == 404, name
    client.force_login(staff_user)
    assert client.get("/media/videos/left-over.webm").status_code == 200


def test_every_upload_folder_is_one_media_serves() -> None:
    """Each file field of the project stores below a folder that /media/ serves behind its
    guards, or below one that is served by its own view (documents, press-kit archives) or
    never (the admin's half-finished multiple uploads)."""
    from django.apps import apps
    from django.db.models import FileField

    from gemeinsam.core.media import served_folders

    not_from_media = ("documents/", "presskits/", "wagtail_uploads/")
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if not isinstance(field, FileField):
                continue
            name = field.generate_filename(model(), "upload.png")
            assert name.startswith(served_folders() + not_from_media), (model, field.name, name)


@pytest.mark.parametrize(
    "model_path", ["core.CustomImage", "core.Rendition", "newsroom.Video", "newsroom.VideoCaption"]
)
def test_the_media_guard_finds_files_by_an_indexed_column(model_path: str) -> None:
    """Each /media/ request looks its file up by name: a gallery of 48 thumbnails must cost
    48 index lookups, not 48 table scans."""
    from django.apps import apps
    from django.db import connection

    model = apps.get_model(model_path)
    column = model._meta.get_field("file").column
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    assert any(
        (found["index"] or found["unique"]) and found["columns"][:1] == [column]
        for found in constraints.values()
    ), f"no index on {model._meta.db_table}.{column}"
