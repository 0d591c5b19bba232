"""The shared parts of a story page are cached, but never across a change or a preview."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from gemeinsam.core.tests.support import signed_in
from gemeinsam.newsroom.models import NewsPage, VideoPage

pytestmark = pytest.mark.django_db


def test_a_published_change_shows_at_once_to_members(
    newsroom: Any, member: Any, django_capture_on_commit_callbacks: Any
) -> None:
    story = newsroom.add_story(NewsPage, title="News", body="<p>The first version.</p>")
    client = signed_in(member)  # members never get the page cache: only fragments
    assert "The first version." in client.get(story.url).content.decode()
    story.body = "<p>The second version.</p>"
    with django_capture_on_commit_callbacks(execute=True):
        story.save_revision().publish()
    html = client.get(story.url).content.decode()
    assert "The second version." in html
    assert "The first version." not in html


def test_a_draft_preview_neither_reads_nor_fills_the_cache(newsroom: Any, staff_user: Any) -> None:
    story = newsroom.add_story(NewsPage, title="News", body="<p>Live text.</p>")
    staff = signed_in(staff_user)
    assert "Live text." in staff.get(story.url).content.decode()  # cached now
    story.body = "<p>Draft text.</p>"
    revision = story.save_revision()
    preview = staff.get(f"/admin/pages/{story.pk}/revisions/{revision.pk}/view/")
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "Draft text." in html
    assert "Live text." not in html
    for client in (staff, Client()):
        html = client.get(story.url).content.decode()
        assert "Live text." in html
        assert "Draft text." not in html


def test_the_external_video_consent_is_not_shared(newsroom: Any, member: Any) -> None:
    video = newsroom.add_story(
        VideoPage, title="Clip", external_url="https://www.youtube.com/watch?v=abcdefghijk"
    )
    client = signed_in(member)
    assert "<iframe" not in client.get(video.url).content.decode()
    assert "<iframe" in client.get(video.url, {"load-external": "1"}).content.decode()
    assert "<iframe" not in client.get(video.url).content.decode()
