"""A full disk while a press-kit ZIP is written leaves no truncated archive to be served:
the download page says the archive could not be made and offers to try again."""

from __future__ import annotations

import errno
import io
import os
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import FileSystemStorage, default_storage
from django.test import Client

from conftest import skip_or_fail
from gemeinsam.newsroom.models import PressKitPage
from gemeinsam.newsroom.press import (
    PressKitArchiveError,
    archive_name,
    build_press_kit_archive,
    kit_files,
)
from gemeinsam.newsroom.tests.factories import ImageFactory, make_document

pytestmark = pytest.mark.django_db


class DiskFillsUpStorage(FileSystemStorage):
    """Local storage on a disk that fills up halfway through writing a press-kit archive."""

    def _save(self, name: str, content: Any) -> str:
        if not name.startswith("presskits/"):
            return super()._save(name, content)
        data = content.read()
        path = Path(self.path(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as partial:
            partial.write(data[: len(data) // 2])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))


@pytest.fixture
def kit(newsroom: Any) -> PressKitPage:
    cache.clear()
    page = newsroom.add_story(PressKitPage, title="Wind kit", slug="wind-kit", publish=False)
    page.kit_images.create(image=ImageFactory(title="Turbine"))
    # Incompressible, so the archive is larger than the small disk below.
    page.kit_documents.create(document=make_document("Survey data", os.urandom(256 * 1024)))
    page.save_revision().publish()
    page.refresh_from_db()
    return page


@pytest.fixture
def small_disk() -> Iterator[Path]:
    """The archive folder on a real 64 KiB tmpfs (needs root); skipped where it cannot be."""
    folder = Path(settings.MEDIA_ROOT) / "presskits"
    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        skip_or_fail(f"cannot mount a tmpfs (needs root): {mounted.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def zip_url(pk: int) -> str:
    return f"/en/press-kits/{pk}/download/"


def archives() -> list[str]:
    try:
        return default_storage.listdir("presskits")[1]
    except FileNotFoundError:
        return []


def test_a_full_disk_leaves_no_partial_archive_and_the_page_offers_to_try_again(
    kit: PressKitPage, small_disk: Path, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with pytest.raises(PressKitArchiveError) as failure:
        build_press_kit_archive(page_id=kit.pk)

    assert archives() == []  # nothing truncated is left to be served
    assert getattr(failure.value.__cause__, "errno", None) == errno.ENOSPC

    response = client.get(zip_url(kit.pk))
    html = response.content.decode()
    assert response.status_code == 503
    assert "could not be prepared" in html
    assert 'http-equiv="refresh"' not in html  # it does not spin forever
    assert f'href="{zip_url(kit.pk)}?retry=1"' in html
    assert "no-store" in response["Cache-Control"]

    subprocess.run(["umount", str(small_disk)], check=True)  # space is back
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(small_disk)], check=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(zip_url(kit.pk) + "?retry=1").status_code == 202
    response = client.get(zip_url(kit.pk))
    body = b"".join(response.streaming_content)
    response.close()
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert archive.testzip() is None
        assert "documents/survey-data.pdf" in archive.namelist()


def test_a_storage_failing_mid_write_keeps_no_partial_file(
    kit: PressKitPage, settings: Any, client: Client
) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": f"{__name__}.DiskFillsUpStorage"},
    }

    with pytest.raises(PressKitArchiveError):
        build_press_kit_archive(page_id=kit.pk)

    assert archives() == []
    assert client.get(zip_url(kit.pk)).status_code == 503
    german = client.get(f"/de/press-kits/{kit.pk}/download/")
    assert german.status_code == 503
    assert "Die ZIP-Datei konnte nicht erstellt werden" in german.content.decode()


def test_a_truncated_archive_from_before_is_not_served_but_rebuilt(
    kit: PressKitPage, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    name = build_press_kit_archive(page_id=kit.pk)
    assert name is not None
    with default_storage.open(name, "rb") as stored:
        whole = stored.read()
    default_storage.delete(name)
    default_storage.save(name, io.BytesIO(whole[: len(whole) // 2]))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.get(zip_url(kit.pk))

    assert response.status_code == 202
    assert len(callbacks) == 1
    assert name == archive_name(kit, kit_files(kit))
    with default_storage.open(name, "rb") as stored, zipfile.ZipFile(stored) as archive:
        assert archive.testzip() is None
