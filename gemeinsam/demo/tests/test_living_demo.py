"""A newcomer's first look at the demo shows a community in both languages: fans, comments
and replies, ratings, faves, shares and discussions, with counts that match the rows."""

from __future__ import annotations

import re
from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Count, Sum
from django.test import Client
from django.utils.html import strip_tags
from wagtail.models import Page

from gemeinsam.accounts.models import User
from gemeinsam.community.models import Activity, EngagementCount, Fan, Fave, Share
from gemeinsam.conversations.models import Comment, DiscussionThread
from gemeinsam.core.engagement import target_reference
from gemeinsam.demo.community import MEMBER_PASSWORD, MEMBERS, member_email
from gemeinsam.newsroom.models import HomePage
from gemeinsam.ratings.models import Rating, RatingAggregate

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture
def demo(run_seed_demo: Callable[[], str]) -> None:
    run_seed_demo()


def _text(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return " ".join(strip_tags(response.content.decode()).split())


def _fans(text: str, word: str) -> int:
    match = re.search(rf"([\d,.]+) {word}\b", text)
    assert match is not None, text[:500]
    return int(match.group(1).replace(",", "").replace(".", ""))


def test_the_home_page_shows_the_fans_in_both_languages(demo: None) -> None:
    client = Client()
    fans = Fan.objects.count()
    assert fans > 0
    assert _fans(_text(client, "/en/"), "fans") == fans
    assert _fans(_text(client, "/de/"), "Fans") == fans


def test_the_founders_talk_shows_its_rating_comments_and_replies(demo: None) -> None:
    client = Client()
    talk = Page.objects.get(slug="founders-talk").specific
    text = _text(client, talk.url)
    assert "8.3/10 (11 ratings)" in text
    assert Comment.objects.for_target(*target_reference(talk)).count() == 7
    assert "7 comments" in text
    assert "Thank you for starting this!" in text
    assert "The bakery roof still delivers" in text  # a reply to a reply
    assert "Tom Fletcher" in text


def test_the_german_founders_talk_is_discussed_in_german(demo: None) -> None:
    client = Client()
    text = _text(client, Page.objects.get(slug="gruendergespraech").url)
    assert "8,6/10 (7 Bewertungen)" in text
    assert "Ich war beim Jubiläumsabend dabei" in text
    assert "Marie Schubert" in text


def test_discussions_have_replies_in_both_languages(demo: None) -> None:
    client = Client()
    assert "Roofs and panels" in _text(client, "/en/comments/discussions/")
    assert "Which roof should come after the tram depot?" in _text(
        client, "/en/comments/discussions/roofs/"
    )
    thread = DiscussionThread.objects.get(title="Wer kommt mit zur Generalversammlung?")
    text = _text(client, f"/de{thread.get_absolute_url().removeprefix('/en')}")
    assert "Wunderbar, dann sind wir schon zu viert." in text
    for thread in DiscussionThread.objects.all():
        replies = Comment.objects.for_target(*target_reference(thread)).count()
        assert thread.reply_count == replies > 0


def test_every_count_shown_matches_the_rows(demo: None) -> None:
    assert Fave.objects.count() > 0
    assert Share.objects.count() > 0
    for count in EngagementCount.objects.all():
        reference = {"content_type_id": count.content_type_id, "object_id": count.object_id}
        assert count.faves == Fave.objects.filter(**reference).count()
        assert count.shares == Share.objects.filter(**reference).count()
    for comment in Comment.objects.all():
        faves = Fave.objects.filter(content_type__model="comment", object_id=comment.pk).count()
        assert comment.fave_count == faves
        assert (
            comment.reply_count == Comment.objects.filter(path__startswith=comment.path).count() - 1
        )
    assert Comment.objects.filter(fave_count__gt=0).exists()
    for aggregate in RatingAggregate.objects.all():
        rows = Rating.objects.filter(
            content_type_id=aggregate.content_type_id, object_id=aggregate.object_id
        ).aggregate(count=Count("id"), total=Sum("value"))
        assert (aggregate.count, aggregate.total) == (rows["count"], rows["total"])
    # The services announced every action, so the members' home feeds have it.
    assert Activity.objects.filter(verb=Activity.Verb.RATED).count() == Rating.objects.count()
    assert Activity.objects.filter(verb=Activity.Verb.FAVED).count() == Fave.objects.count()


def test_a_demo_member_signs_in_with_the_documented_password(demo: None) -> None:
    client = Client()
    assert client.login(email=member_email(MEMBERS[0].key), password=MEMBER_PASSWORD)
    assert client.get("/en/community/feed/").status_code == 200


def test_a_site_with_its_own_content_gets_no_demo_members(newsroom: Any) -> None:
    assert HomePage.objects.exists()
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "nothing changed" in out.getvalue()
    assert not User.objects.filter(email__in=[member_email(m.key) for m in MEMBERS]).exists()


def test_seeding_again_leaves_a_deactivated_demo_member_out(
    demo: None, run_seed_demo: Callable[[], str]
) -> None:
    tom = User.objects.get(email=member_email("tom"))
    User.objects.filter(pk=tom.pk).update(is_active=False)
    Fave.objects.filter(user=tom).delete()

    assert "nothing changed" in run_seed_demo()
    assert not Fave.objects.filter(user=tom).exists()
    assert User.objects.filter(email=member_email("tom"), is_active=False).count() == 1
