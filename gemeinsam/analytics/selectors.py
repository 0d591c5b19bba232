"""Reading the view counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Sum
from django.utils import timezone

from gemeinsam.analytics.models import DailyViews
from gemeinsam.core.engagement import kind_of, load_targets

PERIODS = (1, 7, 30, 365)


@dataclass(frozen=True)
class ItemViews:
    title: str
    url: str
    kind: str
    views: int


def most_viewed(*, days: int, limit: int = 50) -> tuple[list[ItemViews], int]:
    """The most viewed items of the last ``days`` days (today included), and all views."""
    since = timezone.now().date() - timedelta(days=days - 1)
    rows = DailyViews.objects.filter(day__gte=since)
    total = rows.aggregate(total=Sum("count"))["total"] or 0
    top = (
        rows.values("content_type_id", "object_id")
        .annotate(views=Sum("count"))
        .order_by("-views", "content_type_id", "object_id")[:limit]
    )
    ranked = list(top)
    # One query per kind of item (stories are stored under their concrete page type).
    found = load_targets(
        [(row["content_type_id"], row["object_id"]) for row in ranked], public_only=False
    )
    items = []
    for row in ranked:
        target = found.get((row["content_type_id"], row["object_id"]))
        if target is None:
            continue
        kind = kind_of(target)
        items.append(
            ItemViews(
                title=kind.get_title(target),
                url=kind.get_url(target),
                kind=str(kind.label),
                views=row["views"],
            )
        )
    return items, total
