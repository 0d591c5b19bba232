"""Avatars: checked by their header in the request, processed in the background, never lost."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import Storage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from gemeinsam.accounts.models import Profile, User
from gemeinsam.accounts.services import process_avatar
from gemeinsam.accounts.tests.conftest import csrf_client
from gemeinsam.core.tests.test_uploads import (
    SECRET,
    cut_short,
    exiftool_tags,
    gif_with_frames,
    metadata_in,
    photo_with_gps,
    png_header_only,
    srgb_profile,
)
from gemeinsam.core.uploads import PENDING_FOLDER

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("member_site")]

SETTINGS = "/en/members/settings/profile/"
PROCESSING = "Your new profile picture is being processed"
FAILED = "Your new profile picture could not be processed, so your previous picture stays."


def _form(token: str, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "display_name": "Ada",
        "bio": "",
        "link_1": "",
        "link_2": "",
        "link_3": "",
        "csrfmiddlewaretoken": token,
    }
    data.update(changes)
    return data


def _files(storage: Storage = default_storage, folder: str = "") -> list[str]:
    """Every file the storage holds, through its own API."""
    if folder and not storage.exists(folder):
        return []
    folders, files = storage.listdir(folder)
    found = [f"{folder}{name}" for name in files]
    for sub in folders:
        found += _files(storage, f"{folder}{sub}/")
    return found


def _jpeg(
    size: tuple[int, int] = (500, 300), colour: tuple[int, int, int] = (30, 90, 160)
) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="JPEG")
    return out.getvalue()


def _avatar_of(member: User) -> tuple[str, bytes]:
    profile = Profile.objects.get(user=member)
    with profile.avatar.open("rb") as stored:
        return profile.avatar.name, stored.read()


def _undecodable_png() -> bytes:
    """A PNG whose header and chunks are whole but whose pixel data stops early: only
    decoding finds out."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 64, 64, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 100))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "WEBP", "HEIF"])
def test_each_format_becomes_an_upright_avatar_without_gps_keeping_its_colours(
    member, run_tasks, tmp_path: Path, image_format: str
) -> None:
    client, token = csrf_client(member)
    photo = SimpleUploadedFile("ada-at-home.jpg", photo_with_gps(image_format))

    with run_tasks(execute=True):
        response = client.post(SETTINGS, _form(token, avatar=photo))

    assert response.status_code == 303
    name, stored = _avatar_of(member)
    expected = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "HEIF": ".jpg"}[image_format]
    assert name.startswith("avatars/")
    assert name.endswith(expected)
    assert "ada" not in name
    assert SECRET not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.size == (40, 60)  # turned upright
        assert image.info.get("icc_profile") == srgb_profile()
    (tmp_path / "avatar").write_bytes(stored)
    assert metadata_in(exiftool_tags(tmp_path / "avatar")) == {}
    assert [name] == [file for file in _files() if not file.startswith(PENDING_FOLDER)]
    assert _files(folder=PENDING_FOLDER) == []


def test_the_profile_shows_processing_until_the_task_has_run(member, run_tasks) -> None:
    client, token = csrf_client(member)

    with run_tasks() as tasks:
        response = client.post(SETTINGS, _form(token, avatar=SimpleUploadedFile("me.jpg", _jpeg())))

    assert response.status_code == 303
    profile = Profile.objects.get(user=member)
    assert profile.avatar_status == Profile.AvatarStatus.PROCESSING
    assert not profile.avatar
    assert [profile.avatar_pending] == _files()  # the raw upload, and only there
    assert profile.avatar_pending.startswith(PENDING_FOLDER)
    assert PROCESSING in client.get(SETTINGS).content.decode()
    assert PROCESSING in client.get(f"/en/members/{member.pk}/").content.decode()
    assert PROCESSING not in Client().get(f"/en/members/{member.pk}/").content.decode()
    assert Client().get(f"/media/{profile.avatar_pending}").status_code == 404
    german = client.get("/de/members/settings/profile/").content.decode()
    assert "Ihr neues Profilbild wird verarbeitet" in german

    with run_tasks(execute=True):  # the task, and what it leaves for after its commit
        for task in tasks:
            task()

    profile.refresh_from_db()
    assert profile.avatar_status == Profile.AvatarStatus.READY
    assert profile.avatar.name.startswith("avatars/")
    assert profile.avatar_pending == ""
    assert _files() == [profile.avatar.name]
    assert PROCESSING not in client.get(SETTINGS).content.decode()


