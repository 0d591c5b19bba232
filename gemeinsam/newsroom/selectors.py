"""Reads for the newsroom's pages and outputs, each with a bounded number of queries."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from taggit.models import Tag
from wagtail.models import Locale

from gemeinsam.core.caching import SITE, cached_fragment
from gemeinsam.core.engagement import HostItem
from gemeinsam.core.models import CustomImage as Image
from gemeinsam.newsroom.embargo import public_image_ids, public_video_ids
from gemeinsam.newsroom.models import (
    LISTING_PAGE_SIZE,
    Author,
    LegalPage,
    StoryPage,
    StoryPageQuerySet,
    Video,
)

PAGE_SIZE = LISTING_PAGE_SIZE


def public_stories(*, locale: Locale | None = None) -> StoryPageQuerySet:
    """Live, public stories, newest first, with what a listing shows loaded alongside."""
    stories = StoryPage.objects.listed()
    if locale is not None:
        stories = stories.filter(locale=locale)
    return stories


def stories_of_type(stories: StoryPageQuerySet, type_slug: str) -> StoryPageQuerySet:
    return stories.of_type(type_slug)


def legal_links(*, locale: Locale) -> list[LegalPage]:
    return list(
        LegalPage.objects.live().filter(locale=locale).only("id", "title", "url_path", "kind")
    )


def author_by_slug(slug: str) -> Author | None:
    return Author.objects.select_related("photo").filter(slug=slug).first()


def _has_public_stories(kind: str, pk: int, **lookup: object) -> bool:
    """Whether a live, public story matches ``lookup``; cached until the next public change
    (one entry per existing tag or author, so made-up slugs cannot fill the cache)."""
    return cached_fragment(
        f"{kind}:has-public-stories",
        [SITE],
        [str(pk)],
        lambda: StoryPage.objects.live().public().filter(**lookup).exists(),
    )


def public_author(slug: str) -> Author | None:
    """The author with this slug if a live, public story credits them. An author known only
    from drafts or embargoed releases is as unknown as one that does not exist."""
    author = author_by_slug(slug)
    if author is None:
        return None
    return author if _has_public_stories("author", author.pk, authors=author) else None


def public_tag(slug: str) -> Tag | None:
    """The tag with this slug if a live, public story carries it. A tag used only by drafts
    or embargoed releases is as unknown as one that does not exist."""
    tag = Tag.objects.filter(slug=slug).first()
    if tag is None:
        return None
    return tag if _has_public_stories("tag", tag.pk, tags=tag) else None


def public_images() -> QuerySet[Image]:
    """The media library: images a published story uses or staff listed, with alt text."""
    return (
        Image.objects.filter(pk__in=public_image_ids()).exclude(alt_text="").order_by("-created_at")
    )


def public_videos() -> QuerySet[Video]:
    """The videos of the media library: those a published story uses or staff listed."""
    return Video.objects.filter(pk__in=public_video_ids()).select_related("poster")


def host_stream(*, limit: int, before: Any = None) -> list[HostItem]:
    """The newsroom's stories in the active language for members' home feeds, newest first.

    The same for every member, so cached until the next public change."""
    locale = Locale.get_active()

    def build() -> list[HostItem]:
        stories = public_stories(locale=locale).prefetch_related("tags")
        if before is not None:
            stories = stories.filter(first_published_at__lt=before)
        return [
            HostItem(
                published_at=story.first_published_at,
                obj=story,
                tag_slugs=frozenset(tag.slug for tag in story.tags.all()),
            )
            for story in stories[:limit]
        ]

    parts = [str(locale.pk), str(limit), str(before or "")]
    return list(cached_fragment("host-stream", [SITE], parts, build))
