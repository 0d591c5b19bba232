"""Reads for ratings: an item's summary on the site's scale, in one query; many items' in one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery

from gemeinsam.core.engagement import EngagementState, Ref, refs_condition, target_reference
from gemeinsam.ratings.models import (
    STORED_MAX,
    Rating,
    RatingAggregate,
    rating_scale,
    to_stars,
)


@dataclass(frozen=True)
class StarsCount:
    """How many members gave ``stars`` stars, and their share of all ratings (0–100)."""

    stars: int
    count: int
    percent: int


@dataclass(frozen=True)
class RatingSummary:
    """An item's ratings as the site shows them now."""

    content_type_id: int
    object_id: int
    scale: int
    count: int
    # The mean on the site's scale, None without ratings.
    average: float | None
    # Highest stars first.
    distribution: list[StarsCount]
    # The viewing member's stars on the site's scale, None if they have not rated.
    member_stars: int | None


def summarise(
    *,
    content_type_id: int,
    object_id: int,
    scale: int,
    stored_distribution: list[int],
    stored_member_value: int | None,
) -> RatingSummary:
    """Fold a stored 1–10 distribution into a summary on ``scale``."""
    step = STORED_MAX // scale
    folded = [0] * scale
    for index, amount in enumerate(stored_distribution):
        folded[to_stars(index + 1, scale) - 1] += amount
    count = sum(stored_distribution)
    total = sum((index + 1) * amount for index, amount in enumerate(stored_distribution))
    distribution = [
        StarsCount(
            stars=stars,
            count=folded[stars - 1],
            percent=round(100 * folded[stars - 1] / count) if count else 0,
        )
        for stars in range(scale, 0, -1)
    ]
    return RatingSummary(
        content_type_id=content_type_id,
        object_id=object_id,
        scale=scale,
        count=count,
        average=total / count / step if count else None,
        distribution=distribution,
        member_stars=(
            to_stars(stored_member_value, scale) if stored_member_value is not None else None
        ),
    )


def rating_summary(*, target: Any, user: Any = None) -> RatingSummary:
    """Average, count and distribution of ``target``'s ratings, and ``user``'s own stars.

    One query (the content type comes from Django's cache): the aggregate row, with the
    member's value as a subquery. An item without an aggregate row has no ratings.
    """
    scale = rating_scale()
    ct_id, obj_id = target_reference(target)
    rows = _with_member_value(
        RatingAggregate.objects.filter(content_type_id=ct_id, object_id=obj_id), user
    )
    aggregate = rows.first()
    if aggregate is None:
        stored, member_value = [0] * STORED_MAX, None
    else:
        stored = aggregate.stored_distribution()
        member_value = getattr(aggregate, "member_value", None)
    return summarise(
        content_type_id=ct_id,
        object_id=obj_id,
        scale=scale,
        stored_distribution=stored,
        stored_member_value=member_value,
    )


def _with_member_value(rows: QuerySet[RatingAggregate], user: Any) -> QuerySet[RatingAggregate]:
    """``rows`` annotated with ``member_value``, ``user``'s stored rating (a subquery)."""
    if not getattr(user, "is_authenticated", False):
        return rows
    mine = Rating.objects.filter(
        user_id=user.pk,
        content_type_id=OuterRef("content_type_id"),
        object_id=OuterRef("object_id"),
    ).values("value")[:1]
    return rows.annotate(member_value=Subquery(mine))


def read_rating_state(viewer: Any, refs: list[Ref], states: dict[Ref, EngagementState]) -> None:
    """How many rated each of ``refs``, the average and the viewer's own stars, in one
    query; the ratings' part of ``engagement_state``."""
    scale = rating_scale()
    rows = _with_member_value(RatingAggregate.objects.filter(refs_condition(refs)), viewer)
    for aggregate in rows:
        ref = (aggregate.content_type_id, aggregate.object_id)
        summary = summarise(
            content_type_id=ref[0],
            object_id=ref[1],
            scale=scale,
            stored_distribution=aggregate.stored_distribution(),
            stored_member_value=getattr(aggregate, "member_value", None),
        )
        state = states[ref]
        state.ratings, state.average_stars = summary.count, summary.average
        state.member_stars = summary.member_stars
