"""The bulk seed writes exactly what members using the site would have produced."""

from __future__ import annotations

from collections import Counter
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, Sum
from django.test import Client
from wagtail.models import Page

from gemeinsam.accounts.models import User
from gemeinsam.community.models import Activity, EngagementCount, Fan, Fave, Follow
from gemeinsam.conversations.models import Comment
from gemeinsam.conversations.services import comment_score
from gemeinsam.demo.scale import (
    CROWDED_SLUG,
    MEMBER_EMAIL,
    MEMBER_PASSWORD,
    REFERENCE_COMMENTS,
    REFERENCE_SLUG,
    SCALES,
)
from gemeinsam.newsroom.models import STORY_TYPES, StoryPage
from gemeinsam.ratings.models import Rating, RatingAggregate

pytestmark = pytest.mark.django_db

SMALL = SCALES["small"]


@pytest.fixture
def seeded(django_capture_on_commit_callbacks: Any) -> str:
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", "--scale", "small", stdout=out)
    return out.getvalue()


def test_the_seed_reports_its_size_and_time(seeded: str) -> None:
    assert "Demo newsroom created" in seeded
    assert f"{SMALL.members:,} members ({SMALL.fans:,} fans)" in seeded
    assert "Scale data 'small' added in" in seeded
    assert f"/{SMALL.members * 2:,}" in seeded or "done" in seeded  # the progress bar


def test_counts_match_the_scale(seeded: str) -> None:
    members = User.objects.filter(email__endswith="@members.example")
    assert members.count() == SMALL.members
    assert Fan.objects.filter(user__in=members).count() == SMALL.fans
    assert StoryPage.objects.filter(slug__startswith="story-").count() == SMALL.stories - 2
    types = Counter(page.specific_class for page in StoryPage.objects.filter(depth=4))
    assert all(types[model] >= SMALL.stories // len(STORY_TYPES) - 1 for model in STORY_TYPES)
    scale_stories = StoryPage.objects.exclude(lead_image=None).filter(
        slug__in=[CROWDED_SLUG, REFERENCE_SLUG]
    )
    assert scale_stories.count() == 2
    assert Rating.objects.filter(user__in=members).count() == SMALL.ratings
    assert Fave.objects.filter(user__in=members).count() == SMALL.faves
    follows_per_member = Follow.objects.filter(follower__in=members).count() / SMALL.members
    assert SMALL.follows_per_member * 0.8 <= follows_per_member <= SMALL.follows_per_member * 1.2


def test_threads_counters_and_aggregates_are_consistent(seeded: str) -> None:
    crowded = StoryPage.objects.get(slug=CROWDED_SLUG).specific
    reference = StoryPage.objects.get(slug=REFERENCE_SLUG).specific
    assert Comment.objects.filter(object_id=crowded.pk).count() == SMALL.crowded_comments
    assert Comment.objects.filter(object_id=reference.pk).count() == REFERENCE_COMMENTS
    # Every comment, the demo members' included, must be consistent; the counts are the scale's.
    comments = {row.pk: row for row in Comment.objects.all()}
    crowd = Comment.objects.filter(author__email__endswith="@members.example").count()
    assert crowd == SMALL.crowded_comments + SMALL.other_comments
    replies: Counter[int] = Counter()
    for row in comments.values():
        if row.parent_id is None:
            assert row.depth == 0
            assert row.root_id is None
            continue
        parent = comments[row.parent_id]
        assert row.path.startswith(parent.path)
        assert row.depth == parent.depth + 1
        assert row.root_id == (parent.root_id or parent.pk)
        assert (row.content_type_id, row.object_id) == (parent.content_type_id, parent.object_id)
        replies.update(row.ancestor_ids)
    assert sum(1 for row in comments.values() if row.parent_id) > SMALL.crowded_comments // 3
    fave_counts = Counter(
        Fave.objects.filter(content_type__model="comment").values_list("object_id", flat=True)
    )
    for row in comments.values():
        assert row.reply_count == replies[row.pk]
        assert row.fave_count == fave_counts[row.pk]
        assert row.score == pytest.approx(
            comment_score(fave_count=row.fave_count, reply_count=row.reply_count)
        )
    for aggregate in RatingAggregate.objects.all():
        live = Rating.objects.filter(
            content_type_id=aggregate.content_type_id, object_id=aggregate.object_id
        ).aggregate(count=Count("id"), total=Sum("value"))
        assert (aggregate.count, aggregate.total) == (live["count"], live["total"])
    for count in EngagementCount.objects.all():
        assert (
            count.faves
            == Fave.objects.filter(
                content_type_id=count.content_type_id, object_id=count.object_id
            ).count()
        )
    assert (
        Activity.objects.filter(actor__email__endswith="@members.example").count()
        == crowd + SMALL.ratings + SMALL.faves
    )


def test_the_seeded_site_serves_its_pages(seeded: str) -> None:
    Page.objects.get(slug=CROWDED_SLUG)  # the tree is valid enough to find it
    client = Client()
    for slug in (CROWDED_SLUG, REFERENCE_SLUG, "story-00001", "story-00002", "story-00004"):
        response = client.get(Page.objects.get(slug=slug).url)
        assert response.status_code == 200, slug
    assert "Storm over Lindenau" in client.get("/en/stories/").content.decode()
    member = User.objects.get(email=MEMBER_EMAIL.format(number=1))
    assert client.login(email=member.email, password=MEMBER_PASSWORD)
    assert client.get("/en/community/feed/").status_code == 200
    assert client.get(f"/en/members/{member.pk}/").status_code == 200


def test_seeding_twice_is_refused_with_a_clear_message(seeded: str) -> None:
    with pytest.raises(CommandError, match="already present"):
        call_command("seed_demo", "--scale", "small", stdout=StringIO())
    assert User.objects.filter(email__endswith="@members.example").count() == SMALL.members
