"""The newsroom in the public outputs: its stories in the feeds, its stories, images and
videos in oEmbed and embed pages, its pages in the sitemaps, and the head tags with JSON-LD
of stories, the home page and authors. Registered in ``NewsroomConfig.ready()``.

Embeddable are live, public stories; images of the media library (listed, described and not
held back by an embargo); and videos that are listed or shown on a live, public video story.
Everything an embargo holds back stays out of every output.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Mapping
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import ResolverMatch, reverse
from django.utils import timezone, translation
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from wagtail.contrib.sitemaps import Sitemap as WagtailSitemap
from wagtail.models import Page, Site

from gemeinsam.community.selectors import fan_count
from gemeinsam.core.caching import SITE, cached_fragment, target_scope
from gemeinsam.core.models import CustomImage as Image
from gemeinsam.core.models import Rendition
from gemeinsam.core.outputs import (
    EmbedFrame,
    FeedChannel,
    FeedEntry,
    FeedImage,
    FeedQuery,
    FeedSource,
    HeadBuilder,
    HeadTags,
    NewsItem,
    OEmbedAnswer,
    OEmbedError,
    OEmbedResolver,
    SitemapSection,
    register_feed_source,
    register_head_builder,
    register_oembed_resolver,
    register_sitemap_section,
)
from gemeinsam.core.publishing import (
    ImageFacts,
    absolute_url,
    describe_image,
    image_facts,
    image_object_data,
    iso_datetime,
    json_ld_script,
    licence_url,
    og_locale,
    organization_data,
    page_url,
)
from gemeinsam.newsroom import selectors
from gemeinsam.newsroom.embargo import embargoed_image_ids, public_video_ids
from gemeinsam.newsroom.models import (
    STORY_TYPES_BY_SLUG,
    ArticlePage,
    Author,
    HomePage,
    NewsPage,
    PressReleasePage,
    StoryPage,
    StoryPageQuerySet,
    Video,
    VideoPage,
)

MAX_PK = 2**63 - 1
NEWS_SITEMAP_DAYS = 2
NEWS_SITEMAP_LIMIT = 1000
# Renditions are made in these widths and heights only, so that no request can make the
# server cut an image into thousands of sizes.
SIZE_STEPS = (160, 240, 320, 480, 640, 800, 1024, 1200, 1600, 2048)
STORY_FRAME = (640, 480)
VIDEO_FRAME_WIDTH = 640
CAPTION_HEIGHT = 80
PHOTO_SIZE = 1200
THUMBNAIL_SIZE = 480


def author_url(author: Author) -> str:
    """The author's page in the active language, absolute."""
    return absolute_url(reverse("newsroom:author", args=[author.slug]))


def embed_url(label: str, pk: int) -> str:
    """The absolute address of an item's embed page."""
    return absolute_url(reverse("outputs:embed", args=[label, pk]))


def _public_image(image: Image | None) -> Image | None:
    """The image, unless an embargo holds it back."""
    if image is None or image.pk in embargoed_image_ids():
        return None
    return image


# ------------------------------------------------------------------------------------ feeds


def _feed_image(image: Image | None, held: set[int]) -> FeedImage | None:
    """The lead image's original file, unless it is missing or held back by an embargo."""
    if image is None or image.pk in held:
        return None
    length = image.file_size
    if length is None:
        try:
            length = image.file.size
        except (OSError, ValueError):
            return None
    facts = describe_image(image, url=image.file.url, width=image.width, height=image.height)
    return FeedImage(
        **asdict(facts),
        length=length,
        mime_type=mimetypes.guess_type(image.file.name)[0] or "application/octet-stream",
    )


def _unique_id(story: StoryPage) -> str:
    """A tag URI that outlives changes of the story's title and slug."""
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"tag:{host},{story.published_at:%Y-%m-%d}:story-{story.pk}"


