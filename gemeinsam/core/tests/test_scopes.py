"""Caching by scope: a change to one story leaves every other story's cached page and
fragments alone, and anonymous pages tell a CDN how long it may share them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.test import Client
from django.test.signals import template_rendered

from gemeinsam.accounts.models import User
from gemeinsam.accounts.tests.conftest import csrf_client
from gemeinsam.community import services as community
from gemeinsam.conversations import services as conversations
from gemeinsam.core.caching import (
    SITE,
    cached_fragment,
    collection_scope,
    invalidate,
    public_content_changed,
    target_scope,
)
from gemeinsam.core.engagement import target_reference
from gemeinsam.core.tests.support import signed_in
from gemeinsam.ratings import services as ratings

pytestmark = pytest.mark.django_db


@contextmanager
def counting_renders() -> Iterator[list[str]]:
    """The names of the templates rendered while the block runs."""
    rendered: list[str] = []

    def receiver(sender: Any, template: Any, **kwargs: Any) -> None:
        rendered.append(str(template.name))

    template_rendered.connect(receiver, dispatch_uid="count-renders")
    try:
        yield rendered
    finally:
        template_rendered.disconnect(dispatch_uid="count-renders")


def _rate(member: User, story: Any) -> None:
    ct_id, obj_id = target_reference(story)
    ratings.rate_item(user=member, content_type_id=ct_id, object_id=obj_id, stars=4)


def _comment(member: User, story: Any) -> None:
    conversations.post_comment(author=member, target=story, body="A fresh comment on A")


def _fave(member: User, story: Any) -> None:
    community.set_fave(user=member, target=story, faved=True)


@pytest.fixture
def other_member(db: Any) -> User:
    return User.objects.create_user(email="other@example.org", password="correct-horse-9")


@pytest.mark.parametrize("engage", [_rate, _comment, _fave], ids=["rating", "comment", "fave"])
def test_engagement_on_one_story_leaves_another_storys_page_cached(
    newsroom: Any,
    member: User,
    engage: Callable[[User, Any], None],
    django_capture_on_commit_callbacks: Any,
) -> None:
    story_a = newsroom.add_story(title="Story A", slug="story-a")
    story_b = newsroom.add_story(title="Story B", slug="story-b")
    reader = Client()
    for story in (story_a, story_b):
        assert reader.get(story.url)["X-Cache"] == "miss"
        assert reader.get(story.url)["X-Cache"] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        engage(member, story_a)

    with counting_renders() as rendered:
        response = reader.get(story_b.url)
    assert response["X-Cache"] == "hit"
    assert rendered == []
    with counting_renders() as rendered:
        response = reader.get(story_a.url)
    assert response["X-Cache"] == "miss"
    assert rendered  # A's page was built again, with what changed on it


def test_a_rating_over_http_leaves_the_other_storys_fragments_cached(
    newsroom: Any, member: User, other_member: User, django_capture_on_commit_callbacks: Any
) -> None:
    story_a = newsroom.add_story(title="Story A", slug="story-a")
    story_b = newsroom.add_story(title="Story B", slug="story-b")
    conversations.post_comment(author=other_member, target=story_b, body="On B")
    reading_member = signed_in(other_member)  # members get no page cache, only fragments
    reading_member.get(story_b.url)
    with counting_renders() as rendered:
        reading_member.get(story_b.url)
    assert "conversations/_comment_list.html" not in rendered  # the fragment is cached

    client, token = csrf_client(member)
    ct_id, obj_id = target_reference(story_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/en/ratings/{ct_id}/{obj_id}/", {"stars": "4", "csrfmiddlewaretoken": token}
        )
    assert response.status_code in (200, 302, 303)

    with counting_renders() as rendered:
        page = reading_member.get(story_b.url)
    assert page.status_code == 200
    assert "conversations/_comment_list.html" not in rendered
    assert "On B" in page.content.decode()


def test_a_fragment_is_built_again_only_when_a_scope_it_read_changes(newsroom: Any) -> None:
    story_a = newsroom.add_story(title="Story A", slug="story-a")
    story_b = newsroom.add_story(title="Story B", slug="story-b")
    builds: list[str] = []

    def fragment(story: Any) -> str:
        return cached_fragment(
            "test", [target_scope(story)], [], lambda: builds.append(story.title) or story.title
        )

    fragment(story_a), fragment(story_b)
    invalidate(target_scope(story_a))
    fragment(story_a), fragment(story_b)
    assert builds == ["Story A", "Story B", "Story A"]
    invalidate(collection_scope("fans"))  # not a scope these fragments read
    fragment(story_a), fragment(story_b)
    assert builds == ["Story A", "Story B", "Story A"]
    invalidate(SITE)  # every fragment reads the site
    fragment(story_a), fragment(story_b)
    assert builds == ["Story A", "Story B", "Story A", "Story A", "Story B"]


def test_a_change_that_rolls_back_changes_no_scope(
    newsroom: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django.db import transaction

    from gemeinsam.core.caching import versions

    story = newsroom.add_story()
    before = versions([target_scope(story)])

    @transaction.atomic
    def failing_write() -> None:
        public_content_changed(story)
        raise RuntimeError("the write fails")

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            failing_write()
        assert versions([target_scope(story)]) == before  # nothing before the commit
    assert versions([target_scope(story)]) == before  # nor after it: it never committed


def test_culling_pages_and_fragments_never_drops_a_scope_version(newsroom: Any) -> None:
    """Versions live apart from what is built on them: emptying the page and fragment cache
    (as culling does) leaves them, so other processes' entries are not all made stale."""
    from django.conf import settings
    from django.core.cache import cache

    from gemeinsam.core.caching import versions

    if settings.CACHES["default"] is settings.CACHES["scopes"]:
        pytest.skip("with Redis both are one server, which does not cull by count")
    story = newsroom.add_story()
    before = versions([SITE, target_scope(story)])
    cache.clear()
    assert versions([SITE, target_scope(story)]) == before


