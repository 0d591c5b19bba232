"""Stories as targets of the engagement apps: faved, shared, rated and commented on."""

from __future__ import annotations

from django.db import models

from gemeinsam.core.engagement import TargetKind
from gemeinsam.newsroom.models import StoryPage


class StoryKind(TargetKind[StoryPage]):
    model = StoryPage
    label = "story"

    def get_url(self, obj: StoryPage) -> str:
        return str(obj.url)

    def get_title(self, obj: StoryPage) -> str:
        return str(obj.title)

    def is_public(self, obj: StoryPage) -> bool:
        return bool(obj.live) and not obj.get_view_restrictions().exists()

    def public_queryset(self) -> models.QuerySet[StoryPage]:
        return StoryPage.objects.live().public()