def _narrow(stories: StoryPageQuerySet, channel: FeedChannel | None) -> StoryPageQuerySet:
    if channel is None:
        return stories
    if channel.kind == "tag":
        return stories.filter(tags=channel.subject)
    if channel.kind == "type":
        return selectors.stories_of_type(stories, channel.subject)
    if channel.kind == "author":
        return stories.filter(authors=channel.subject)
    return stories.none()


def story_feed_entries(query: FeedQuery) -> list[FeedEntry]:
    """The newest live, public stories of one language in the query, with what feeds show."""
    stories = list(
        _narrow(
            selectors.public_stories().filter(locale__language_code=query.language), query.channel
        ).prefetch_related("tags")[: query.limit]
    )
    held = embargoed_image_ids() if any(story.lead_image_id for story in stories) else set()
    entries = []
    for story in stories:
        url = page_url(story, query.request)
        if not url:
            continue
        entries.append(
            FeedEntry(
                title=story.title,
                url=url,
                unique_id=_unique_id(story),
                summary=story.summary,
                language=story.locale.language_code,
                published=story.published_at,
                updated=story.last_published_at or story.published_at,
                authors=[(author.name, author_url(author)) for author in story.authors.all()],
                tags=_tag_names(story),
                image=_feed_image(story.lead_image, held),
            )
        )
    return entries


def _home_link() -> str:
    return absolute_url(reverse("wagtail_serve", args=[""]))


def tag_channel(slug: str) -> FeedChannel:
    tag = selectors.public_tag(slug)
    if tag is None:
        raise Http404(_("No story carries that tag."))
    return FeedChannel(
        kind="tag",
        title=f"{settings.SITE_NAME}: {tag.name}",
        description=_("Stories tagged “%(tag)s”.") % {"tag": tag.name},
        link=absolute_url(reverse("newsroom:tag", args=[tag.slug])),
        subject=tag,
    )


def type_channel(slug: str) -> FeedChannel:
    model = STORY_TYPES_BY_SLUG.get(slug)
    if model is None:
        raise Http404(_("There is no such kind of story."))
    label = str(model.type_label)
    return FeedChannel(
        kind="type",
        title=f"{settings.SITE_NAME}: {label}",
        description=_("The latest stories of the kind “%(kind)s”.") % {"kind": label},
        link=_home_link(),
        subject=slug,
    )


def author_channel(slug: str) -> FeedChannel:
    author = selectors.public_author(slug)
    if author is None:
        raise Http404(_("No author goes by that name."))
    return FeedChannel(
        kind="author",
        title=f"{settings.SITE_NAME}: {author.name}",
        description=_("Stories by %(name)s.") % {"name": author.name},
        link=author_url(author),
        subject=author,
    )


# ----------------------------------------------------------------------------------- oEmbed


def embeddable_story(pk: int) -> StoryPage | None:
    """A live, public story. Not read through ``selectors.public_stories()``: its lead images
    carry a prefetch of listing renditions only, and Wagtail would then miss (and try to
    insert again) the existing renditions of other sizes made here."""
    if not 0 < pk <= MAX_PK:
        return None
    return (
        StoryPage.objects.live()
        .public()
        .filter(pk=pk)
        .select_related("lead_image", "locale")
        .prefetch_related("authors")
        .first()
    )


def embeddable_image(pk: int) -> Image | None:
    if not 0 < pk <= MAX_PK:
        return None
    return selectors.public_images().filter(pk=pk).first()


def image_for_media_path(path: str) -> Image | None:
    """The media-library image whose original file or rendition lives at ``path``."""
    if path.startswith("original_images/"):
        return selectors.public_images().filter(file=path).first()
    if path.startswith("images/"):
        image_id = Rendition.objects.filter(file=path).values_list("image_id", flat=True).first()
        return embeddable_image(image_id) if image_id else None
    return None


