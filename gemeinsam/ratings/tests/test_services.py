"""Rating services: exact aggregates, the 1–5 scale, authorisation, limits and events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine

from gemeinsam.core.engagement import target_reference
from gemeinsam.core.events import activity_happened
from gemeinsam.core.ratelimit import RateLimitedError
from gemeinsam.ratings import services
from gemeinsam.ratings.models import Rating, RatingAggregate
from gemeinsam.ratings.selectors import rating_summary

pytestmark = pytest.mark.django_db


def rate(user: Any, story: Any, stars: int) -> services.RatingOutcome:
    ct_id, obj_id = target_reference(story)
    return services.rate_item(user=user, content_type_id=ct_id, object_id=obj_id, stars=stars)


def unrate(user: Any, story: Any) -> services.RatingOutcome:
    ct_id, obj_id = target_reference(story)
    return services.remove_rating(user=user, content_type_id=ct_id, object_id=obj_id)


def aggregate_of(story: Any) -> RatingAggregate:
    ct_id, obj_id = target_reference(story)
    return RatingAggregate.objects.get(content_type_id=ct_id, object_id=obj_id)


def test_rating_changing_and_removing_keep_the_aggregate_exact(story, make_member):
    alice, bob, carol = make_member(), make_member(), make_member()
    rate(alice, story, 8)
    rate(bob, story, 10)
    rate(carol, story, 3)
    aggregate = aggregate_of(story)
    assert (aggregate.count, aggregate.total) == (3, 21)
    assert aggregate.stored_distribution() == [0, 0, 1, 0, 0, 0, 0, 1, 0, 1]

    outcome = rate(alice, story, 5)
    assert outcome.changed
    aggregate = aggregate_of(story)
    assert (aggregate.count, aggregate.total) == (3, 18)
    assert aggregate.stored_distribution() == [0, 0, 1, 0, 1, 0, 0, 0, 0, 1]

    assert unrate(bob, story).changed
    aggregate = aggregate_of(story)
    assert (aggregate.count, aggregate.total) == (2, 8)
    assert aggregate.stored_distribution() == [0, 0, 1, 0, 1, 0, 0, 0, 0, 0]
    assert Rating.objects.count() == 2

    summary = rating_summary(target=story, user=alice)
    assert summary.count == 2
    assert summary.average == 4.0
    assert summary.member_stars == 5
    assert [row.count for row in summary.distribution] == [0, 0, 0, 0, 0, 1, 0, 1, 0, 0]


def test_rating_the_same_value_again_changes_nothing(story, member):
    rate(member, story, 7)
    assert rate(member, story, 7).changed is False
    aggregate = aggregate_of(story)
    assert (aggregate.count, aggregate.total) == (1, 7)
    assert Rating.objects.get().value == 7


def test_removing_a_rating_that_does_not_exist_changes_nothing(story, member):
    assert unrate(member, story).changed is False
    assert not RatingAggregate.objects.exists()


def test_on_the_five_star_scale_stars_are_stored_doubled_and_shown_halved(
    story, make_member, settings
):
    settings.GEMEINSAM_RATING_SCALE = 5
    alice, bob = make_member(), make_member()
    rate(alice, story, 4)
    rate(bob, story, 5)
    assert sorted(Rating.objects.values_list("value", flat=True)) == [8, 10]
    summary = rating_summary(target=story, user=alice)
    assert summary.scale == 5
    assert summary.average == 4.5
    assert summary.member_stars == 4
    assert [(row.stars, row.count) for row in summary.distribution] == [
        (5, 1),
        (4, 1),
        (3, 0),
        (2, 0),
        (1, 0),
    ]


def test_ratings_keep_their_meaning_when_the_scale_changes(story, make_member, settings):
    alice, bob = make_member(), make_member()
    rate(alice, story, 7)  # on the 1–10 scale
    settings.GEMEINSAM_RATING_SCALE = "5"
    rate(bob, story, 2)  # stored as 4
    summary = rating_summary(target=story, user=alice)
    assert summary.average == pytest.approx(2.75)
    assert summary.member_stars == 4  # 7/10 rounds up to 4 of 5 stars
    assert [row.count for row in summary.distribution] == [0, 1, 0, 1, 0]
    settings.GEMEINSAM_RATING_SCALE = 10
    summary = rating_summary(target=story, user=alice)
    assert summary.average == 5.5
    assert summary.member_stars == 7


def test_stars_outside_the_scale_are_refused(story, member, settings):
    for stars in (0, 11, -1):
        with pytest.raises(services.InvalidStarsError):
            rate(member, story, stars)
    settings.GEMEINSAM_RATING_SCALE = 5
    with pytest.raises(services.InvalidStarsError, match="1 to 5"):
        rate(member, story, 6)
    assert not Rating.objects.exists()


def test_anonymous_and_inactive_users_cannot_rate(story, make_member):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(services.SignInRequiredError):
        rate(AnonymousUser(), story, 5)
    with pytest.raises(services.SignInRequiredError):
        rate(make_member(is_active=False), story, 5)
    assert not Rating.objects.exists()


def test_unpublished_and_unknown_targets_cannot_be_rated(newsroom, member):
    draft = newsroom.add_story(title="Draft", publish=False)
    with pytest.raises(services.TargetNotRateableError):
        rate(member, draft, 5)
    with pytest.raises(services.TargetNotRateableError):
        services.rate_item(user=member, content_type_id=999_999, object_id=1, stars=5)
    with pytest.raises(services.TargetNotRateableError):
        services.rate_item(
            user=member, content_type_id=target_reference(member)[0], object_id=member.pk, stars=5
        )
    assert not Rating.objects.exists()


def test_a_member_is_limited_to_thirty_rating_writes_a_minute(story, member):
    # The limit counts per minute; starting on a minute keeps all the writes in one.
    start = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)
    with time_machine.travel(start, tick=True):
        _rate_past_the_limit(story, member)


def _rate_past_the_limit(story: Any, member: Any) -> None:
    for index in range(services.RATE_LIMIT):
        rate(member, story, index % 10 + 1)
    with pytest.raises(RateLimitedError) as raised:
        rate(member, story, 4)
    assert raised.value.retry_after > 0
    assert Rating.objects.get().value == (services.RATE_LIMIT - 1) % 10 + 1


def test_rating_announces_the_stars_after_commit(story, member, django_capture_on_commit_callbacks):
    received: list[dict[str, Any]] = []

    def receiver(sender: Any, **kwargs: Any) -> None:
        received.append(kwargs)

    activity_happened.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            rate(member, story, 9)
        with django_capture_on_commit_callbacks(execute=True):
            rate(member, story, 9)  # unchanged: no second announcement
    finally:
        activity_happened.disconnect(receiver)
    assert len(received) == 1
    assert received[0]["verb"] == "rated"
    assert received[0]["actor"] == member
    assert received[0]["target"].pk == story.pk
    assert received[0]["context"]["stars"] == 9


def test_rating_changes_the_items_scope_on_commit_and_no_other(
    story, member, django_capture_on_commit_callbacks
):
    from gemeinsam.core.caching import SITE, target_scope, versions

    scopes = [target_scope(story), SITE]
    before = versions(scopes)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        rate(member, story, 6)
    assert versions(scopes) == before
    for callback in callbacks:
        callback()
    after = versions(scopes)
    assert after[target_scope(story)] != before[target_scope(story)]
    assert after[SITE] == before[SITE]


def test_deleting_a_member_removes_their_ratings_from_every_aggregate(newsroom, make_member):
    first = newsroom.add_story(title="First")
    second = newsroom.add_story(title="Second")
    leaving, staying = make_member(), make_member()
    rate(leaving, first, 10)
    rate(leaving, second, 2)
    rate(staying, first, 4)
    first.unpublish()  # ratings of items no longer public go too

    assert services.delete_member_ratings(user=leaving) == 2
    assert not Rating.objects.filter(user=leaving).exists()
    first_aggregate, second_aggregate = aggregate_of(first), aggregate_of(second)
    assert (first_aggregate.count, first_aggregate.total) == (1, 4)
    assert first_aggregate.stored_distribution() == [0, 0, 0, 1, 0, 0, 0, 0, 0, 0]
    assert (second_aggregate.count, second_aggregate.total) == (0, 0)
    assert services.delete_member_ratings(user=leaving) == 0


def test_ratings_are_registered_as_personal_data_with_a_custom_deletion(story, member):
    from gemeinsam.core.personal_data import registered

    entry = next(entry for entry in registered() if entry.model is Rating)
    assert entry.user_field == "user"
    assert entry.policy == "custom"
    assert entry.on_delete is not None
    rate(member, story, 8)
    entry.on_delete(Rating.objects.filter(user=member), {})
    assert not Rating.objects.exists()
    assert aggregate_of(story).count == 0


def test_rebuilding_an_aggregate_recounts_its_ratings(story, make_member):
    alice, bob = make_member(), make_member()
    rate(alice, story, 3)
    rate(bob, story, 9)
    RatingAggregate.objects.update(count=0, total=0, stars_3=0)
    ct_id, obj_id = target_reference(story)
    rebuilt = services.rebuild_aggregate(content_type_id=ct_id, object_id=obj_id)
    assert (rebuilt.count, rebuilt.total) == (2, 12)
    assert rebuilt.stored_distribution() == [0, 0, 1, 0, 0, 0, 0, 0, 1, 0]


def test_the_database_allows_one_rating_per_member_and_item(story, member):
    from django.db import IntegrityError, transaction

    rate(member, story, 5)
    ct_id, obj_id = target_reference(story)
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(user=member, content_type_id=ct_id, object_id=obj_id, value=6)
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.filter(user=member).update(value=11)


def test_a_members_data_export_lists_their_ratings(story, member):
    import io
    import json
    import zipfile

    from gemeinsam.core.privacy import export_member_data

    rate(member, story, 8)
    archive = zipfile.ZipFile(io.BytesIO(export_member_data(member)))
    records = json.loads(archive.read("ratings-rating-user.json"))
    assert len(records) == 1
    assert records[0]["value"] == 8
    assert records[0]["object_id"] == story.pk
    assert records[0]["item_type"] == "newsroom.articlepage"
    assert "ratings-rating-user.json" in archive.read("README.md").decode()


def test_purging_a_member_takes_their_ratings_out_of_the_aggregates(story, make_member):
    from gemeinsam.core.privacy import purge_member

    leaving, staying = make_member(), make_member()
    rate(leaving, story, 10)
    rate(staying, story, 6)
    purge_member(user_id=leaving.pk)
    assert list(Rating.objects.values_list("user_id", "value")) == [(staying.pk, 6)]
    aggregate = aggregate_of(story)
    assert (aggregate.count, aggregate.total) == (1, 6)
    assert aggregate.stored_distribution() == [0, 0, 0, 0, 0, 1, 0, 0, 0, 0]


def test_rating_an_item_of_a_kind_that_is_not_rateable_is_refused(
    newsroom: Any, make_member: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A public item whose kind has ``rateable = False`` (contest entries, say) is refused
    with its own error, and nothing is stored."""
    from django.db.models import QuerySet

    from gemeinsam.core import engagement
    from gemeinsam.newsroom.models import Author

    class EntryKind(engagement.TargetKind[Author]):
        model = Author
        label = "entry"
        rateable = False

        def get_url(self, obj: Author) -> str:
            return f"/en/entries/{obj.pk}/"

        def get_title(self, obj: Author) -> str:
            return str(obj.name)

        def is_public(self, obj: Author) -> bool:
            return True

        def public_queryset(self) -> QuerySet[Author]:
            return Author.objects.all()

    monkeypatch.setattr(engagement, "_kinds", {**engagement._kinds, Author: EntryKind()})
    entry = Author.objects.create(name="Entry", slug="entry")

    with pytest.raises(services.KindNotRateableError):
        rate(make_member(), entry, 4)
    assert not Rating.objects.exists()
    assert not RatingAggregate.objects.exists()


def test_rating_a_profile_is_refused_as_not_rateable(make_member: Any) -> None:
    with pytest.raises(services.KindNotRateableError):
        rate(make_member(), make_member(), 3)
