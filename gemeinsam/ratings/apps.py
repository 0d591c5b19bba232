"""Ratings: one rating per member per item, with exact aggregates."""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _


def _delete_ratings(ratings: QuerySet[Any], options: dict[str, Any]) -> None:
    from gemeinsam.ratings.services import delete_ratings

    delete_ratings(ratings=ratings)


class RatingsConfig(AppConfig):
    name = "gemeinsam.ratings"
    label = "ratings"
    verbose_name = _("Ratings")

    def ready(self) -> None:
        from gemeinsam.core.engagement import register_state_reader
        from gemeinsam.core.personal_data import PersonalData, register_personal_data
        from gemeinsam.ratings.models import Rating
        from gemeinsam.ratings.selectors import read_rating_state

        register_state_reader(read_rating_state)

        register_personal_data(
            PersonalData(
                model=Rating,
                user_field="user",
                description=(
                    "One rating you gave to an item, stored on a 1 to 10 scale "
                    "(on a 1 to 5 scale, k stars are stored as 2k)."
                ),
                fields={
                    "item_type": "The kind of item you rated, e.g. newsroom.articlepage.",
                    "object_id": "The number of the item you rated.",
                    "value": "Your rating on the 1 to 10 scale.",
                    "created_at": "When you first rated the item.",
                    "updated_at": "When you last changed the rating.",
                },
                # Deleting a member deletes their ratings and takes them out of every
                # item's average, count and distribution.
                policy="custom",
                on_delete=_delete_ratings,
            )
        )
