"""The registry of target kinds: every kind keeps the promises of its flags, every model that
engagement rows point at is registered, and lookups fail with specific errors."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db import models

from gemeinsam.accounts.models import User
from gemeinsam.community import services as community
from gemeinsam.conversations import services as conversations
from gemeinsam.conversations.models import DiscussionTopic
from gemeinsam.core.engagement import (
    Capability,
    CapabilityNotOfferedError,
    EngagementState,
    TargetKind,
    TargetNotFoundError,
    UnregisteredKindError,
    engagement_state,
    kind_of,
    registered_kinds,
    resolve_public_target,
    resolve_target,
    target_reference,
)
from gemeinsam.moderation import services as moderation
from gemeinsam.newsroom.models import Author
from gemeinsam.ratings import services as ratings


def _overrides(kind: TargetKind[Any], method: str) -> bool:
    return getattr(type(kind), method) is not getattr(TargetKind, method)


@pytest.mark.django_db
def test_every_registered_kind_implements_what_its_flags_promise() -> None:
    kinds = registered_kinds()
    assert {kind.label for kind in kinds} >= {"story", "comment", "thread", "profile"}
    assert len({kind.label for kind in kinds}) == len(kinds), "labels must be unique"
    for kind in kinds:
        assert kind.public_queryset().model is kind.model, kind.label
        hides = _overrides(kind, "set_hidden") and _overrides(kind, "is_hidden")
        assert kind.hideable == hides, f"{kind.label}: hideable needs set_hidden and is_hidden"
        if kind.followable:
            # Followers hear of every new comment, so there must be comments to hear of.
            assert kind.commentable, f"{kind.label}: followable but not commentable"
        if _overrides(kind, "closed_reason"):
            assert kind.commentable, f"{kind.label}: closes comments it does not take"
        for capability in Capability:
            assert isinstance(kind.offers(capability), bool)


def _engagement_tables() -> list[type[models.Model]]:
    """Every model whose rows point at an item through a content type and an object id."""
    found = []
    for model in apps.get_models():
        if not model.__module__.startswith("gemeinsam."):
            continue
        names = {field.name for field in model._meta.get_fields()}
        if {"content_type", "object_id"} <= names:
            related = model._meta.get_field("content_type").related_model
            if related is ContentType:
                found.append(model)
    return found


@pytest.mark.django_db
def test_every_model_with_engagement_rows_is_registered(newsroom: Any) -> None:
    """Engage with one item of every kind in every way the services offer, then check that
    every engagement table names only registered kinds."""
    tables = {model._meta.label for model in _engagement_tables()}
    assert tables >= {
        "community.Fave",
        "community.Share",
        "community.EngagementCount",
        "community.Activity",
        "community.ItemFollow",
        "conversations.Comment",
        "ratings.Rating",
        "ratings.RatingAggregate",
        "moderation.Report",
    }
    alice = User.objects.create_user(email="alice@example.org", password="correct-horse-9")
    bob = User.objects.create_user(email="bob@example.org", password="correct-horse-9")
    story = newsroom.add_story(title="Engaged")
    topic = DiscussionTopic.objects.create(name="Town", slug="town")
    thread = conversations.start_thread(author=alice, topic=topic, title="Hello town", body="Hello")
    comment = conversations.post_comment(author=alice, target=story, body="Nice @bob")
    for target in (story, comment, thread):
        community.set_fave(user=bob, target=target, faved=True)
        community.set_share(user=bob, target=target, shared=True)
        ct_id, obj_id = target_reference(target)
        ratings.rate_item(user=bob, content_type_id=ct_id, object_id=obj_id, stars=4)
        moderation.report_content(reporter=bob, target=comment, reason="spam")
    conversations.post_comment(author=bob, target=thread, body="Reply")
    community.set_item_follow(user=bob, target=thread, following=True)
    community.follow_member(user=bob, member=alice)
    moderation.report_content(reporter=bob, target=alice, reason="spam")

    for model in _engagement_tables():
        for content_type_id in set(
            model._default_manager.values_list("content_type_id", flat=True)
        ):
            if content_type_id is None:
                continue
            named = ContentType.objects.get_for_id(content_type_id).model_class()
            assert named is not None
            kind_of(named)  # raises UnregisteredKindError for a model nobody registered


@pytest.mark.django_db
def test_lookups_raise_specific_errors(newsroom: Any, member: User) -> None:
    story = newsroom.add_story(title="Found")
    ct_id, obj_id = target_reference(story)
    assert resolve_public_target(ct_id, obj_id, capability=Capability.RATE) == story
    with pytest.raises(TargetNotFoundError):
        resolve_public_target(ct_id, obj_id + 1000, capability=Capability.RATE)
    with pytest.raises(TargetNotFoundError):
        resolve_target(ContentType.objects.get_for_model(Author).pk, 1)
    with pytest.raises(UnregisteredKindError):
        kind_of(Author)
    profile_ct, profile_id = target_reference(member)
    with pytest.raises(CapabilityNotOfferedError) as refused:
        resolve_public_target(profile_ct, profile_id, capability=Capability.FAVE)
    assert refused.value.capability is Capability.FAVE
    assert resolve_public_target(profile_ct, profile_id, capability=Capability.HIDE) == member
    story.unpublish()
    with pytest.raises(TargetNotFoundError):
        resolve_public_target(ct_id, obj_id, capability=None)
    assert resolve_target(ct_id, obj_id) == story


@pytest.mark.django_db
def test_engagement_state_of_48_cards_costs_the_queries_of_one(
    newsroom: Any, member: User, django_assert_num_queries: Any
) -> None:
    """Fave and share counts, the member's own faves and shares, the rating summary and the
    comment count: one query per table, for one card or a gallery of 48."""
    stories = [newsroom.add_story(title=f"Card {number}") for number in range(48)]
    other = User.objects.create_user(email="other@example.org", password="correct-horse-9")
    first, last = stories[0], stories[-1]
    community.set_fave(user=member, target=first, faved=True)
    community.set_fave(user=other, target=first, faved=True)
    community.set_share(user=other, target=last, shared=True)
    for user, stars in ((member, 8), (other, 4)):
        ct_id, obj_id = target_reference(first)
        ratings.rate_item(user=user, content_type_id=ct_id, object_id=obj_id, stars=stars)
    conversations.post_comment(author=other, target=last, body="First!")
    engagement_state(member, stories)  # content types come from Django's cache after this

    with django_assert_num_queries(5):
        engagement_state(member, stories[:1])
    with django_assert_num_queries(5):
        states = engagement_state(member, stories)
    with django_assert_num_queries(3):  # a visitor has no faves, shares or stars of their own
        engagement_state(AnonymousUser(), stories)

    assert states[first] == EngagementState(
        faves=2, has_faved=True, ratings=2, average_stars=6.0, member_stars=8
    )
    assert states[last] == EngagementState(shares=1, comments=1)
    assert states[stories[1]] == EngagementState()
    assert len(states) == 48
