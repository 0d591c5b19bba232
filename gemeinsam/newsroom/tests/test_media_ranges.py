"""Players seek in videos: /media/ answers single byte ranges (206) behind the same guards."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from gemeinsam.core.media import UnsatisfiableRangeError, requested_range
from gemeinsam.newsroom.models import Video, VideoPage
from gemeinsam.newsroom.tests.factories import ImageFactory

pytestmark = pytest.mark.django_db

CLIP = bytes(range(256)) * 40  # 10,240 bytes, each position recognisable


@pytest.fixture
def published_video(newsroom: Any) -> Video:
    video = Video(title="Long film", poster=ImageFactory(title="Long film poster"))
    video.file.save("long-film.webm", ContentFile(CLIP), save=False)
    video.save()
    newsroom.add_story(VideoPage, title="Long film story", video=video)
    return video


def _body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def test_a_player_gets_the_bytes_it_asks_for(published_video: Video, client: Client) -> None:
    url = published_video.file.url

    whole = client.get(url)
    middle = client.get(url, HTTP_RANGE="bytes=1000-1999")
    tail = client.get(url, HTTP_RANGE="bytes=-16")
    rest = client.get(url, HTTP_RANGE="bytes=10000-")

    assert whole.status_code == 200
    assert whole["Accept-Ranges"] == "bytes"
    assert _body(whole) == CLIP
    assert middle.status_code == 206
    assert middle["Content-Range"] == f"bytes 1000-1999/{len(CLIP)}"
    assert middle["Content-Length"] == "1000"
    assert _body(middle) == CLIP[1000:2000]
    assert middle["Cache-Control"] == whole["Cache-Control"]
    assert _body(tail) == CLIP[-16:]
    assert _body(rest) == CLIP[10000:]


def test_a_range_past_the_end_is_refused_with_the_size(
    published_video: Video, client: Client
) -> None:
    refused = client.get(published_video.file.url, HTTP_RANGE="bytes=20000-20100")

    assert refused.status_code == 416
    assert refused["Content-Range"] == f"bytes */{len(CLIP)}"


def test_forms_it_does_not_read_get_the_whole_file(published_video: Video, client: Client) -> None:
    url = published_video.file.url
    for header in ("bytes=0-10,20-30", "items=0-10", "bytes=abc"):
        response = client.get(url, HTTP_RANGE=header)
        assert response.status_code == 200, header
        assert _body(response) == CLIP
    guarded = client.get(url, HTTP_RANGE="bytes=0-10", HTTP_IF_RANGE='"old"')
    assert guarded.status_code == 200


def test_a_hidden_video_stays_hidden_for_range_requests(newsroom: Any, client: Client) -> None:
    video = Video(title="Draft film", poster=ImageFactory(is_listed=False))
    video.file.save("draft-film.webm", ContentFile(CLIP), save=False)
    video.save()
    newsroom.add_story(VideoPage, title="Draft film story", video=video, publish=False)

    assert client.get(video.file.url, HTTP_RANGE="bytes=0-99").status_code == 404


def test_range_arithmetic() -> None:
    assert requested_range("bytes=0-0", 10) == (0, 0)
    assert requested_range("bytes=5-100", 10) == (5, 9)
    assert requested_range("bytes=-100", 10) == (0, 9)
    assert requested_range("bytes=-", 10) is None
    assert requested_range("bytes=7-3", 10) is None
    for unsatisfiable in ("bytes=10-", "bytes=-0"):
        with pytest.raises(UnsatisfiableRangeError):
            requested_range(unsatisfiable, 10)
