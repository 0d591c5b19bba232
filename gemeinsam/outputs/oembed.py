"""oEmbed 1.0 provider (JSON) and the frameable embed pages of what the resolvers register.

Each registered resolver names its embed pages (/embed/<label>/<pk>/) and finds its items at
other addresses of this site (a page, a media file). Anything no resolver embeds answers 404,
as does anything an embargo holds back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import unquote, urlsplit

from csp.decorators import csp_replace
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe
from wagtail.models import Site

from gemeinsam.core.outputs import (
    OEmbedError,
    OEmbedResolver,
    oembed_resolver,
    oembed_resolvers,
)
from gemeinsam.core.publishing import PUBLIC_MAX_AGE, absolute_url

OEMBED_VERSION = "1.0"
MAX_URL_LENGTH = 2000
MAX_DIMENSION = 10_000

# ---------------------------------------------------------------------------------- reads


@dataclass(frozen=True)
class Target:
    resolver: OEmbedResolver
    item: Any


def _our_hostnames(request: HttpRequest) -> set[str]:
    hosts = {urlsplit(settings.SITE_URL).hostname, urlsplit(f"//{request.get_host()}").hostname}
    hosts |= {urlsplit(root.root_url).hostname for root in Site.get_site_root_paths()}
    return {host.lower() for host in hosts if host}


def resolve_target(url: str, request: HttpRequest) -> Target | None:
    """What a URL of this site shows, if a resolver embeds it; None otherwise."""
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
        if match.view_name == "outputs:embed":
            resolver = oembed_resolver(match.kwargs["kind"])
            item = resolver.item(match.kwargs["pk"]) if resolver else None
            return Target(resolver, item) if resolver and item is not None else None
        for resolver in oembed_resolvers():
            item = resolver.find(match, request)
            if item is not None:
                return Target(resolver, item)
    return None


# ------------------------------------------------------------------------------ responses


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
    answer = target.resolver.answer(target.item, request, maxwidth, maxheight)
    return {
        "version": OEMBED_VERSION,
        "type": answer.type,
        "title": answer.title,
        "author_name": answer.author_name,
        "author_url": answer.author_url,
        "provider_name": settings.SITE_NAME,
        "provider_url": absolute_url("/"),
        "cache_age": PUBLIC_MAX_AGE,
        **answer.fields,
    }


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
EmbedView = Callable[[HttpRequest, str, int], HttpResponse]


def frameable_anywhere(view: EmbedView) -> EmbedView:
    """Let any site frame the view: no X-Frame-Options, and CSP ``frame-ancestors *``."""
    framed = csp_replace(FRAME_ANYWHERE)(cast("Callable[[HttpRequest], HttpResponseBase]", view))
    return cast(EmbedView, xframe_options_exempt(framed))


@require_safe
@frameable_anywhere
def embed(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """The embed page of one item, made by the resolver registered for ``kind``."""
    resolver = oembed_resolver(kind)
    frame = resolver.frame(request, pk) if resolver else None
    if frame is None:
        return _embed_not_found(request)
    return _frameable(frame.response, frame.language)
