"""/media/ asks the one app that owns a folder, in a few queries however many files there
are, reads through the storage API, and can hand public files to nginx."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from gemeinsam.core.media import media_owner, register_media_owner, served_folders
from gemeinsam.newsroom.tests.factories import ImageFactory

pytestmark = pytest.mark.django_db


def _queries_for_one_file(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("warm", [False, True], ids=["first request", "later requests"])
def test_the_media_check_costs_the_same_for_one_image_as_for_a_gallery(
    newsroom: Any, warm: bool
) -> None:
    counts = []
    for amount in (1, 48):
        images = [ImageFactory(title=f"Listed {amount}-{n}", is_listed=True) for n in range(amount)]
        newsroom.add_story(title=f"Gallery of {amount}", lead_image=images[0])
        cache.clear()
        client = Client()
        if warm:
            client.get(images[-1].file.url)  # what is public is worked out once per publish
        counts.append(_queries_for_one_file(client, images[0].file.url))
    assert counts[0] == counts[1], counts
    assert counts[1] <= (2 if warm else 12), counts


def test_each_folder_has_one_owner_and_unowned_folders_are_never_served(
    newsroom: Any, staff_user: Any
) -> None:
    assert {"original_images/", "images/", "videos/", "captions/", "avatars/"} <= set(
        served_folders()
    )
    assert media_owner("pending_uploads/x.upload") is None
    with pytest.raises(ValueError, match="already has an owner"):
        register_media_owner("videos/", lambda request, path: True)
    with pytest.raises(ValueError, match="one name"):
        register_media_owner("videos/deep/", lambda request, path: True)
    for name in ("pending_uploads/raw.upload", "presskits/kit.zip"):
        default_storage.save(name, ContentFile(b"\xff\xd8 not for the public"))
        staff = Client()
        staff.force_login(staff_user)
        for client in (Client(), staff):
            assert client.get(f"/media/{name}").status_code == 404, name


@pytest.mark.parametrize(
    "path",
    ["original_images/../presskits/kit.zip", "original_images//x.png", "original_images/./x.png"],
)
def test_odd_spellings_of_a_path_are_not_served(newsroom: Any, path: str) -> None:
    default_storage.save("presskits/kit.zip", ContentFile(b"PK archive"))
    assert Client().get(f"/media/{path}").status_code == 404


def test_public_files_can_be_handed_to_nginx(newsroom: Any, settings: Any, staff_user: Any) -> None:
    settings.MEDIA_ACCEL_REDIRECT = "/protected-media/"
    public = ImageFactory(title="Public photo", is_listed=True)
    held_back = ImageFactory(title="Held back", is_listed=False)

    response = Client().get(public.file.url)
    assert response["X-Accel-Redirect"] == "/protected-media/" + public.file.name
    assert response.content == b""
    assert response["Cache-Control"] == "public, max-age=300"

    staff = Client()
    staff.force_login(staff_user)
    private = staff.get(held_back.file.url)  # private files never leave through nginx
    assert "X-Accel-Redirect" not in private
    assert private["Cache-Control"] == "private, no-store"
    assert b"".join(private.streaming_content) == held_back.file.open("rb").read()
    assert Client().get(held_back.file.url).status_code == 404
