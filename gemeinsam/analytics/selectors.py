"""Reading the view counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Sum
from django.utils import timezone

from gemeinsam.analytics.models import DailyViews
from gemeinsam.core.engagement import target_kind

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
    wanted: dict[int, set[int]] = {}
    for row in ranked:
        wanted.setdefault(row["content_type_id"], set()).add(row["object_id"])
    found: dict[tuple[int, int], Any] = {}
    for content_type_id, ids in wanted.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        if model is None or target_kind(model) is None:
            continue
        for obj in model._default_manager.filter(pk__in=ids):
            found[(content_type_id, obj.pk)] = obj
    items = []
    for row in ranked:
        target = found.get((row["content_type_id"], row["object_id"]))
        kind = target_kind(target) if target is not None else None
        if target is None or kind is None:
            continue
        items.append(
            ItemViews(
                title=kind.get_title(target),
                url=kind.get_url(target),
                kind=str(kind.label),
                views=row["views"],
            )
        )
    return items, total
