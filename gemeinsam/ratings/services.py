"""Writes for ratings: rate an item, remove a rating, remove a leaving member's ratings.

Locking: every write to the ratings of one item first locks that item's aggregate row
(``SELECT … FOR UPDATE`` on PostgreSQL; SQLite serialises whole write transactions), creating
the row when it is missing. The unique constraint on the aggregate settles two first raters
racing to create it: the loser's insert fails inside a savepoint and it locks the winner's
row instead. Holding that lock, a writer reads the member's current rating, writes the rating
and moves the aggregate with ``F()`` expressions, all in one transaction, so count, sum and
distribution stay exact under any concurrency. Writers that touch several items (deleting a
member) lock the aggregates in (content type, object id) order, so they cannot deadlock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext as _

from gemeinsam.core.caching import public_content_changed, reference_scope
from gemeinsam.core.engagement import (
    Capability,
    CapabilityNotOfferedError,
    TargetError,
    resolve_public_target,
    target_reference,
)
from gemeinsam.core.events import Rated, announce
from gemeinsam.core.ratelimit import check as check_rate_limit
from gemeinsam.ratings.models import (
    STORED_MAX,
    Rating,
    RatingAggregate,
    rating_scale,
    to_stored,
)

# Rating writes (rate, change, remove) one member may make per window.
RATE_LIMIT = 30
RATE_PERIOD = 60
# Aggregates locked per query when a member's ratings are removed.
LOCK_BATCH = 500


class RatingError(Exception):
    """A rating write was refused; the message is shown to the member."""


class SignInRequiredError(RatingError):
    """Only signed-in, active members rate."""


class TargetNotRateableError(RatingError):
    """The item does not exist, is not public, or cannot be rated."""


class KindNotRateableError(TargetNotRateableError):
    """The item exists, but items of its kind are not rated (a member's profile)."""


class InvalidStarsError(RatingError):
    """The stars are outside the site's scale."""


@dataclass(frozen=True)
class RatingOutcome:
    """What a write did: the item, the member's rating now (None if removed), and
    whether anything changed."""

    target: Any
    rating: Rating | None
    changed: bool


def _check_member(user: Any) -> None:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        raise SignInRequiredError(_("Sign in to rate."))


def _check_rate(user: Any) -> None:
    check_rate_limit(
        f"ratings:write:{user.pk}",
        limit=RATE_LIMIT,
        period=RATE_PERIOD,
        message=_("You are rating very quickly. Please wait a minute and try again."),
    )


def _public_target(content_type_id: int, object_id: int) -> Any:
    try:
        return resolve_public_target(content_type_id, object_id, capability=Capability.RATE)
    except CapabilityNotOfferedError:
        raise KindNotRateableError(_("This item cannot be rated.")) from None
    except TargetError:
        raise TargetNotRateableError(_("This item cannot be rated.")) from None


def _locked_aggregate_id(content_type_id: int, object_id: int) -> int:
    """Lock the item's aggregate row until the transaction ends, creating it if missing."""
    locked = (
        RatingAggregate.objects.select_for_update()
        .filter(content_type_id=content_type_id, object_id=object_id)
        .values_list("pk", flat=True)
    )
    pk = locked.first()
    if pk is not None:
        return int(pk)
    try:
        with transaction.atomic():
            return int(
                RatingAggregate.objects.create(
                    content_type_id=content_type_id, object_id=object_id
                ).pk
            )
    except IntegrityError:
        # Another writer created it first; its commit released the unique index to us.
        pk = locked.first()
        if pk is None:
            raise
        return int(pk)


def _move_aggregate(aggregate_id: int, *, add: int | None, subtract: int | None) -> None:
    """Add one stored value to and/or take one from the aggregate, in the database."""
    if add == subtract:
        return
    updates: dict[str, Any] = {
        "count": F("count") + (1 if add else 0) - (1 if subtract else 0),
        "total": F("total") + (add or 0) - (subtract or 0),
    }
    if add:
        updates[f"stars_{add}"] = F(f"stars_{add}") + 1
    if subtract:
        updates[f"stars_{subtract}"] = F(f"stars_{subtract}") - 1
    RatingAggregate.objects.filter(pk=aggregate_id).update(**updates)


@transaction.atomic
def rate_item(*, user: Any, content_type_id: int, object_id: int, stars: int) -> RatingOutcome:
    """Give, or change, ``user``'s rating of a public item to ``stars`` on the site's scale.

    Preconditions: ``user`` is a signed-in, active member; the item is a registered, public
    target of a rateable kind; ``stars`` is within 1..scale; the member is under the rate
    limit. Raises :class:`SignInRequiredError`, :class:`InvalidStarsError`,
    :class:`TargetNotRateableError` (:class:`KindNotRateableError` for a kind that is not
    rated) or :class:`gemeinsam.core.ratelimit.RateLimitedError` otherwise.

    Side effects when the value changed: the aggregate moves in the same transaction;
    ``rated`` is announced and the item's cache scope changes once the transaction commits.
    """
    _check_member(user)
    scale = rating_scale()
    if isinstance(stars, bool) or not isinstance(stars, int) or not 1 <= stars <= scale:
        raise InvalidStarsError(_("Choose from 1 to %(scale)d stars.") % {"scale": scale})
    _check_rate(user)
    target = _public_target(content_type_id, object_id)
    ct_id, obj_id = target_reference(target)
    value = to_stored(stars, scale)
    aggregate_id = _locked_aggregate_id(ct_id, obj_id)
    rating = Rating.objects.filter(user=user, content_type_id=ct_id, object_id=obj_id).first()
    if rating is None:
        rating = Rating.objects.create(
            user=user, content_type_id=ct_id, object_id=obj_id, value=value
        )
        _move_aggregate(aggregate_id, add=value, subtract=None)
    elif rating.value != value:
        previous = rating.value
        rating.value = value
        rating.save(update_fields=["value", "updated_at"])
        _move_aggregate(aggregate_id, add=value, subtract=previous)
    else:
        return RatingOutcome(target=target, rating=rating, changed=False)
    announce(Rated(actor=user, target=target, stars=stars, scale=scale))
    public_content_changed(target)
    return RatingOutcome(target=target, rating=rating, changed=True)


@transaction.atomic
def remove_rating(*, user: Any, content_type_id: int, object_id: int) -> RatingOutcome:
    """Remove ``user``'s rating of a public item, if there is one.

    Preconditions and errors as for :func:`rate_item` (without the stars). Side effects when
    a rating was removed: the aggregate moves in the same transaction and public pages are
    purged on commit. Nothing is announced.
    """
    _check_member(user)
    _check_rate(user)
    target = _public_target(content_type_id, object_id)
    ct_id, obj_id = target_reference(target)
    ratings = Rating.objects.filter(user=user, content_type_id=ct_id, object_id=obj_id)
    if not ratings.exists():
        return RatingOutcome(target=target, rating=None, changed=False)
    aggregate_id = _locked_aggregate_id(ct_id, obj_id)
    rating = ratings.first()
    if rating is None:  # removed by a parallel request while we waited for the lock
        return RatingOutcome(target=target, rating=None, changed=False)
    rating.delete()
    _move_aggregate(aggregate_id, add=None, subtract=rating.value)
    public_content_changed(target)
    return RatingOutcome(target=target, rating=None, changed=True)


def _batches(items: list[tuple[int, int]], size: int) -> Iterable[list[tuple[int, int]]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@transaction.atomic
def delete_ratings(*, ratings: QuerySet[Rating]) -> int:
    """Delete the given ratings and take them out of their items' aggregates.

    Works for any set of ratings, public items or not (a leaving member's ratings of an
    unpublished story go too). Locks the aggregates involved in a fixed order. Returns how
    many ratings were deleted; purges public pages on commit when any were.
    """
    aggregate_ids: dict[tuple[int, int], int] = {}
    while True:
        # Lock the aggregates of every item involved, then read the ratings under those
        # locks; a rating of a further item given meanwhile sends us round once more.
        rows = list(
            ratings.order_by("pk").values_list("pk", "content_type_id", "object_id", "value")
        )
        missing = sorted({(row[1], row[2]) for row in rows} - aggregate_ids.keys())
        if not missing:
            break
        aggregate_ids.update(_lock_aggregates(missing))
        for target in missing:  # a rating without an aggregate row: give it one
            if target not in aggregate_ids:
                aggregate_ids[target] = _locked_aggregate_id(*target)
                rebuild_aggregate(content_type_id=target[0], object_id=target[1])
    for _pk, ct_id, obj_id, value in rows:
        _move_aggregate(aggregate_ids[(ct_id, obj_id)], add=None, subtract=value)
    pks = [row[0] for row in rows]
    for start in range(0, len(pks), LOCK_BATCH):
        Rating.objects.filter(pk__in=pks[start : start + LOCK_BATCH]).delete()
    if pks:
        public_content_changed(*{reference_scope(ct_id, obj_id) for _pk, ct_id, obj_id, _v in rows})
    return len(pks)


def _lock_aggregates(targets: list[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """Lock the existing aggregates of ``targets`` in (content type, object id) order."""
    found: dict[tuple[int, int], int] = {}
    for batch in _batches(targets, LOCK_BATCH):
        condition = Q()
        for ct_id, obj_id in batch:
            condition |= Q(content_type_id=ct_id, object_id=obj_id)
        locked = (
            RatingAggregate.objects.select_for_update()
            .filter(condition)
            .order_by("content_type_id", "object_id")
            .values_list("content_type_id", "object_id", "pk")
        )
        found.update({(ct_id, obj_id): pk for ct_id, obj_id, pk in locked})
    return found


def delete_member_ratings(*, user: Any) -> int:
    """Delete every rating ``user`` gave and subtract each from its item's aggregate.

    Used when a member deletes their account; returns how many ratings went.
    """
    return delete_ratings(ratings=Rating.objects.filter(user_id=user.pk))


@transaction.atomic
@transaction.atomic
def rebuild_aggregate(*, content_type_id: int, object_id: int) -> RatingAggregate:
    """Recount one item's aggregate from its ratings, holding its lock.

    For repairs after a bulk delete that bypassed these services. Purges public pages on
    commit.
    """
    aggregate_id = _locked_aggregate_id(content_type_id, object_id)
    values = Rating.objects.filter(content_type_id=content_type_id, object_id=object_id)
    distribution = [0] * STORED_MAX
    for value in values.values_list("value", flat=True):
        distribution[value - 1] += 1
    fields: dict[str, Any] = {
        f"stars_{index + 1}": amount for index, amount in enumerate(distribution)
    }
    fields["count"] = sum(distribution)
    fields["total"] = sum((index + 1) * amount for index, amount in enumerate(distribution))
    RatingAggregate.objects.filter(pk=aggregate_id).update(**fields)
    public_content_changed(reference_scope(content_type_id, object_id))
    return RatingAggregate.objects.get(pk=aggregate_id)
