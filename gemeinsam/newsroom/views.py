"""Reader pages of the newsroom that are not Wagtail pages: authors, tags, media, search."""

from __future__ import annotations

import re

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from wagtail.models import Locale

from gemeinsam.newsroom import selectors
from gemeinsam.newsroom.embargo import TOKEN_PARAMETER, link_from_token
from gemeinsam.newsroom.models import PressReleasePage
from gemeinsam.newsroom.services import record_embargo_access

MAX_QUERY_LENGTH = 200


def _paginate(request: HttpRequest, items: object, per_page: int) -> object:
    number = request.GET.get("page", "1")
    return Paginator(items, per_page).get_page(number if number.isdigit() else 1)  # type: ignore[arg-type]


def author_detail(request: HttpRequest, slug: str) -> HttpResponse:
    author = selectors.public_author(slug)
    if author is None:
        raise Http404(_("No author goes by that name."))
    stories = selectors.public_stories(locale=Locale.get_active()).filter(authors=author)
    return render(
        request,
        "newsroom/author_detail.html",
        {"author": author, "page_obj": _paginate(request, stories, selectors.PAGE_SIZE)},
    )


def tag_detail(request: HttpRequest, slug: str) -> HttpResponse:
    tag = selectors.public_tag(slug)
    if tag is None:
        raise Http404(_("No story carries that tag."))
    stories = selectors.public_stories(locale=Locale.get_active()).filter(tags=tag)
    return render(
        request,
        "newsroom/tag_detail.html",
        {"tag": tag, "page_obj": _paginate(request, stories, selectors.PAGE_SIZE)},
    )


def media_library(request: HttpRequest) -> HttpResponse:
    images = selectors.public_images()
    videos = selectors.public_videos()
    return render(
        request,
        "newsroom/media_library.html",
        {"page_obj": _paginate(request, images, 24), "videos": list(videos[:24])},
    )


def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    error = ""
    results = None
    if len(query) > MAX_QUERY_LENGTH:
        error = _("Please use at most %(count)d characters.") % {"count": MAX_QUERY_LENGTH}
    elif query:
        stories = selectors.public_stories(locale=Locale.get_active()).order_by()
        results = _paginate(request, stories.search(query), selectors.PAGE_SIZE)
    return render(
        request,
        "newsroom/search.html",
        {"query": query, "page_obj": results, "error": error},
    )


# Files, documents and contact cards of the release: they answer only with the link's token.
_MEDIA_URL = re.compile(
    r'((?:src|href|srcset)="(?:/media/|/documents/|/[a-z]{2}/contacts/\d+/vcard/)[^"?\s]*)'
)


@never_cache
def embargo_preview(request: HttpRequest, token: str) -> HttpResponse:
    """An embargoed release, read early through a signed link, under a banner: the revision
    scheduled to go live, with its files, documents and contact cards reachable through the
    same link. 404 for a forged link, 410 for an expired or revoked one and for a release
    that is no longer scheduled."""
    link = link_from_token(token)
    if link is None:
        raise Http404(_("This link is not valid."))
    if not link.is_usable:
        return render(
            request,
            "newsroom/embargo_expired.html",
            {"link": link, "now": timezone.now()},
            status=410,
        )
    release = link.release
    if release.live:
        return render(request, "newsroom/embargo_lifted.html", {"release": release})
    # The version that will go live, never a later draft; nothing scheduled, nothing to read.
    revision = release.scheduled_revision
    if revision is None:
        return render(request, "newsroom/embargo_withdrawn.html", {"link": link}, status=410)
    scheduled = revision.as_object()
    if not isinstance(scheduled, PressReleasePage):
        raise Http404
    record_embargo_access(
        release=release,
        link=link,
        user=request.user,
        user_agent=request.headers.get("user-agent", ""),
    )
    response = scheduled.serve(request)
    response.context_data = (response.context_data or {}) | {
        "embargo_lifts_at": revision.approved_go_live_at,
        "is_embargo_preview": True,
    }
    response.render()
    html = _MEDIA_URL.sub(rf"\1?{TOKEN_PARAMETER}={token}", response.content.decode())
    response.content = html.encode()
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "private, no-store"
    return response
