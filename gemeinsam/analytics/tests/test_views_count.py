"""Views are counted exactly, without cookies and without a database write per view."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from gemeinsam.analytics import counting
from gemeinsam.analytics.counting import (
    _redis,
    flush_views,
    pixel_signature,
    record_view,
    spool_directory,
)
from gemeinsam.analytics.models import DailyViews
from gemeinsam.core.engagement import target_reference
from gemeinsam.core.tests.support import free_port

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
    signature = pixel_signature(content_type_id, object_id)
    return f"/count/{content_type_id}/{object_id}/{signature}.gif"


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
    assert second["X-Cache"] == "hit"
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
    assert "X-Cache" not in response
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
    record_view(daily_views_content_type(), 1)  # a kind no one engages with
    content_type_id, object_id = target_reference(story)
    record_view(content_type_id, object_id)
    assert flush_views(include_current=True) == 1
    assert DailyViews.objects.count() == 1


def daily_views_content_type() -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(DailyViews).pk


def test_unsigned_or_forged_pixel_addresses_are_answered_but_not_counted(story: Any) -> None:
    client = Client()
    content_type_id, object_id = target_reference(story)
    for url in (
        f"/count/{content_type_id}/{object_id}.gif",
        f"/count/{content_type_id}/{object_id}/{'0' * 20}.gif",
        pixel_url(story).replace(f"/{object_id}/", f"/{object_id + 1}/"),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/gif"
        assert response.content == client.get(pixel_url(story)).content
    assert flush_views(include_current=True) == 3  # only the three signed requests
    assert stored_views(story) == 3
    assert DailyViews.objects.count() == 1


def test_views_of_missing_or_unpublished_items_leave_no_row(newsroom: Any, story: Any) -> None:
    draft = newsroom.add_story(title="Draft", publish=False)
    withdrawn = newsroom.add_story(title="Withdrawn")
    withdrawn.unpublish()
    embargoed = newsroom.add_embargoed_release(title="Embargoed")
    deleted = newsroom.add_story(title="Deleted")
    deleted_reference = target_reference(deleted)
    deleted.delete()
    client = Client()
    for item in (draft, withdrawn, embargoed):
        client.get(pixel_url(item))
    client.get(pixel_url(story))
    content_type_id, object_id = target_reference(story)
    record_view(*deleted_reference)
    for made_up in range(1, 200):
        record_view(content_type_id, object_id + 1000 + made_up)
    assert flush_views(include_current=True) == 1
    assert list(DailyViews.objects.values_list("object_id", "count")) == [(object_id, 1)]


def test_counts_are_committed_in_batches_with_one_check_per_kind(
    newsroom: Any, monkeypatch: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr(counting, "BATCH_SIZE", 3)
    stories = [newsroom.add_story(title=f"Batched {number}") for number in range(7)]
    client = Client()
    for number, item in enumerate(stories):
        for _ in range(number + 1):
            client.get(pixel_url(item))
    with CaptureQueriesContext(connection) as queries:
        assert flush_views(include_current=True) == sum(range(1, 8))
    assert [stored_views(item) for item in stories] == list(range(1, 8))
    checks = [q for q in queries if 'FROM "newsroom_' in q["sql"] and "IN (SELECT" in q["sql"]]
    assert len(checks) == 3  # 7 items in batches of 3: one check of the public set each


@pytest.fixture
def failing_insert() -> Any:
    """Makes the database refuse to store a count for one object id, as a full disk would."""
    from django.db import connection

    def install(object_id: int) -> None:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute(
                    "CREATE TRIGGER refuse_views BEFORE INSERT ON analytics_dailyviews "
                    f"WHEN NEW.object_id = {int(object_id)} "
                    "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
                )
            else:
                cursor.execute(
                    "CREATE FUNCTION refuse_views() RETURNS trigger AS $$ BEGIN "
                    f"IF NEW.object_id = {int(object_id)} THEN "
                    "RAISE EXCEPTION 'could not extend file: No space left on device'; END IF; "
                    "RETURN NEW; END $$ LANGUAGE plpgsql"
                )
                cursor.execute(
                    "CREATE TRIGGER refuse_views BEFORE INSERT ON analytics_dailyviews "
                    "FOR EACH ROW EXECUTE FUNCTION refuse_views()"
                )

    def remove() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "DROP TRIGGER refuse_views"
                + ("" if connection.vendor == "sqlite" else " ON analytics_dailyviews")
            )
            if connection.vendor != "sqlite":
                cursor.execute("DROP FUNCTION refuse_views()")

    install.remove = remove  # type: ignore[attr-defined]
    return install


def test_a_failing_batch_keeps_the_stored_ones_and_counts_the_rest_once_later(
    newsroom: Any, monkeypatch: Any, failing_insert: Any
) -> None:
    from django.db import DatabaseError

    monkeypatch.setattr(counting, "BATCH_SIZE", 2)
    stories = [newsroom.add_story(title=f"Batched {number}") for number in range(5)]
    client = Client()
    for number, item in enumerate(stories):
        for _ in range(number + 1):
            client.get(pixel_url(item))
    failing_insert(stories[3].pk)  # the second batch holds stories 2 and 3
    with pytest.raises(DatabaseError):
        flush_views(include_current=True)
    assert [stored_views(item) for item in stories] == [1, 2, 0, 0, 0]
    failing_insert.remove()
    assert flush_views(include_current=True) == 3 + 4 + 5
    assert [stored_views(item) for item in stories] == [1, 2, 3, 4, 5]


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
    reason="With Redis views go to the hash (spool files only while Redis is unreachable).",
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


@pytest.mark.parametrize(
    ("group", "allowed"),
    [("Editors", True), ("Press officers", True), ("Community managers", False)],
)
def test_only_roles_allowed_to_see_view_counts_get_the_report(
    story: Any, group: str, allowed: bool
) -> None:
    from django.contrib.auth.models import Group

    from gemeinsam.accounts.models import User

    user = User.objects.create_user(email="staff@example.org", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    client = Client()
    client.force_login(user)
    report = client.get("/admin/views/")
    home = client.get("/admin/").content.decode()
    if allowed:
        assert report.status_code == 200
        assert "/admin/views/" in home
    else:
        # The admin answers a refusal by sending the user to its home page with a message.
        assert report.status_code == 302
        assert report["Location"] == "/admin/"
        assert "/admin/views/" not in home


def test_views_while_redis_is_down_are_answered_kept_on_disk_and_counted_later(
    story: Any, settings: Any
) -> None:
    """A dead Redis neither breaks the pixel nor loses the view: it waits in a spool file
    and is stored by the next flush."""
    working = settings.CACHES
    settings.CACHES = {
        **working,
        "default": {
            "BACKEND": "gemeinsam.core.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        },
    }
    response = Client().get(pixel_url(story))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/gif"
    assert flush_views(include_current=True) == 1  # the spool, though Redis is still down

    assert stored_views(story) == 1
