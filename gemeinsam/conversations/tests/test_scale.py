"""A story with 100,000 comments: deep keyset pages cost the same queries as the first."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from gemeinsam.accounts.models import User
from gemeinsam.conversations.models import Comment, path_segment
from gemeinsam.conversations.selectors import Cursor, comment_page
from gemeinsam.core.engagement import target_reference

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

TOTAL = 100_000


@pytest.fixture
def crowded_story(story: Any, member: User) -> Any:
    content_type_id, object_id = target_reference(story)
    start = timezone.now() - timedelta(days=30)
    # Straight SQL: building 100,000 model instances would take most of the test's time.
    adapt = connection.ops.adapt_datetimefield_value
    rows = [
        (
            number,
            content_type_id,
            object_id,
            member.pk,
            "",
            f"Comment {number}",
            f"<p>Comment {number}</p>",
            path_segment(number),
            0,
            adapt(start + timedelta(seconds=number)),
            False,
            False,
            False,
            0,
            0,
            (number % 97) / 100,
        )
        for number in range(1, TOTAL + 1)
    ]
    table = connection.ops.quote_name(Comment._meta.db_table)
    columns = (
        "id, content_type_id, object_id, author_id, guest_name, body, body_html, path, depth, "
        "created_at, is_deleted, is_hidden, is_official, fave_count, reply_count, score"
    )
    with connection.cursor() as db:
        # Table and column names are ours; the values go in as parameters.
        sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * 16)})"  # noqa: S608
        db.executemany(sql, rows)
    return story


def test_a_deep_page_costs_the_same_queries_as_the_first(
    crowded_story: Any, member: User, django_assert_num_queries: Any
) -> None:
    """One story, three sorts, the first page and one 99,000 comments deep (one setup,
    as filling the table is the slow part)."""
    for sort in ("oldest", "newest", "best"):
        comment_page(target=crowded_story, user=member, sort=sort)
        # Blocks, the page, its replies: the count of 100,000 comments is cached until the
        # next public change.
        with django_assert_num_queries(3):
            first = comment_page(target=crowded_story, user=member, sort=sort)
        assert first.total == TOTAL
        assert len(first.threads) == 20
        deep_row = Comment.objects.get(pk=TOTAL - 1000)
        key = deep_row.created_at if sort != "best" else deep_row.score
        cursor = Cursor(sort, key, deep_row.pk).encode()
        with django_assert_num_queries(3) as captured:
            deep = comment_page(target=crowded_story, user=member, sort=sort, cursor=cursor)
        assert len(deep.threads) == 20
        assert deep.next_cursor is not None
        assert deep.previous_cursor is not None
        if sort == "oldest":
            assert deep.threads[0].top.comment.pk == TOTAL - 999
        if connection.vendor == "sqlite":
            _assert_walks_the_index(captured, sort)


def _assert_walks_the_index(captured: Any, sort: str) -> None:
    """The top-level page reads the partial index in order: no sort step, no table scan."""
    index = "comment_top_by_score" if sort == "best" else "comment_top_by_time"
    page_sql = next(q["sql"] for q in captured.captured_queries if "LIMIT 21" in q["sql"])
    with connection.cursor() as db:
        db.execute(f"EXPLAIN QUERY PLAN {page_sql}")
        plan = " ".join(str(step) for step in db.fetchall())
    assert index in plan
    assert "TEMP B-TREE" not in plan