def test_a_picture_that_fails_processing_keeps_the_old_avatar_and_says_so(
    member, run_tasks
) -> None:
    client, token = csrf_client(member)
    with run_tasks(execute=True):
        client.post(SETTINGS, _form(token, avatar=SimpleUploadedFile("me.jpg", _jpeg())))
    before = _avatar_of(member)

    with run_tasks(execute=True):
        response = client.post(
            SETTINGS, _form(token, avatar=SimpleUploadedFile("new.png", _undecodable_png()))
        )

    assert response.status_code == 303  # its header was fine; decoding found the fault
    profile = Profile.objects.get(user=member)
    assert profile.avatar_status == Profile.AvatarStatus.FAILED
    assert _avatar_of(member) == before
    assert _files() == [before[0]]  # the failed upload is gone, the old avatar is there
    page = client.get(SETTINGS).content.decode()
    assert FAILED in page
    assert 'role="alert"' in page
    german = client.get("/de/members/settings/profile/").content.decode()
    assert "Ihr neues Profilbild ließ sich nicht verarbeiten" in german

    client.post(SETTINGS, _form(token, bio="Seen it."))

    assert FAILED not in client.get(SETTINGS).content.decode()
    assert _avatar_of(member) == before


def test_a_newer_upload_wins_over_one_still_processing(member, run_tasks) -> None:
    client, token = csrf_client(member)
    with run_tasks() as first:
        client.post(SETTINGS, _form(token, avatar=SimpleUploadedFile("a.jpg", _jpeg())))
    with run_tasks() as second:
        client.post(
            SETTINGS, _form(token, avatar=SimpleUploadedFile("b.jpg", _jpeg(colour=(250, 0, 0))))
        )

    with run_tasks(execute=True):
        for task in [*second, *first]:
            task()

    name, stored = _avatar_of(member)
    with Image.open(io.BytesIO(stored)) as image:
        assert image.convert("RGB").getpixel((5, 5))[0] > 200  # the red one, uploaded last
    assert _files() == [name]
    assert Profile.objects.get(user=member).avatar_status == Profile.AvatarStatus.READY


def test_a_task_for_a_deleted_profile_does_nothing_but_clean_up(member, run_tasks) -> None:
    client, token = csrf_client(member)
    with run_tasks():  # captured, not run: the profile goes before its task
        client.post(SETTINGS, _form(token, avatar=SimpleUploadedFile("a.jpg", _jpeg())))
    profile = Profile.objects.get(user=member)
    pending = profile.avatar_pending
    Profile.objects.filter(pk=profile.pk).delete()

    assert process_avatar(profile_id=profile.pk, pending_name=pending) == "superseded"
    assert _files() == []


def _bomb() -> bytes:
    return png_header_only(30_000, 30_000)


def _polyglot() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 40), (9, 9, 9)).save(out, format="PNG")
    return out.getvalue() + b"<html><script>alert(document.cookie)</script></html>"


BAD_FILES = {
    "decompression-bomb": (_bomb, "The image has too many pixels (at most 16 megapixels)."),
    "polyglot": (
        _polyglot,
        "The file holds more than a picture; please save it again as a plain image.",
    ),
    "svg": (
        lambda: b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "The file is not an image we can read. We take JPEG, PNG, WebP, HEIC, GIF.",
    ),
    "wrong-type": (
        lambda: b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
        "The file is not an image we can read. We take JPEG, PNG, WebP, HEIC, GIF.",
    ),
    "truncated-jpeg": (
        lambda: cut_short("JPEG"),
        "The image is damaged or incomplete; please save it again and retry.",
    ),
    "truncated-heic": (
        lambda: cut_short("HEIF"),
        "The image is damaged or incomplete; please save it again and retry.",
    ),
    "truncated-webp": (
        lambda: cut_short("WEBP"),
        "The image is damaged or incomplete; please save it again and retry.",
    ),
    "frame-bomb": (
        lambda: gif_with_frames(400),
        "The image has too many frames (at most 100).",
    ),
    "oversize": (
        lambda: b"\xff\xd8\xff\xe0" + b"0" * (5 * 1024 * 1024),
        "The file is larger than 5 MB.",
    ),
}


@pytest.mark.parametrize("kind", list(BAD_FILES))
def test_a_bad_file_gets_a_400_with_a_message_and_stores_nothing(
    member, run_tasks, kind: str
) -> None:
    make, message = BAD_FILES[kind]
    client, token = csrf_client(member)
    with run_tasks(execute=True):
        client.post(SETTINGS, _form(token, avatar=SimpleUploadedFile("me.jpg", _jpeg())))
    before = _avatar_of(member)
    files_before = _files()

    with run_tasks(execute=True) as tasks:
        response = client.post(
            SETTINGS,
            _form(token, display_name="Changed", avatar=SimpleUploadedFile("x.jpg", make())),
        )

    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'id="id_avatar_error" role="alert"' in html
    assert tasks == []
    assert _files() == files_before
    assert Profile.objects.count() == 1
    assert _avatar_of(member) == before
    profile = Profile.objects.get(user=member)
    assert (profile.avatar_status, profile.avatar_pending) == (Profile.AvatarStatus.READY, "")
    member.refresh_from_db()
    assert member.display_name == "Ada"