def embeddable_video(pk: int) -> Video | None:
    if not 0 < pk <= MAX_PK:
        return None
    if pk not in public_video_ids():
        return None
    return Video.objects.select_related("poster").prefetch_related("captions").filter(pk=pk).first()


def _story_at(match: ResolverMatch, request: HttpRequest) -> StoryPage | None:
    """The embeddable story a page address shows."""
    if match.view_name != "wagtail_serve":
        return None
    route = match.args[0] if match.args else ""
    site = Site.find_for_request(request)
    if site is None:
        return None
    components = [component for component in route.split("/") if component]
    try:
        page = site.root_page.localized.specific.route(request, components).page
    except Http404:
        return None
    return embeddable_story(page.pk) if isinstance(page, Page) else None


def _image_at(match: ResolverMatch, request: HttpRequest) -> Image | None:
    """The embeddable image a media address (original or rendition) shows."""
    if match.view_name != "media":
        return None
    return image_for_media_path(match.kwargs["path"])


def _nothing_at(match: ResolverMatch, request: HttpRequest) -> None:
    return None


def _size_step(limit: int) -> int:
    """The largest rendition size that is not above ``limit``."""
    fitting = [step for step in SIZE_STEPS if step <= limit]
    return fitting[-1] if fitting else limit


def _bounded_facts(
    image: Image | None, default: int, maxwidth: int | None, maxheight: int | None
) -> ImageFacts | None:
    if image is None or image.pk in embargoed_image_ids():
        return None
    width = _size_step(min(default, maxwidth or default))
    height = _size_step(min(default, maxheight or default))
    return image_facts(image, f"max-{width}x{height}")


def _thumbnail(data: dict[str, Any], facts: ImageFacts | None) -> None:
    if facts:
        data["thumbnail_url"] = facts.url
        data["thumbnail_width"] = facts.width
        data["thumbnail_height"] = facts.height


def embed_snippet(
    *,
    src: str,
    width: int,
    height: int,
    title: str,
    credit: str,
    licence: str,
    licence_url: str,
    link: str,
) -> str:
    """The HTML another site pastes: the frame, with credit, licence and a link back."""
    return render_to_string(
        "outputs/embed_snippet.html",
        {
            "src": src,
            "width": width,
            "height": height,
            "title": title,
            "credit": credit,
            "licence": licence,
            "licence_url": licence_url,
            "link": link,
            "SITE_NAME": settings.SITE_NAME,
        },
    ).strip()


def _story_oembed(
    story: StoryPage, request: HttpRequest, maxwidth: int | None, maxheight: int | None
) -> OEmbedAnswer:
    authors = list(story.authors.all())
    width = min(STORY_FRAME[0], maxwidth or STORY_FRAME[0])
    height = min(STORY_FRAME[1], maxheight or STORY_FRAME[1])
    link = page_url(story, request)
    lead = story.lead_image if story.lead_image_id else None
    with translation.override(story.locale.language_code):
        author_name = ", ".join(author.name for author in authors) or settings.SITE_NAME
        author_link = author_url(authors[0]) if authors else absolute_url("/")
    data: dict[str, Any] = {"width": width, "height": height}
    data["html"] = embed_snippet(
        src=embed_url("story", story.pk),
        width=width,
        height=height,
        title=story.title,
        credit=lead.credit if lead else "",
        licence=str(lead.get_licence_display()) if lead else "",
        licence_url=lead.licence_url if lead else "",
        link=link,
    )
    _thumbnail(data, _bounded_facts(lead, THUMBNAIL_SIZE, maxwidth, maxheight))
    if lead:
        # Rights of the lead image, which the embedded card shows.
        data["credit"] = lead.attribution
        data["license"] = str(lead.get_licence_display())
        data["license_url"] = lead.licence_url
    return OEmbedAnswer("rich", story.title, author_name, author_link, data)


