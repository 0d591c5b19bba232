"""The shared, cached comment list: right for every viewer, fresh after every change."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from gemeinsam.accounts.models import User
from gemeinsam.accounts.services import block_member
from gemeinsam.conversations.tests.factories import make_comment
from gemeinsam.core.caching import invalidate, target_scope
from gemeinsam.core.engagement import target_reference
from gemeinsam.core.tests.support import signed_in

pytestmark = pytest.mark.django_db


def comments_html(client: Client, story: Any) -> str:
    html = client.get(story.url).content.decode()
    return html[html.index('id="comments"') :]


def test_own_comments_keep_their_controls_when_the_list_comes_from_the_cache(
    story: Any, member: User, other_member: User
) -> None:
    mine = make_comment(target=story, author=member, body="Mine to edit")
    theirs = make_comment(target=story, author=other_member, body="Not mine")
    invalidate(target_scope(story))
    # The other member renders (and caches) the list members share.
    others_view = comments_html(signed_in(other_member), story)
    assert f"/comments/{theirs.pk}/edit/" in others_view
    assert f"/comments/{mine.pk}/edit/" not in others_view
    # The author gets the cached list with their own comment put in place, controls included.
    own_view = comments_html(signed_in(member), story)
    assert f"/comments/{mine.pk}/edit/" in own_view
    assert f"/comments/{mine.pk}/delete/" in own_view
    assert f"/comments/{theirs.pk}/edit/" not in own_view
    assert own_view.count(f'id="comment-{mine.pk}"') == 1
    # Readers get their own version: no reply links, no controls.
    reader_view = comments_html(Client(), story)
    assert "Not mine" in reader_view
    assert f"/comments/{mine.pk}/reply/" not in reader_view
    assert f"/comments/{mine.pk}/reply/" in others_view


def test_a_new_comment_shows_at_once_for_everyone(
    story: Any, member: User, django_capture_on_commit_callbacks: Any
) -> None:
    reader = Client()
    assert "A first thought" not in comments_html(reader, story)
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    client.get(story.url)
    token = client.cookies["csrftoken"].value
    content_type_id, object_id = target_reference(story)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/en/comments/{content_type_id}/{object_id}/",
            {"body": "A first thought", "csrfmiddlewaretoken": token},
        )
    assert response.status_code == 303
    assert "A first thought" in comments_html(reader, story)
    assert "1 comment" in reader.get(story.url).content.decode()


def test_blocked_members_get_a_list_of_their_own(
    story: Any, member: User, other_member: User
) -> None:
    make_comment(target=story, author=other_member, body="From the blocked one")
    invalidate(target_scope(story))
    assert "From the blocked one" in comments_html(signed_in(member), story)  # cached now
    block_member(actor=member, target=other_member)
    assert "From the blocked one" not in comments_html(signed_in(member), story)
    assert "From the blocked one" in comments_html(Client(), story)


def test_moderators_see_their_controls_on_every_comment(
    story: Any, member: User, other_member: User
) -> None:
    comment = make_comment(target=story, author=other_member, body="Anyone's comment")
    invalidate(target_scope(story))
    comments_html(signed_in(member), story)  # the shared member list is cached
    moderator = User.objects.create_user(email="mod@example.org", password="x-x-x-x-9")
    moderator.is_staff = True
    moderator.save()
    moderator.user_permissions.add(
        Permission.objects.get(codename="delete_comment", content_type__app_label="conversations")
    )
    assert f"/comments/{comment.pk}/delete/" in comments_html(signed_in(moderator), story)
