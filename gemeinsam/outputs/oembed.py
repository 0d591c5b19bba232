"""oEmbed 1.0 provider (JSON) for stories, images and videos, and the frameable embed pages.

Embeddable are live, public stories; images of the media library (listed, described and not
held back by an embargo); and videos that are listed or shown on a live, public video story.
Everything else answers 404, as does anything an embargo holds back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import unquote, urlsplit

from csp.decorators import csp_replace
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve, reverse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe
from wagtail.models import Page, Site

from gemeinsam.core.models import LICENCE_URLS, Licence, Rendition
from gemeinsam.core.models import CustomImage as Image
from gemeinsam.newsroom import selectors
from gemeinsam.newsroom.embargo import embargoed_image_ids, public_video_ids
from gemeinsam.newsroom.models import StoryPage, Video
from gemeinsam.outputs.seo import (
    PUBLIC_MAX_AGE,
    ImageFacts,
    absolute_url,
    author_url,
    image_facts,
    page_url,
)

OEMBED_VERSION = "1.0"
MAX_URL_LENGTH = 2000
MAX_DIMENSION = 10_000
MAX_PK = 2**63 - 1
# Renditions are made in these widths and heights only, so that no request can make the
# server cut an image into thousands of sizes.
SIZE_STEPS = (160, 240, 320, 480, 640, 800, 1024, 1200, 1600, 2048)
STORY_FRAME = (640, 480)
VIDEO_FRAME_WIDTH = 640
CAPTION_HEIGHT = 80
PHOTO_SIZE = 1200
THUMBNAIL_SIZE = 480

# ---------------------------------------------------------------------------------- reads


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


@dataclass(frozen=True)
class Target:
    kind: str
    item: StoryPage | Image | Video


class OEmbedError(Exception):
    """A request the provider must refuse; ``status`` and ``message`` say how."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _our_hostnames(request: HttpRequest) -> set[str]:
    hosts = {urlsplit(settings.SITE_URL).hostname, urlsplit(f"//{request.get_host()}").hostname}
    hosts |= {urlsplit(root.root_url).hostname for root in Site.get_site_root_paths()}
    return {host.lower() for host in hosts if host}


def _story_at(request: HttpRequest, route: str) -> StoryPage | None:
    from django.http import Http404

    site = Site.find_for_request(request)
    if site is None:
        return None
    components = [component for component in route.split("/") if component]
    try:
        page = site.root_page.localized.specific.route(request, components).page
    except Http404:
        return None
    return embeddable_story(page.pk) if isinstance(page, Page) else None


def resolve_target(url: str, request: HttpRequest) -> Target | None:
    """What a URL of this newsroom shows, if it can be embedded; None otherwise."""
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
    except ValueError as error:
        raise OEmbedError(400, _("The url parameter is not a valid address.")) from error
    if parts.scheme not in ("http", "https") or not hostname:
        raise OEmbedError(400, _("The url parameter must be an http or https address."))
    if hostname.lower() not in _our_hostnames(request):
        return None
    path = unquote(parts.path) or "/"
    language = translation.get_language_from_path(path) or settings.LANGUAGE_CODE
    with translation.override(language):
        try:
            match = resolve(path)
        except Resolver404:
            return None
        item: StoryPage | Image | Video | None = None
        kind = {
            "outputs:embed-story": "story",
            "outputs:embed-image": "image",
            "outputs:embed-video": "video",
            "media": "image",
            "wagtail_serve": "story",
        }.get(match.view_name, "")
        if match.view_name == "outputs:embed-story":
            item = embeddable_story(match.kwargs["pk"])
        elif match.view_name == "outputs:embed-image":
            item = embeddable_image(match.kwargs["pk"])
        elif match.view_name == "outputs:embed-video":
            item = embeddable_video(match.kwargs["pk"])
        elif match.view_name == "media":
            item = image_for_media_path(match.kwargs["path"])
        elif match.view_name == "wagtail_serve":
            item = _story_at(request, match.args[0] if match.args else "")
    return Target(kind, item) if item is not None else None