def _image_oembed(
    image: Image, request: HttpRequest, maxwidth: int | None, maxheight: int | None
) -> OEmbedAnswer:
    facts = _bounded_facts(image, PHOTO_SIZE, maxwidth, maxheight)
    if facts is None:
        raise OEmbedError(404, _("This image is not available."))
    data: dict[str, Any] = {
        "url": facts.url,
        "width": facts.width,
        "height": facts.height,
        "credit": image.attribution,
        "license": facts.licence,
        "license_url": facts.licence_url,
    }
    return OEmbedAnswer(
        "photo", image.title, image.credit or settings.SITE_NAME, absolute_url("/"), data
    )


def _video_oembed(
    video: Video, request: HttpRequest, maxwidth: int | None, maxheight: int | None
) -> OEmbedAnswer:
    width = min(VIDEO_FRAME_WIDTH, maxwidth or VIDEO_FRAME_WIDTH)
    height = round(width * 9 / 16) + CAPTION_HEIGHT
    height = min(height, maxheight or height)
    licence = str(video.get_licence_display())
    data: dict[str, Any] = {"width": width, "height": height}
    data["html"] = embed_snippet(
        src=embed_url("video", video.pk),
        width=width,
        height=height,
        title=video.title,
        credit=video.credit,
        licence=licence,
        licence_url=licence_url(video.licence),
        link=absolute_url(reverse("newsroom:media-library")),
    )
    _thumbnail(data, _bounded_facts(video.poster, THUMBNAIL_SIZE, maxwidth, maxheight))
    data["credit"] = video.attribution
    data["license"] = licence
    data["license_url"] = licence_url(video.licence)
    return OEmbedAnswer(
        "video", video.title, video.credit or settings.SITE_NAME, absolute_url("/"), data
    )


def _story_frame(request: HttpRequest, pk: int) -> EmbedFrame | None:
    story = embeddable_story(pk)
    if story is None:
        return None
    language = story.locale.language_code
    lead = story.lead_image if story.lead_image_id else None
    with translation.override(language):
        context = {
            "story": story,
            "story_url": page_url(story, request),
            "authors": list(story.authors.all()),
            "image": _bounded_facts(lead, STORY_FRAME[0], None, None),
            "language": language,
        }
        return EmbedFrame(render(request, "newsroom/embed_story.html", context), language)


def _image_frame(request: HttpRequest, pk: int) -> EmbedFrame | None:
    image = embeddable_image(pk)
    facts = _bounded_facts(image, PHOTO_SIZE, None, None)
    if image is None or facts is None:
        return None
    language = translation.get_language() or settings.LANGUAGE_CODE
    context = {
        "image": image,
        "facts": facts,
        "library_url": absolute_url(reverse("newsroom:media-library")),
        "language": language,
    }
    return EmbedFrame(render(request, "newsroom/embed_image.html", context), language)


def _video_frame(request: HttpRequest, pk: int) -> EmbedFrame | None:
    video = embeddable_video(pk)
    if video is None:
        return None
    language = translation.get_language() or settings.LANGUAGE_CODE
    context = {
        "video": video,
        "poster": _bounded_facts(video.poster, VIDEO_FRAME_WIDTH, None, None),
        "licence_url": licence_url(video.licence),
        "library_url": absolute_url(reverse("newsroom:media-library")),
        "language": language,
    }
    return EmbedFrame(render(request, "newsroom/embed_video.html", context), language)


# --------------------------------------------------------------------------------- sitemaps


def sitemap_pages() -> QuerySet[Page]:
    """Every live, public page of every language, the tree's root left out."""
    return (
        Page.objects.live().public().filter(depth__gt=1).select_related("locale").order_by("path")
    )


NEWS_SITEMAP_TYPES: tuple[type[StoryPage], ...] = (ArticlePage, NewsPage, PressReleasePage)