def test_a_publish_makes_every_page_stale(newsroom: Any) -> None:
    story = newsroom.add_story(title="Old", slug="story")
    reader = Client()
    reader.get(story.url)
    assert reader.get(story.url)["X-Cache"] == "hit"
    newsroom.add_story(title="Another one", slug="another")  # publishes: the site changed
    assert reader.get(story.url)["X-Cache"] == "miss"


def test_pages_without_declared_scopes_turn_stale_on_any_change(
    newsroom: Any, member: User, django_capture_on_commit_callbacks: Any
) -> None:
    """A view that does not say what it reads is kept only until anything changes."""
    story = newsroom.add_story()
    reader = Client()
    profile = f"/en/members/{member.pk}/"
    reader.get(profile)
    assert reader.get(profile)["X-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        _rate(member, story)
    assert reader.get(profile)["X-Cache"] == "miss"


# ------------------------------------------------------------------- Cache-Control


def test_anonymous_pages_may_be_shared_by_a_cdn_for_a_short_while(newsroom: Any) -> None:
    story = newsroom.add_story()
    for response in (Client().get(story.url), Client().get(story.url)):  # miss, then hit
        directives = {d.strip() for d in response["Cache-Control"].split(",")}
        assert {"public", "max-age=0", "s-maxage=30", "stale-while-revalidate=60"} <= directives
        assert not response.cookies


def test_pages_for_members_are_never_public(newsroom: Any, member: User) -> None:
    story = newsroom.add_story()
    response = signed_in(member).get(story.url)
    assert response.status_code == 200
    assert "public" not in response.get("Cache-Control", "")
    assert "private" in response["Cache-Control"]


@pytest.mark.parametrize("with_token_cookie", [False, True])
def test_a_page_that_hands_out_a_form_token_is_never_public_nor_cached(
    member: User, with_token_cookie: bool
) -> None:
    from django.contrib.contenttypes.models import ContentType

    content_type = ContentType.objects.get_for_model(User)
    reader = Client()
    if with_token_cookie:
        reader.get("/en/accounts/login/")  # the visitor holds a form token already
    report_form = f"/en/report/{content_type.pk}/{member.pk}/"
    for _ in range(2):
        response = reader.get(report_form)
        assert response.status_code == 200
        assert 'name="csrfmiddlewaretoken"' in response.content.decode()
        assert "csrftoken" in response.cookies
        assert "public" not in response.get("Cache-Control", "")
        assert "private" in response["Cache-Control"]
        assert "X-Cache" not in response  # the page cache keeps no copy of it


def test_the_cache_status_header_is_off_by_default(newsroom: Any, settings: Any) -> None:
    settings.CACHE_STATUS_HEADER = False
    story = newsroom.add_story()
    Client().get(story.url)
    assert "X-Cache" not in Client().get(story.url)


def test_a_change_while_an_undeclared_page_renders_leaves_it_stale(
    newsroom: Any, member: User
) -> None:
    """A view without declared scopes depends on any change: the version it is stored with
    is the one from before it read anything, so a change during the render is not lost."""
    story = newsroom.add_story()
    profile = f"/en/members/{member.pk}/"
    changes: list[str] = []

    def another_process_writes(sender: Any, **kwargs: Any) -> None:
        if not changes:
            changes.append("rated")
            invalidate(target_scope(story))

    template_rendered.connect(another_process_writes, dispatch_uid="write-meanwhile")
    try:
        reader = Client()
        assert reader.get(profile)["X-Cache"] == "miss"
    finally:
        template_rendered.disconnect(dispatch_uid="write-meanwhile")
    assert changes
    assert reader.get(profile)["X-Cache"] == "miss"  # the stored copy was stale at once
    assert reader.get(profile)["X-Cache"] == "hit"