# ------------------------------------------------------------------------------ responses


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


def _licence_url(code: str) -> str:
    try:
        return LICENCE_URLS.get(Licence(code), "")
    except ValueError:
        return ""


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


def _base(kind: str, title: str, author_name: str, author_link: str) -> dict[str, Any]:
    return {
        "version": OEMBED_VERSION,
        "type": kind,
        "title": title,
        "author_name": author_name,
        "author_url": author_link,
        "provider_name": settings.SITE_NAME,
        "provider_url": absolute_url("/"),
        "cache_age": PUBLIC_MAX_AGE,
    }


def _story_oembed(
    story: StoryPage, request: HttpRequest, maxwidth: int | None, maxheight: int | None
) -> dict[str, Any]:
    authors = list(story.authors.all())
    width = min(STORY_FRAME[0], maxwidth or STORY_FRAME[0])
    height = min(STORY_FRAME[1], maxheight or STORY_FRAME[1])
    link = page_url(story, request)
    lead = story.lead_image if story.lead_image_id else None
    with translation.override(story.locale.language_code):
        data = _base(
            "rich",
            story.title,
            ", ".join(author.name for author in authors) or settings.SITE_NAME,
            author_url(authors[0]) if authors else absolute_url("/"),
        )
    data["width"] = width
    data["height"] = height
    data["html"] = embed_snippet(
        src=absolute_url(reverse("outputs:embed-story", args=[story.pk])),
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
    return data


def _image_oembed(image: Image, maxwidth: int | None, maxheight: int | None) -> dict[str, Any]:
    facts = _bounded_facts(image, PHOTO_SIZE, maxwidth, maxheight)
    if facts is None:
        raise OEmbedError(404, _("This image is not available."))
    data = _base("photo", image.title, image.credit or settings.SITE_NAME, absolute_url("/"))
    data["url"] = facts.url
    data["width"] = facts.width
    data["height"] = facts.height
    data["credit"] = image.attribution
    data["license"] = facts.licence
    data["license_url"] = facts.licence_url
    return data


def _video_oembed(video: Video, maxwidth: int | None, maxheight: int | None) -> dict[str, Any]:
    width = min(VIDEO_FRAME_WIDTH, maxwidth or VIDEO_FRAME_WIDTH)
    height = round(width * 9 / 16) + CAPTION_HEIGHT
    height = min(height, maxheight or height)
    licence = str(video.get_licence_display())
    data = _base("video", video.title, video.credit or settings.SITE_NAME, absolute_url("/"))
    data["width"] = width
    data["height"] = height
    data["html"] = embed_snippet(
        src=absolute_url(reverse("outputs:embed-video", args=[video.pk])),
        width=width,
        height=height,
        title=video.title,
        credit=video.credit,
        licence=licence,
        licence_url=_licence_url(video.licence),
        link=absolute_url(reverse("newsroom:media-library")),
    )
    _thumbnail(data, _bounded_facts(video.poster, THUMBNAIL_SIZE, maxwidth, maxheight))
    data["credit"] = video.attribution
    data["license"] = licence
    data["license_url"] = _licence_url(video.licence)
    return data


def _dimension(request: HttpRequest, name: str) -> int | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdigit() or not 0 < int(raw) <= MAX_DIMENSION:
        raise OEmbedError(
            400,
            _("%(name)s must be a whole number from 1 to %(max)d.")
            % {"name": name, "max": MAX_DIMENSION},
        )
    return int(raw)


def oembed_data(request: HttpRequest) -> dict[str, Any]:
    """The oEmbed answer for the query string of ``request``; raises OEmbedError."""
    url = request.GET.get("url", "").strip()
    if not url:
        raise OEmbedError(400, _("Give the address to embed in the url parameter."))
    if len(url) > MAX_URL_LENGTH:
        raise OEmbedError(400, _("The url parameter is too long."))
    fmt = request.GET.get("format", "json").strip().lower() or "json"
    if fmt != "json":
        raise OEmbedError(501, _("Only format=json is offered."))
    maxwidth = _dimension(request, "maxwidth")
    maxheight = _dimension(request, "maxheight")
    target = resolve_target(url, request)
    if target is None:
        raise OEmbedError(404, _("Nothing at this address can be embedded."))
    if isinstance(target.item, StoryPage):
        return _story_oembed(target.item, request, maxwidth, maxheight)
    if isinstance(target.item, Image):
        return _image_oembed(target.item, maxwidth, maxheight)
    return _video_oembed(target.item, maxwidth, maxheight)


def _keep_not_found(request: HttpRequest) -> None:
    """Keep a 404 of an address without a language prefix a 404.

    Django's LocaleMiddleware answers an unprefixed 404 with a redirect to the same path
    under /<language>/ when that path would resolve, and Wagtail's catch-all page route
    resolves nearly anything. A URL configuration without language prefixes tells the
    middleware there is nothing to redirect to. It is read only after the view has run.
    """
    request.urlconf = "gemeinsam.outputs.urls"


def _error(request: HttpRequest, error: OEmbedError) -> JsonResponse:
    if error.status == 404:
        _keep_not_found(request)
    return JsonResponse({"error": error.message}, status=error.status)


# ---------------------------------------------------------------------------------- views


@require_safe
def oembed(request: HttpRequest) -> HttpResponseBase:
    try:
        data = oembed_data(request)
    except OEmbedError as error:
        return _error(request, error)
    response = JsonResponse(
        data,
        content_type="application/json; charset=utf-8",
        json_dumps_params={"ensure_ascii": False},
    )
    patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _embed_not_found(request: HttpRequest) -> HttpResponse:
    _keep_not_found(request)
    return HttpResponse(
        _("This item is not available."), status=404, content_type="text/plain; charset=utf-8"
    )


def _frameable(response: HttpResponse, language: str) -> HttpResponse:
    patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    response["Content-Language"] = language
    return response


FRAME_ANYWHERE = {"frame-ancestors": ["*"]}
EmbedView = Callable[[HttpRequest, int], HttpResponse]


def frameable_anywhere(view: EmbedView) -> EmbedView:
    """Let any site frame the view: no X-Frame-Options, and CSP ``frame-ancestors *``."""
    framed = csp_replace(FRAME_ANYWHERE)(cast("Callable[[HttpRequest], HttpResponseBase]", view))
    return cast(EmbedView, xframe_options_exempt(framed))


@require_safe
@frameable_anywhere
def embed_story(request: HttpRequest, pk: int) -> HttpResponse:
    story = embeddable_story(pk)
    if story is None:
        return _embed_not_found(request)
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
        return _frameable(render(request, "newsroom/embed_story.html", context), language)


@require_safe
@frameable_anywhere
def embed_image(request: HttpRequest, pk: int) -> HttpResponse:
    image = embeddable_image(pk)
    facts = _bounded_facts(image, PHOTO_SIZE, None, None)
    if image is None or facts is None:
        return _embed_not_found(request)
    language = translation.get_language() or settings.LANGUAGE_CODE
    context = {
        "image": image,
        "facts": facts,
        "library_url": absolute_url(reverse("newsroom:media-library")),
        "language": language,
    }
    return _frameable(render(request, "newsroom/embed_image.html", context), language)


@require_safe
@frameable_anywhere
def embed_video(request: HttpRequest, pk: int) -> HttpResponse:
    video = embeddable_video(pk)
    if video is None:
        return _embed_not_found(request)
    language = translation.get_language() or settings.LANGUAGE_CODE
    context = {
        "video": video,
        "poster": _bounded_facts(video.poster, VIDEO_FRAME_WIDTH, None, None),
        "licence_url": _licence_url(video.licence),
        "library_url": absolute_url(reverse("newsroom:media-library")),
        "language": language,
    }
    return _frameable(render(request, "newsroom/embed_video.html", context), language)
