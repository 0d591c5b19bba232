"""Press material: contact vCards that address books read, and press kits as one ZIP."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
import vobject
from django.core.files.storage import default_storage
from django.test import Client
from wagtail.models import PageViewRestriction

from gemeinsam.newsroom.models import (
    PressContact,
    PressKitDocument,
    PressKitPage,
    PressReleasePage,
)
from gemeinsam.newsroom.press import (
    archive_name,
    build_press_kit_archive,
    contact_vcard_text,
    kit_files,
    vcard_fold,
)
from gemeinsam.newsroom.tests.factories import ImageFactory, PressContactFactory, make_document

pytestmark = pytest.mark.django_db


# ------------------------------------------------------------------------------------ vCard


def vcard_url(pk: int) -> str:
    return f"/en/contacts/{pk}/vcard/"


def published(newsroom: Any, contact: PressContact) -> PressContact:
    """The contact, named by a published release: only those have a public card."""
    newsroom.add_story(PressReleasePage, title=f"News from {contact.name}", contacts=[contact])
    return contact


def test_vcard_downloads_as_a_file_named_after_the_contact(newsroom: Any, client: Client) -> None:
    contact = published(newsroom, PressContactFactory(name="Pia Presse"))

    response = client.get(vcard_url(contact.pk))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/vcard; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="pia-presse.vcf"'
    text = response.content.decode("utf-8")
    assert text.startswith("BEGIN:VCARD\r\nVERSION:3.0\r\n")
    assert text.endswith("END:VCARD\r\n")


def test_vcard_parses_and_carries_every_field(newsroom: Any, client: Client) -> None:
    contact = published(
        newsroom,
        PressContactFactory(
            name="Pia Presse",
            role="Head of press",
            organisation="Example AG",
            email="pia@example.org",
            phone="+49 30 1234567",
            mobile="+49 170 7654321",
            languages="German, English",
        ),
    )

    card = vobject.readOne(client.get(vcard_url(contact.pk)).content.decode("utf-8"))

    assert card.fn.value == "Pia Presse"
    assert card.n.value.family == "Presse"
    assert card.n.value.given == "Pia"
    assert card.org.value == ["Example AG"]
    assert card.title.value == "Head of press"
    assert card.email.value == "pia@example.org"
    phones = {tel.value: tel.params["TYPE"] for tel in card.contents["tel"]}
    assert "WORK" in phones["+49 30 1234567"][0]
    assert "CELL" in phones["+49 170 7654321"][0]
    assert [line.value for line in card.contents["lang"]] == ["de", "en"]
    assert "German, English" in card.note.value


def test_vcard_round_trips_special_characters(newsroom: Any, client: Client) -> None:
    contact = published(
        newsroom,
        PressContactFactory(
            name="Zoë Müller-Lüdenscheidt",
            role="Speaker; media, events\\press\nand more",
            organisation="Gemeinsam e.V., Berlin; Büro Süd",
            languages="Deutsch",
            mobile="",
        ),
    )

    text = client.get(vcard_url(contact.pk)).content.decode("utf-8")
    card = vobject.readOne(text)

    assert card.fn.value == "Zoë Müller-Lüdenscheidt"
    assert card.title.value == "Speaker; media, events\\press\nand more"
    assert "".join(card.org.value) == "Gemeinsam e.V., Berlin; Büro Süd"
    assert card.lang.value == "de"
    assert "TITLE:Speaker\\; media\\, events\\\\press\\nand more" in text


def test_vcard_lines_are_folded_at_75_octets(newsroom: Any, client: Client) -> None:
    long_role = (
        "Sprecherin für Nachhaltigkeit, Energiewende, Öffentlichkeitsarbeit und "
        "Bürgerbeteiligung in Leipzig-Lindenau"
    )
    contact = published(
        newsroom, PressContactFactory(name="Ülrike Äbelmann", role=long_role.strip())
    )

    raw = client.get(vcard_url(contact.pk)).content

    for line in raw.split(b"\r\n"):
        assert len(line) <= 75
        line.decode("utf-8")  # no character was cut in half
    card = vobject.readOne(raw.decode("utf-8"))
    assert card.title.value == long_role.strip()


def test_folding_never_splits_a_multi_octet_character() -> None:
    folded = vcard_fold("NOTE:" + "ä" * 100)

    lines = folded.split("\r\n")
    assert all(len(line.encode("utf-8")) <= 75 for line in lines)
    assert all(line.startswith(" ") for line in lines[1:])
    assert "".join(line.removeprefix(" ") for line in lines) == "NOTE:" + "ä" * 100


def test_vcard_leaves_out_empty_fields(db: Any) -> None:
    contact = PressContact.objects.create(name="Solo")

    text = contact_vcard_text(contact)

    assert "N:Solo;;;;" in text
    for absent in ("ORG:", "TITLE:", "EMAIL", "TEL", "LANG", "NOTE"):
        assert absent not in text


def test_vcard_of_an_unknown_contact_is_404(client: Client) -> None:
    assert client.get(vcard_url(999_999)).status_code == 404


def test_vcard_of_a_contact_only_a_draft_names_is_404_except_for_staff(
    newsroom: Any, client: Client, staff_user: Any
) -> None:
    contact = PressContactFactory(name="Dora Draft", mobile="+49 170 1111111")
    newsroom.add_story(PressReleasePage, publish=False, title="Draft", contacts=[contact])
    unused = PressContactFactory(name="Nobody Yet")

    assert client.get(vcard_url(contact.pk)).status_code == 404
    assert client.get(vcard_url(unused.pk)).status_code == 404
    client.force_login(staff_user)
    response = client.get(vcard_url(contact.pk))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_vcard_of_a_contact_of_a_published_release_may_be_cached(
    newsroom: Any, client: Client
) -> None:
    contact = published(newsroom, PressContactFactory())

    assert client.get(vcard_url(contact.pk))["Cache-Control"] == "public, max-age=300"


def test_vcard_refuses_post(newsroom: Any, client: Client) -> None:
    contact = published(newsroom, PressContactFactory())

    assert client.post(vcard_url(contact.pk)).status_code == 405


# ---------------------------------------------------------------------------- press-kit ZIP


def zip_url(pk: int) -> str:
    return f"/en/press-kits/{pk}/download/"


@pytest.fixture
def kit(newsroom: Any) -> PressKitPage:
    page = newsroom.add_story(PressKitPage, title="Solar kit", slug="solar-kit", publish=False)
    for title in ("Roof from above", "Roof from above", "Team"):
        page.kit_images.create(image=ImageFactory(title=title))
    page.kit_documents.create(document=make_document("Fact sheet", b"%PDF-1.4\n% facts\n"))
    page.kit_documents.create(document=make_document("Price list", b"%PDF-1.4\n% prices\n"))
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def download(client: Client, url: str) -> tuple[Any, bytes]:
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if response.streaming:
        # Closes the archive file. (Closing any response also fires request_finished, which
        # closes a PostgreSQL connection held in the test's transaction and drops its
        # on-commit callbacks, so plain responses are left open.)
        response.close()
    return response, body


def test_first_request_builds_the_zip_and_the_next_one_serves_it(
    kit: PressKitPage, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first, body = download(client, zip_url(kit.pk))

    assert first.status_code == 202
    html = body.decode()
    assert '<meta http-equiv="refresh" content="5">' in html
    assert f'href="{zip_url(kit.pk)}"' in html
    assert "being prepared" in html
    assert len(callbacks) == 1

    second, archive_bytes = download(client, zip_url(kit.pk))

    assert second.status_code == 200
    assert second["Content-Type"] == "application/zip"
    assert second["Content-Disposition"] == 'attachment; filename="solar-kit.zip"'
    with zipfile.ZipFile(io.BytesIO(archive_bytes)) as archive:
        names = archive.namelist()
        assert archive.testzip() is None
        assert archive.read("documents/fact-sheet.pdf") == b"%PDF-1.4\n% facts\n"
        readme = archive.read("README.txt").decode()
    # README.txt (credits and licences) and exactly the kit's files, nothing else.
    assert sorted(names) == sorted(
        [
            "README.txt",
            "images/roof-from-above.png",
            "images/roof-from-above-2.png",
            "images/team.png",
            "documents/fact-sheet.pdf",
            "documents/price-list.pdf",
        ]
    )
    assert "Jane Photographer, CC BY 4.0" in readme


def test_zip_holds_the_original_image_files(kit: PressKitPage) -> None:
    name = build_press_kit_archive(page_id=kit.pk)

    assert name is not None
    assert name.startswith("presskits/kit-")
    with default_storage.open(name, "rb") as stored, zipfile.ZipFile(stored) as archive:
        for item in kit.kit_images.all():
            kit_file = next(f for f in kit_files(kit) if f.object_id == item.image.pk)
            with item.image.file.open("rb") as original:
                assert archive.read(kit_file.archive_name) == original.read()


def test_a_file_missing_from_storage_is_left_out(kit: PressKitPage) -> None:
    document = kit.kit_documents.get(document__title="Price list").document
    document.file.storage.delete(document.file.name)

    name = build_press_kit_archive(page_id=kit.pk)

    assert name is not None
    with default_storage.open(name, "rb") as stored, zipfile.ZipFile(stored) as archive:
        assert "documents/price-list.pdf" not in archive.namelist()
        assert "documents/fact-sheet.pdf" in archive.namelist()
        assert "price-list" not in archive.read("README.txt").decode()


def test_a_pending_build_is_enqueued_only_once(
    kit: PressKitPage, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert client.get(zip_url(kit.pk)).status_code == 202
        assert client.get(zip_url(kit.pk)).status_code == 202

    assert len(callbacks) == 1


def test_a_changed_kit_gets_a_new_archive_and_the_old_one_is_gone(
    kit: PressKitPage, django_capture_on_commit_callbacks: Any
) -> None:
    old = build_press_kit_archive(page_id=kit.pk)
    kit = PressKitPage.objects.get(pk=kit.pk)
    kit.kit_documents.add(PressKitDocument(document=make_document("Annual report")))
    kit.save_revision().publish()
    kit = PressKitPage.objects.get(pk=kit.pk)

    assert archive_name(kit, kit_files(kit)) != old
    new = build_press_kit_archive(page_id=kit.pk)

    assert new != old
    assert default_storage.exists(new)
    assert not default_storage.exists(old)
    with default_storage.open(new, "rb") as stored, zipfile.ZipFile(stored) as archive:
        assert "documents/annual-report.pdf" in archive.namelist()


def test_a_stale_archive_is_not_served(
    kit: PressKitPage, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    build_press_kit_archive(page_id=kit.pk)
    edited = PressKitPage.objects.get(pk=kit.pk)
    edited.kit_images = list(edited.kit_images.all())[1:]  # an editor removes one image
    edited.save_revision().publish()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.get(zip_url(kit.pk))

    assert response.status_code == 202
    assert len(callbacks) == 1


def test_a_kit_that_is_not_live_is_404(newsroom: Any, client: Client) -> None:
    draft = newsroom.add_story(PressKitPage, title="Draft kit", publish=False)

    assert client.get(zip_url(draft.pk)).status_code == 404
    assert build_press_kit_archive(page_id=draft.pk) is None


def test_an_unpublished_kit_is_404(kit: PressKitPage, client: Client) -> None:
    kit.unpublish()

    assert client.get(zip_url(kit.pk)).status_code == 404


def test_a_restricted_kit_is_404(kit: PressKitPage, client: Client) -> None:
    PageViewRestriction.objects.create(page=kit, restriction_type="login")

    assert client.get(zip_url(kit.pk)).status_code == 404


def test_other_pages_and_unknown_ids_are_404(newsroom: Any, client: Client) -> None:
    assert client.get(zip_url(newsroom.index.pk)).status_code == 404
    assert client.get(zip_url(999_999)).status_code == 404