def recent_news(*, now: datetime | None = None) -> QuerySet[StoryPage]:
    """Stories for the Google News sitemap: articles, short news and press releases, live and
    public, first published within the last two days, newest first.

    Photo stories, videos and press kits are left out: Google News wants written news
    reports, and the other types are media collections that the main sitemap lists.
    """
    since = (now or timezone.now()) - timedelta(days=NEWS_SITEMAP_DAYS)
    return (
        StoryPage.objects.live()
        .public()
        .type(*NEWS_SITEMAP_TYPES)
        .filter(first_published_at__gte=since)
        .select_related("locale")
        .order_by("-first_published_at", "-pk")[:NEWS_SITEMAP_LIMIT]
    )


class PageSitemap(WagtailSitemap):
    """Wagtail's sitemap over every language, with addresses on the public origin."""

    def items(self) -> QuerySet[Page]:
        return sitemap_pages()

    def _urls(self, page: int, protocol: str, domain: str) -> list[dict[str, Any]]:
        urls = []
        for item in self.paginator.page(page).object_list:
            location = page_url(item, self.request)
            if location:
                urls.append({"item": item, "location": location, "lastmod": self.lastmod(item)})
        lastmods = [url["lastmod"] for url in urls]
        if lastmods and None not in lastmods:
            self.latest_lastmod = max(lastmods)
        return urls


def _page_sitemap(request: HttpRequest) -> Sitemap[Any]:
    return PageSitemap(request)


def news_items(request: HttpRequest) -> list[NewsItem]:
    items = []
    for story in recent_news():
        location = page_url(story, request)
        if location:
            items.append(
                NewsItem(
                    location=location,
                    language=story.locale.language_code,
                    published=story.first_published_at,
                    title=story.title,
                )
            )
    return items


def _tag_names(story: StoryPage) -> list[str]:
    """A story's tags in alphabetical order: the database returns them in no fixed order,
    and a feed or a page head must not change between two readings."""
    return sorted((tag.name for tag in story.tags.all()), key=str.casefold)


# -------------------------------------------------------------------------------- head tags


def oembed_discovery_url(url: str) -> str:
    return absolute_url(reverse("outputs:oembed")) + "?" + urlencode({"url": url, "format": "json"})


def person_data(author: Author, photo: ImageFacts | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"@type": "Person", "name": author.name, "url": author_url(author)}
    if author.role:
        data["jobTitle"] = author.role
    if author.bio:
        data["description"] = author.bio
    if photo:
        data["image"] = photo.url
    return data


def news_article_data(
    page: StoryPage,
    *,
    url: str,
    authors: list[Author],
    image: ImageFacts | None,
    tags: list[str],
) -> dict[str, Any]:
    """schema.org NewsArticle (CreativeWork for press kits) of a story."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": page.schema_type,
        "headline": Truncator(page.title).chars(110),
        "description": page.summary,
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "inLanguage": page.locale.language_code,
        "datePublished": iso_datetime(page.published_at),
        "dateModified": iso_datetime(page.last_published_at or page.published_at),
        "author": [person_data(author) for author in authors],
        "publisher": organization_data(),
    }
    if image:
        data["image"] = [image_object_data(image)]
    if page.topic_id and page.topic:
        data["articleSection"] = page.topic.name
    if tags:
        data["keywords"] = ", ".join(tags)
    return data


def video_object_data(video: Video, *, poster: ImageFacts | None) -> dict[str, Any]:
    """schema.org VideoObject of an uploaded video."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "VideoObject",
        "name": video.title,
        "description": video.description or video.title,
        "uploadDate": iso_datetime(video.created_at),
        "contentUrl": absolute_url(video.file.url),
        "embedUrl": embed_url("video", video.pk),
        "encodingFormat": video.mime_type,
        "creditText": video.credit or settings.SITE_NAME,
        "copyrightNotice": video.attribution,
    }
    if poster:
        data["thumbnailUrl"] = [poster.url]
    if video.transcript:
        data["transcript"] = video.transcript
    return data


