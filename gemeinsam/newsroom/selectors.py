"""Reads for the newsroom's pages and outputs, each with a bounded number of queries."""

from __future__ import annotations

from typing import Any

from django.core.paginator import EmptyPage, Paginator
from django.db.models import QuerySet
from taggit.models import Tag
from wagtail.models import Locale

from gemeinsam.core.caching import SITE, cached_fragment
from gemeinsam.core.engagement import HostItem
from gemeinsam.core.models import CustomImage as Image
from gemeinsam.newsroom.models import (
    STORY_TYPES_BY_SLUG,
    Author,
    ChannelItem,
    LegalPage,
    StoryPage,
    Video,
)

PAGE_SIZE = 12


def public_stories(*, locale: Locale | None = None) -> QuerySet[StoryPage]:
    """Live, public stories, newest first, with what a listing shows loaded alongside."""
    stories = (
        StoryPage.objects.live()
        .public()
        .select_related("lead_image", "locale", "topic")
        .prefetch_related(
            "authors",
            # All renditions, not just the listing size: Wagtail treats a prefetched set as
            # complete, and would try to create a missing size again on every request.
            "lead_image__renditions",
        )
        .order_by("-first_published_at", "-pk")
    )
    if locale is not None:
        stories = stories.filter(locale=locale)
    return stories


def stories_of_type(stories: QuerySet[StoryPage], type_slug: str) -> QuerySet[StoryPage]:
    model = STORY_TYPES_BY_SLUG.get(type_slug)
    return stories.type(model) if model else stories  # type: ignore[attr-defined]


def home_stream(*, locale: Locale) -> dict[str, Any]:
    stories = list(public_stories(locale=locale)[:9])
    items = list(ChannelItem.objects.select_related("channel").filter(channel__is_active=True)[:6])
    return {"stories": stories, "channel_items": items}


def story_listing(*, locale: Locale, type_slug: str, page_number: str) -> dict[str, Any]:
    stories = stories_of_type(public_stories(locale=locale), type_slug)
    paginator = Paginator(stories, PAGE_SIZE)
    try:
        page = paginator.page(int(page_number) if page_number.isdigit() else 1)
    except EmptyPage:
        page = paginator.page(paginator.num_pages)
    return {
        "stories": list(page.object_list),
        "page_obj": page,
        "story_types": list(STORY_TYPES_BY_SLUG.values()),
        "current_type": type_slug if type_slug in STORY_TYPES_BY_SLUG else "",
    }


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
    from gemeinsam.newsroom.embargo import public_image_ids

    return (
        Image.objects.filter(pk__in=public_image_ids()).exclude(alt_text="").order_by("-created_at")
    )


def public_videos() -> QuerySet[Video]:
    """The videos of the media library: those a published story uses or staff listed."""
    from gemeinsam.newsroom.embargo import public_video_ids

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
