"""Views are counted exactly, without cookies and without a database write per view."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from gemeinsam.analytics.counting import _redis, flush_views, record_view, spool_directory
from gemeinsam.analytics.models import DailyViews
from gemeinsam.core.engagement import target_reference

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def data_dir(settings: Any, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture
def story(newsroom: Any) -> Any:
    return newsroom.add_story(title="Counted story")


def pixel_url(story: Any) -> str:
    content_type_id, object_id = target_reference(story)
    return f"/count/{content_type_id}/{object_id}.gif"


def stored_views(story: Any) -> int:
    content_type_id, object_id = target_reference(story)
    row = DailyViews.objects.filter(content_type_id=content_type_id, object_id=object_id).first()
    return row.count if row else 0


def test_the_story_page_carries_the_pixel_also_when_served_from_the_page_cache(
    story: Any,
) -> None:
    client = Client()
    first = client.get(story.url)
    second = client.get(story.url)
    assert second["X-Page-Cache"] == "hit"
    for response in (first, second):
        assert f'src="{pixel_url(story)}"' in response.content.decode()
        assert 'class="view-pixel"' in response.content.decode()


def test_a_view_costs_no_query_sets_no_cookie_and_is_never_cached(
    story: Any, django_assert_num_queries: Any
) -> None:
    client = Client()
    with django_assert_num_queries(0):
        response = client.get(pixel_url(story))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/gif"
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies
    assert "X-Page-Cache" not in response
    assert DailyViews.objects.count() == 0  # nothing written yet: the job moves the counts


def test_every_request_counts_exactly_once(story: Any) -> None:
    client = Client()
    for _ in range(25):
        client.get(pixel_url(story))
    client.head(pixel_url(story))  # a HEAD is not a view
    assert client.post(pixel_url(story)).status_code == 405
    assert flush_views(include_current=True) == 25
    assert stored_views(story) == 25
    assert flush_views(include_current=True) == 0
    for _ in range(5):
        client.get(pixel_url(story))
    flush_views(include_current=True)
    assert stored_views(story) == 30


def test_counts_for_unknown_kinds_of_items_are_dropped(story: Any) -> None:
    record_view(999_999, 1)
    content_type_id, object_id = target_reference(story)
    record_view(content_type_id, object_id)
    assert flush_views(include_current=True) == 1
    assert DailyViews.objects.count() == 1


def test_views_are_kept_per_day(story: Any) -> None:
    content_type_id, object_id = target_reference(story)
    yesterday = datetime.now(UTC) - timedelta(days=1)
    record_view(content_type_id, object_id, now=yesterday)
    record_view(content_type_id, object_id)
    record_view(content_type_id, object_id)
    flush_views(include_current=True)
    days = dict(DailyViews.objects.values_list("day", "count"))
    assert days == {yesterday.date(): 1, datetime.now(UTC).date(): 2}


@pytest.mark.skipif(
    "redis" in settings.CACHES["default"]["BACKEND"].lower(),
    reason="Spool files exist only without Redis; with Redis the hash is renamed atomically.",
)
def test_the_running_minute_is_left_to_its_writers(story: Any) -> None:
    content_type_id, object_id = target_reference(story)
    now = datetime.now(UTC)
    record_view(content_type_id, object_id, now=now - timedelta(minutes=2))
    record_view(content_type_id, object_id, now=now)
    assert _redis() is None
    assert flush_views(now=now) == 1  # the running minute's file stays for its writers
    assert len(list(spool_directory().iterdir())) == 1
    assert flush_views(now=now + timedelta(minutes=1)) == 1
    assert list(spool_directory().iterdir()) == []
    assert stored_views(story) == 2


def test_staff_see_the_most_viewed_stories(story: Any, staff_user: Any) -> None:
    client = Client()
    for _ in range(3):
        client.get(pixel_url(story))
    flush_views(include_current=True)
    assert client.get("/admin/views/").status_code == 302  # sign in first
    client.force_login(staff_user)
    page = client.get("/admin/views/?days=7").content.decode()
    assert "Counted story" in page
    assert "3 views in this period" in page
    assert client.get("/admin/views/?days=nonsense").status_code == 200


def test_the_report_costs_the_same_queries_for_more_stories(newsroom: Any, staff_user: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(staff_user)

    def report_queries(count: int) -> int:
        for number in range(count):
            story = newsroom.add_story(title=f"Viewed {count}-{number}")
            client.get(pixel_url(story))
        flush_views(include_current=True)
        client.get("/admin/views/")
        with CaptureQueriesContext(connection) as queries:
            page = client.get("/admin/views/").content.decode()
        assert f"Viewed {count}-0" in page
        return len(queries)

    assert report_queries(1) == report_queries(4)


def test_made_up_addresses_are_answered_but_neither_counted_nor_blocking(story: Any) -> None:
    client = Client()
    content_type_id, object_id = target_reference(story)
    huge = 10**30
    for url in (f"/count/{content_type_id}/{huge}.gif", f"/count/{huge}/{object_id}.gif"):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/gif"
    client.get(pixel_url(story))
    assert flush_views(include_current=True) == 1
    assert stored_views(story) == 1