def _add_image_tags(tags: HeadTags, image: ImageFacts | None) -> None:
    if image is None:
        tags.name("twitter:card", "summary")
        return
    tags.og("og:image", image.url)
    tags.og("og:image:width", image.width)
    tags.og("og:image:height", image.height)
    tags.og("og:image:alt", image.alt)
    tags.name("twitter:card", "summary_large_image")
    tags.name("twitter:image", image.url)
    tags.name("twitter:image:alt", image.alt)


def _translation_links(page: Page, request: HttpRequest | None) -> list[tuple[str, str]]:
    links = []
    for version in page.get_translations(inclusive=True).live().select_related("locale"):
        url = page_url(version, request)
        if url:
            links.append((version.locale.language_code, url))
    return links if len(links) > 1 else []


def story_head(page: StoryPage, request: HttpRequest | None, *, preview: bool = False) -> HeadTags:
    """Canonical, description, OpenGraph, Twitter, hreflang, oEmbed and JSON-LD of a story."""
    url = page_url(page, request)
    if preview or not page.live or not url:
        # An embargoed or draft story says nothing a crawler could pick up.
        return HeadTags(robots="noindex, nofollow", description=page.summary)
    language = page.locale.language_code
    authors = list(page.authors.all())
    tag_names = _tag_names(page)
    image = image_facts(_public_image(page.lead_image))

    tags = HeadTags(canonical=url, description=page.summary, oembed_url=oembed_discovery_url(url))
    tags.og("og:type", "article")
    tags.og("og:title", page.seo_title or page.title)
    tags.og("og:description", page.summary)
    tags.og("og:url", url)
    tags.og("og:site_name", settings.SITE_NAME)
    tags.og("og:locale", og_locale(language))
    tags.og("article:published_time", iso_datetime(page.published_at))
    tags.og("article:modified_time", iso_datetime(page.last_published_at))
    for author in authors:
        tags.og("article:author", author_url(author))
    if page.topic_id and page.topic:
        tags.og("article:section", page.topic.name)
    for tag_name in tag_names:
        tags.og("article:tag", tag_name)
    tags.name("twitter:title", page.seo_title or page.title)
    tags.name("twitter:description", page.summary)
    _add_image_tags(tags, image)

    tags.alternates = _translation_links(page, request)
    for code, _url in tags.alternates:
        if code != language:
            tags.og("og:locale:alternate", og_locale(code))

    graph: list[dict[str, Any]] = [
        news_article_data(page, url=url, authors=authors, image=image, tags=tag_names)
    ]
    if isinstance(page, VideoPage) and page.video_id and page.video:
        video = page.video
        graph[0]["video"] = {"@type": "VideoObject", "name": video.title}
        graph.append(video_object_data(video, poster=image_facts(_public_image(video.poster))))
    tags.json_ld = json_ld_script(graph[0] if len(graph) == 1 else graph)
    return tags


def _home_head(page: HomePage, request: HttpRequest | None) -> HeadTags:
    url = page_url(page, request)
    description = page.search_description or Truncator(strip_tags(page.intro)).chars(300)
    tags = HeadTags(canonical=url, description=description)
    tags.og("og:type", "website")
    tags.og("og:title", page.seo_title or settings.SITE_NAME)
    tags.og("og:description", description)
    tags.og("og:url", url)
    tags.og("og:site_name", settings.SITE_NAME)
    tags.og("og:locale", og_locale(page.locale.language_code))
    tags.name("twitter:card", "summary")
    tags.alternates = _translation_links(page, request)
    organization = {"@context": "https://schema.org", **organization_data()}
    if description:
        organization["description"] = description
    organization["interactionStatistic"] = {
        "@type": "InteractionCounter",
        "interactionType": "https://schema.org/FollowAction",
        "userInteractionCount": fan_count(),
        "name": "fans",
    }
    website = {
        "@context": "https://schema.org",
        "@type": "WebSite",
        "name": settings.SITE_NAME,
        "url": url,
        "inLanguage": page.locale.language_code,
    }
    tags.json_ld = json_ld_script([organization, website])
    return tags


