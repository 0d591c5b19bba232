"""A dead or full cache: pages still render (uncached, logged); limits answer 503, not 500."""

from __future__ import annotations

import logging
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from conftest import skip_or_fail
from gemeinsam.conversations.models import Comment
from gemeinsam.core import cache as cache_module
from gemeinsam.core.cache import FileCache
from gemeinsam.core.engagement import target_reference
from gemeinsam.core.tests.support import free_port, signed_in

pytestmark = pytest.mark.django_db


def _report_anew(monkeypatch: Any) -> None:
    """The next fault is reported again (reports are rate-limited per process)."""
    monkeypatch.setattr(cache_module, "_report", cache_module._FaultReport())


@pytest.fixture
def dead_redis(settings: Any) -> None:
    """The shared cache is Redis on a port where nothing listens: every call is refused."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "gemeinsam.core.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        },
    }


@pytest.fixture
def full_disk(settings: Any, tmp_path: Path) -> Iterator[Path]:
    """The file cache on a real, tiny file system that is then filled to the last byte."""
    mount = tmp_path / "cache"
    mount.mkdir()
    done = subprocess.run(  # fixed arguments
        ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        skip_or_fail(f"cannot mount a small file system here: {done.stderr.decode().strip()}")
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "gemeinsam.core.cache.FileCache", "LOCATION": str(mount)},
    }
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(mount: Path) -> None:
    with open(mount / "filler", "wb", buffering=0) as filler:
        try:
            while True:
                filler.write(b"\0" * 4096)
        except OSError:
            pass


def test_pages_render_uncached_while_redis_is_down(
    dead_redis: None, newsroom: Any, caplog: Any, monkeypatch: Any
) -> None:
    story = newsroom.add_story(title="Still readable")
    caplog.set_level(logging.WARNING, logger="gemeinsam.core.cache")
    _report_anew(monkeypatch)

    for _ in range(2):
        response = Client().get(story.url)
        assert response.status_code == 200
        assert "Still readable" in response.content.decode()
    assert "The cache is unavailable" in caplog.text


def test_a_limited_write_answers_503_while_redis_is_down(
    dead_redis: None, newsroom: Any, member: Any
) -> None:
    story = newsroom.add_story(title="Comment on me")
    url = f"/en/comments/{'/'.join(map(str, target_reference(story)))}/"

    response = signed_in(member).post(url, {"body": "Can anyone hear me?"})

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "try again" in response.content.decode()
    assert not Comment.objects.exists()


def test_logins_answer_503_while_redis_is_down(dead_redis: None, staff_user: Any) -> None:
    response = Client().post(
        "/en/accounts/login/", {"login": staff_user.email, "password": "wrong-guess"}
    )
    assert response.status_code == 503


def test_pages_render_when_the_file_cache_disk_is_full(
    full_disk: Path, newsroom: Any, caplog: Any, monkeypatch: Any
) -> None:
    story = newsroom.add_story(title="Disk full, page fine")
    FileCache(str(full_disk), {}).set("written-before", "still here", 600)
    _fill(full_disk)
    caplog.set_level(logging.WARNING, logger="gemeinsam.core.cache")
    _report_anew(monkeypatch)

    response = Client().get(story.url)

    assert response.status_code == 200
    assert "Disk full, page fine" in response.content.decode()
    assert "No space left on device" in caplog.text
    assert FileCache(str(full_disk), {}).get("written-before") == "still here"