def _author_head(author: Author, request: HttpRequest | None) -> HeadTags:
    url = author_url(author)
    photo = image_facts(author.photo, "fill-400x400") if author.photo_id else None
    tags = HeadTags(description=Truncator(author.bio).chars(300))
    tags.og("og:type", "profile")
    tags.og("og:title", author.name)
    tags.og("og:description", tags.description)
    tags.og("og:url", url)
    tags.og("og:site_name", settings.SITE_NAME)
    tags.og("og:locale", og_locale(translation.get_language() or settings.LANGUAGE_CODE))
    _add_image_tags(tags, photo)
    person = {"@context": "https://schema.org", **person_data(author, photo)}
    person["worksFor"] = organization_data()
    tags.json_ld = json_ld_script(person)
    return tags


def _request(context: Mapping[str, Any]) -> HttpRequest | None:
    request = context.get("request")
    return request if isinstance(request, HttpRequest) else None


def _shows_author(context: Mapping[str, Any]) -> bool:
    return isinstance(context.get("author"), Author) and not isinstance(context.get("page"), Page)


def _claims(context: Mapping[str, Any]) -> bool:
    return isinstance(context.get("page"), StoryPage | HomePage) or _shows_author(context)


def _site_head(context: Mapping[str, Any]) -> HeadTags | None:
    """The home page and author pages here; story pages have their own head (``story_seo``)."""
    page = context.get("page")
    if isinstance(page, HomePage):
        return _home_head(page, _request(context))
    author = context.get("author")
    if isinstance(author, Author) and not isinstance(page, Page):
        return _author_head(author, _request(context))
    return None


def _story_page_head(context: Mapping[str, Any]) -> HeadTags | None:
    """Head tags of the story page in the context."""
    page = context.get("page")
    if not isinstance(page, StoryPage):
        return None
    request = _request(context)
    preview = bool(context.get("is_embargo_preview"))
    if preview or not page.live or request is None:
        return story_head(page, request, preview=preview)
    # The same for every reader until the next public change: cached, it saves the author,
    # tag, image and translation queries of each signed-in or uncached view.
    head = cached_fragment(
        "story-head-tags",
        [SITE, target_scope(page)],
        [str(page.pk), request.scheme or "", request.get_host()],
        lambda: story_head(page, request),
    )
    return head if isinstance(head, HeadTags) else None


# --------------------------------------------------------------------------------- register


def register_outputs() -> None:
    """Put the newsroom into the feeds, oEmbed, sitemaps and head tags."""
    register_feed_source(
        FeedSource(
            label="stories",
            models=(StoryPage,),
            entries=story_feed_entries,
            channels={"tag": tag_channel, "type": type_channel, "author": author_channel},
        )
    )
    register_oembed_resolver(
        OEmbedResolver(
            label="story",
            models=(StoryPage,),
            item=embeddable_story,
            find=_story_at,
            answer=_story_oembed,
            frame=_story_frame,
        )
    )
    register_oembed_resolver(
        OEmbedResolver(
            label="image",
            models=(Image,),
            item=embeddable_image,
            find=_image_at,
            answer=_image_oembed,
            frame=_image_frame,
        )
    )
    register_oembed_resolver(
        OEmbedResolver(
            label="video",
            models=(Video,),
            item=embeddable_video,
            find=_nothing_at,
            answer=_video_oembed,
            frame=_video_frame,
        )
    )
    register_sitemap_section(
        SitemapSection(label="pages", models=(Page,), sitemap=_page_sitemap, news=news_items)
    )
    register_head_builder(
        HeadBuilder(
            label="newsroom",
            models=(StoryPage, HomePage, Author),
            claims=_claims,
            site_head=_site_head,
            page_head=_story_page_head,
        )
    )
